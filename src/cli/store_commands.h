// File: cli/store_commands.h
//
// Commands that work on a store directly (no server): `clearway store migrate|stats|copy`, and
// `clearway hash-password` for writing [[users]] entries. A store is named by --store
// (sqlite:PATH or postgres://…) or by --data-dir (DATA_DIR/clearway.db); see
// docs/store-postgres.md for moving an installation to PostgreSQL.
#pragma once

#include <string>

namespace clearway::cli {

struct StoreFlags {
  std::string data_dir;
  std::string url;
};

struct StoreCopyFlags {
  std::string from;  // sqlite:PATH
  std::string to;    // postgres://…
};

int StoreMigrate(const StoreFlags& flags);
int StoreStats(const StoreFlags& flags);
// StoreCopy() copies every record of an SQLite store into an empty PostgreSQL one; exit 0 when
// the copy was kept, 1 otherwise (nothing written to the target then).
int StoreCopy(const StoreCopyFlags& flags);
int HashPassword();

}  // namespace clearway::cli
