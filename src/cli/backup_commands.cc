#include "cli/backup_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "app/backup.h"
#include "app/config.h"
#include "app/encryption.h"
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
  std::string key_file;
  std::string register_path;
  std::string to;
  std::string from;
};

int ExitCodeFor(const Error& error) {
  return error.code == ErrorCode::kNotFound || error.code == ErrorCode::kUnavailable
             ? kCannotRun
             : kRefused;
}

app::StoreConfig StoreOf(const BackupFlags& f) {
  app::StoreConfig config;
  config.data_dir = FromEnv(f.data_dir, "CLEARWAY_DATA_DIR", "var");
  config.url = FromEnv(f.store_url, "CLEARWAY_STORE");
  return config;
}

std::string KeyFileOf(const BackupFlags& f) {
  return FromEnv(f.key_file, "CLEARWAY_KEY_FILE", StoreOf(f).data_dir + "/keys/kek");
}

Status Backup(const BackupFlags& f) {
  SystemClock clock;
  const app::StoreConfig config = StoreOf(f);
  if (!f.key_file.empty()) ::setenv("CLEARWAY_KEY_FILE", f.key_file.c_str(), 1);
  CW_ASSIGN_OR_RETURN(auto provider, app::OpenKeyProvider(config, clock));
  CW_ASSIGN_OR_RETURN(app::BackupReport report, app::WriteBackup(config, *provider, clock, f.to));
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
  CW_ASSIGN_OR_RETURN(app::RestoreReport report,
                      app::RestoreBackup(f.from, f.to, KeyFileOf(f), f.register_path, clock));
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
  backup->add_option("--key-file", flags->key_file,
                     "The key file (env CLEARWAY_KEY_FILE; default DATA_DIR/keys/kek)");
  auto* restore = app.add_subcommand(
      "restore", "Restore a backup into a fresh directory, re-applying later purges");
  restore->add_option("--from", flags->from, "The backup file")->required();
  restore->add_option("--to", flags->to, "The new data directory (must be empty)")->required();
  restore->add_option("--key-file", flags->key_file,
                      "The key file (env CLEARWAY_KEY_FILE; default var/keys/kek)");
  restore->add_option("--register", flags->register_path,
                      "The purge register (default: beside the key file)");
  backup->callback([flags] { RunCommand(Backup, *flags); });
  restore->callback([flags] { RunCommand(Restore, *flags); });
}

}  // namespace clearway::cli
