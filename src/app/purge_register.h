// File: app/purge_register.h
//
// The purge register: every retention purge ever committed, kept outside the store so that it
// survives restoring a backup taken before the purge (docs/keys.md "The purge register"). It
// sits beside the key file (DATA_DIR/keys/purge-register by default), which is kept out of
// backups for the same reason: a backup must not be able to bring shredded data back. One JSON
// line per purge, appended and fsync'd after the purge commits; only opaque ids and times:
//
//   {"v":1,"purge":"01J…","at":"2036-05-01T02:00:00Z","actor":"system",
//    "declarations":[{"closedAt":"2026-04-30T09:12:00Z","id":"01H…"},…],
//    "securityEvents":["01H…",…]}
//
//   app::PurgeRegister purges(app::PurgeRegisterPathFor(key_file));
//   CW_RETURN_IF_ERROR(purges.Append(purge));
//   CW_ASSIGN_OR_RETURN(std::vector<store::PurgeRow> known, purges.Read());
//
// Thread safety: safe for concurrent use within one process.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace clearway::app {

// PurgeRegisterPathFor() is "<directory of the key file>/purge-register".
std::string PurgeRegisterPathFor(const std::string& key_file_path);

class PurgeRegister {
 public:
  explicit PurgeRegister(std::string path) : path_(std::move(path)) {}

  // Append() adds one purge (creating the file 0600) and syncs it to disk. kUnavailable
  // "purge-register-io" when the file cannot be written.
  Status Append(const store::PurgeRow& purge);

  // Read() returns every purge in the register, in file order (empty when there is no file).
  // kDataLoss "purge-register-corrupt" (naming the line) for a line it did not write.
  Result<std::vector<store::PurgeRow>> Read() const;

  // Sync() appends the store's purges that the register lacks (a crash between a purge's
  // commit and its Append(), or a register restored from an older copy) and returns how many.
  Result<int> Sync(store::Store& store);

  const std::string& path() const { return path_; }

 private:
  Status AppendLocked(const store::PurgeRow& purge);

  const std::string path_;
  mutable std::mutex mu_;  // serialises appends and reads
};

}  // namespace clearway::app
