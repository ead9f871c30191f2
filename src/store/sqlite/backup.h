// File: store/sqlite/backup.h
//
// A consistent copy of a live SQLite database file, made with SQLite's online backup API
// (sqlite3_backup_*): writers may go on while it runs, and the copy is the database as of one
// transaction. Used by `clearway backup` for clearway.db, identity.db and tariff.db.
//
//   CW_RETURN_IF_ERROR(store::sqlite::BackupDatabase("var/clearway.db", "/tmp/x/clearway.db"));
//
// Thread safety: a free function; each call opens its own connections.
#pragma once

#include <string>

#include "common/result.h"

namespace clearway::store::sqlite {

// BackupDatabase() copies the database at `source` into a new file `destination` (created
// 0600; it must not exist). Errors: kFailedPrecondition "store-open-failed" when either file
// cannot be opened, kAlreadyExists "backup-exists" for an existing destination, kUnavailable
// "backup-busy" when the source stays locked, kInternal for other SQLite failures.
Status BackupDatabase(const std::string& source, const std::string& destination);

}  // namespace clearway::store::sqlite
