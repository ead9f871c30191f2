#include "cli/mfa_commands.h"

#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include "app/config.h"
#include "app/identity_service.h"
#include "app/security_log.h"
#include "app/store_factory.h"

namespace clearway::cli {

int MfaEnrollCommand(const MfaFlags& flags) {
  // DATA_DIR/identity.db, or the identity tables of the --store postgres://… database.
  app::StoreConfig config;
  config.data_dir = flags.data_dir;
  config.url = flags.store_url;
  auto directory = app::OpenIdentityDirectory(config, "clearway-cli");
  if (!directory.ok()) {
    std::cerr << "clearway: " << directory.error().ToString() << "\n";
    return 2;
  }
  SystemClock clock;
  app::SecurityLog events;
  app::IdentityService identity(**directory, clock, events);
  auto enrolled = identity.EnrolOffline(flags.username);
  if (!enrolled.ok()) {
    std::cerr << "clearway: " << enrolled.error().ToString() << "\n";
    return 1;
  }
  const auto& [offer, codes] = *enrolled;
  std::cout << "second factor enrolled for " << flags.username << "\n"
            << "  secret (Base32):  " << offer.secret_base32 << "\n"
            << "  otpauth URI:      " << offer.otpauth_uri << "\n";
  if (!flags.qr_file.empty()) {
    std::ofstream out(flags.qr_file, std::ios::trunc);
    out << offer.qr_svg;
    if (!out.flush()) {
      std::cerr << "clearway: cannot write " << flags.qr_file << "\n";
      return 2;
    }
    ::chmod(flags.qr_file.c_str(), 0600);
    std::cout << "  QR code (SVG):    " << flags.qr_file << "\n";
  }
  std::cout << "recovery codes (each works once; hand them over safely, they are not shown "
               "again):\n";
  for (const std::string& code : codes) std::cout << "  " << code << "\n";
  return 0;
}

}  // namespace clearway::cli
