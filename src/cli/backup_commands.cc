#include "cli/backup_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "app/backup.h"
#include "app/config.h"
#include "app/encryption.h"
#include "app/purge_register.h"
#include "cli/key_options.h"
#include "cli/output.h"
#include "common/time.h"

namespace clearway::cli {

namespace {

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kCannotRun = 2;

[[noreturn]] void Finish(int code) { throw CLI::RuntimeError(code); }

struct BackupFlags {
  std::string data_dir;
  std::string store_url;
  KeyFlags keys;  // --config, --key-file, --token, … (cli/key_options.h)
  std::string register_path;
  std::string to;
  std::string from;
};

int ExitCodeFor(const Error& error) {
  return error.code == ErrorCode::kNotFound || error.code == ErrorCode::kUnavailable
             ? kCannotRun
             : kRefused;
}

Status Backup(const BackupFlags& f) {
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(KeySetup setup, KeySetupOf(f.keys, f.data_dir, f.store_url));
  CW_ASSIGN_OR_RETURN(auto provider, app::OpenKeyProvider(setup.store, setup.keys, clock));
  CW_ASSIGN_OR_RETURN(app::BackupReport report,
                      app::WriteBackup(setup.store, *provider, clock, f.to));
  std::cout << "wrote " << f.to << ": ";
  for (size_t idx = 0; idx < report.files.size(); ++idx) {
    std::cout << (idx == 0 ? "" : ", ") << report.files[idx];
  }
  std::cout << " (" << report.bytes << " bytes, sealed under a data key wrapped by "
            << report.kek.ToString() << ")\n";
  return OkStatus();
}

Status Restore(const BackupFlags& f) {
  SystemClock clock;
  // The keys of the source: the key file (of --data-dir, default var) or the token.
  CW_ASSIGN_OR_RETURN(KeySetup setup, KeySetupOf(f.keys, f.data_dir, f.store_url));
  app::KeysConfig keys = setup.keys;
  if (!app::UsesToken(keys)) keys.key_file = app::KeyFilePath(setup.store, keys);
  // The purge register: --register, else beside the key file (DATA_DIR/keys/ with a token).
  const std::string register_path =
      f.register_path.empty() ? app::PurgeRegisterPathFor(app::KeyFilePath(setup.store, keys))
                              : f.register_path;
  CW_ASSIGN_OR_RETURN(app::RestoreReport report,
                      app::RestoreBackup(f.from, f.to, keys, register_path, clock));
  std::cout << "restored " << f.to << ": ";
  for (size_t idx = 0; idx < report.files.size(); ++idx) {
    std::cout << (idx == 0 ? "" : ", ") << report.files[idx];
  }
  std::cout << "\n";
  for (const std::string& id : report.already_purged) {
    std::cout << "purge " << id << ": already in the backup\n";
  }
  for (const app::ReappliedPurge& purge : report.reapplied) {
    std::cout << "purge " << purge.purge_id << ": re-applied, " << purge.declarations.size()
              << " declarations, " << purge.security_events.size() << " security events\n";
    for (const std::string& id : purge.declarations) std::cout << "  purged declaration " << id << "\n";
  }
  return OkStatus();
}

void RunCommand(Status (*command)(const BackupFlags&), const BackupFlags& flags) {
  Status status = command(flags);
  Finish(status.ok() ? kDone : Trouble(status.error(), ExitCodeFor(status.error())));
}

}  // namespace

void AddBackupCommands(CLI::App& app) {
  auto flags = std::make_shared<BackupFlags>();
  auto* backup = app.add_subcommand(
      "backup", "Write an encrypted, consistent snapshot of the data directory");
  backup->add_option("--to", flags->to, "The backup file (must not exist)")->required();
  backup->add_option("--data-dir", flags->data_dir,
                     "The data directory (env CLEARWAY_DATA_DIR; default var)");
  backup->add_option("--store", flags->store_url,
                     "The store url (env CLEARWAY_STORE); postgres:// is refused");
  AddKeyFlags(*backup, flags->keys);
  auto* restore = app.add_subcommand(
      "restore", "Restore a backup into a fresh directory, re-applying later purges");
  restore->add_option("--from", flags->from, "The backup file")->required();
  restore->add_option("--to", flags->to, "The new data directory (must be empty)")->required();
  restore->add_option("--data-dir", flags->data_dir,
                      "The data directory backed up, for its key file (DATA_DIR/keys/kek) "
                      "and purge register (env CLEARWAY_DATA_DIR; default var)");
  AddKeyFlags(*restore, flags->keys);
  restore->add_option("--register", flags->register_path,
                      "The purge register (default: beside the key file)");
  backup->callback([flags] { RunCommand(Backup, *flags); });
  restore->callback([flags] { RunCommand(Restore, *flags); });
}

}  // namespace clearway::cli
