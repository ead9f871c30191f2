#include "store/sqlite/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

namespace clearway::store::sqlite {

namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;

// Pages copied per step: small steps let writers in between.
constexpr int kPagesPerStep = 256;
constexpr int kBusyRetries = 200;

Result<DbPtr> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return Error::FailedPrecondition("store-open-failed",
                                     "cannot open " + path + ": " + sqlite3_errstr(rc));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

}  // namespace

Status BackupDatabase(const std::string& source, const std::string& destination) {
  // Create the destination 0600 first, so the copy is never readable by others.
  const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::AlreadyExists("backup-exists", "cannot create " + destination);
  }
  ::close(fd);
  CW_ASSIGN_OR_RETURN(DbPtr from, OpenDb(source, SQLITE_OPEN_READONLY));
  CW_ASSIGN_OR_RETURN(DbPtr to, OpenDb(destination, SQLITE_OPEN_READWRITE));
  sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
  if (backup == nullptr) {
    return Error::Internal("backup-failed", sqlite3_errmsg(to.get()));
  }
  int rc = SQLITE_OK;
  int busy = 0;
  do {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (++busy > kBusyRetries) break;
      sqlite3_sleep(25);
    }
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  const int finished = sqlite3_backup_finish(backup);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return Error::Unavailable("backup-busy", "the database stayed locked: " + source);
  }
  if (rc != SQLITE_DONE || finished != SQLITE_OK) {
    return Error::Internal("backup-failed", std::string("backing up ") + source + ": " +
                                                sqlite3_errstr(rc == SQLITE_DONE ? finished : rc));
  }
  return OkStatus();
}

}  // namespace clearway::store::sqlite
