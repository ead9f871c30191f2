#include "cli/store_commands.h"

#include <unistd.h>

#include <iostream>

#include "app/config.h"
#include "crypto/crypto.h"
#include "store/sqlite/sqlite_store.h"

namespace clearway::cli {

namespace {

Result<std::unique_ptr<store::sqlite::SqliteStore>> OpenStore(const StoreFlags& flags) {
  app::StoreConfig config;
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (!flags.url.empty()) {
    if (flags.url.rfind("sqlite:", 0) != 0) {
      return Error::InvalidArgument("--store", "unsupported-store",
                                    "this build supports sqlite:PATH stores");
    }
    config.url = flags.url;
  }
  store::sqlite::SqliteOptions options;
  options.path = app::SqlitePathOf(config);
  return store::sqlite::SqliteStore::Open(options);
}

}  // namespace

int StoreMigrate(const StoreFlags& flags) {
  auto store = OpenStore(flags);
  if (!store.ok()) {
    std::cerr << "clearway: " << store.error().ToString() << "\n";
    return 1;
  }
  std::cout << "schema is current\n";
  return 0;
}

int StoreStats(const StoreFlags& flags) {
  auto store = OpenStore(flags);
  if (!store.ok()) {
    std::cerr << "clearway: " << store.error().ToString() << "\n";
    return 1;
  }
  auto count = (*store)->CountDeclarations();
  if (!count.ok()) {
    std::cerr << "clearway: " << count.error().ToString() << "\n";
    return 1;
  }
  std::cout << "declarations: " << *count << "\n";
  return 0;
}

int HashPassword() {
  if (isatty(STDIN_FILENO)) std::cerr << "password: " << std::flush;
  std::string password;
  std::getline(std::cin, password);
  if (password.size() < 12) {
    std::cerr << "clearway: use at least 12 characters\n";
    return 1;
  }
  auto hash = crypto::HashPassword(password);
  if (!hash.ok()) {
    std::cerr << "clearway: " << hash.error().ToString() << "\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

}  // namespace clearway::cli
