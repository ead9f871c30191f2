// File: app/backup.h
//
// Encrypted backups of an SQLite data directory and restores into a fresh one (issue 5,
// docs/keys.md "Backups"). A backup holds consistent copies (SQLite online backup API) of
// clearway.db, identity.db, tariff.db and the ledger signing key, sealed as a whole with
// XChaCha20-Poly1305 under a fresh data key that the key provider wraps: without the key file
// the backup is noise. The key file and the purge register are not in it.
//
//   clearway-backup v1\n
//   {"createdAt":…,"files":[{"name":"clearway.db","size":N},…],"kekId":"clearway",
//    "kekVersion":1,"wrapped":"<hex>"}\n                  <- the header, associated data
//   <envelope of the files' bytes, one after the other>
//
// A restore unwraps the data key with the key file given, writes the files into an empty
// directory (0700; files 0600), copies the key file and the purge register beside them
// (NEWDIR/keys/), and re-applies every purge the register knows that the restored store lacks,
// so that a backup taken before a purge cannot bring the purged data back.
//
//   CW_ASSIGN_OR_RETURN(app::BackupReport made, app::WriteBackup(config.store, *provider, clock,
//                                                               "/backups/2031-05-01.cwb"));
//   CW_ASSIGN_OR_RETURN(app::RestoreReport restored,
//                       app::RestoreBackup("/backups/2031-05-01.cwb", "var-restored",
//                                          app::KeysConfig::KeyFile("var/keys/kek"), "",
//                                          clock));
//
// Thread safety: free functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.h"
#include "common/result.h"
#include "common/time.h"
#include "keys/key_provider.h"

namespace clearway::app {

struct BackupReport {
  std::vector<std::string> files;  // names in the backup
  uint64_t bytes = 0;              // plaintext bytes sealed
  keys::KekRef kek;                // the KEK version that wraps its key
};

// A purge re-applied on restore: the register's purge id and what it removed again.
struct ReappliedPurge {
  std::string purge_id;
  std::vector<std::string> declarations;
  std::vector<std::string> security_events;
};

struct RestoreReport {
  std::vector<std::string> files;
  std::vector<std::string> already_purged;  // register purges the backup already held
  std::vector<ReappliedPurge> reapplied;     // purges re-applied to the restored store
};

// WriteBackup() writes the backup of the SQLite store `config` to `to` (created 0600; it must
// not exist). Errors: kFailedPrecondition "backup-postgres" for a PostgreSQL store (use
// pg_basebackup or pg_dump, docs/keys.md), kAlreadyExists "backup-exists", the provider's and
// SQLite's errors.
Result<BackupReport> WriteBackup(const StoreConfig& config, keys::KeyProvider& provider,
                                 const Clock& clock, const std::string& to);

// RestoreBackup() restores `from` into `to_dir` with the keys `keys` names (app/encryption.h,
// OpenKeyProvider(); a key file is keys.key_file, else $CLEARWAY_KEY_FILE, else
// var/keys/kek, and is copied to NEWDIR/keys/kek; a token's KEK stays in the token) and the
// purge register at `register_path` ("" = beside that key file). Errors: kFailedPrecondition
// "restore-target-not-empty"; kInvalidArgument "not-a-backup" for a file it did not write;
// kDataLoss "unwrap-failed" (another key file) or "decrypt-failed" (altered); the key file's
// and the store's errors.
Result<RestoreReport> RestoreBackup(const std::string& from, const std::string& to_dir,
                                    const KeysConfig& keys, const std::string& register_path,
                                    const Clock& clock);

}  // namespace clearway::app
