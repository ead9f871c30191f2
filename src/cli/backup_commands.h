// File: cli/backup_commands.h
//
// `clearway backup` and `clearway restore` (app/backup.h, docs/keys.md "Backups"):
//
//   clearway backup --to FILE [--data-dir D] [--key-file K]
//       a consistent, encrypted snapshot of the SQLite data directory (online: the server
//       may keep running); useless without the key file, which is not in it
//   clearway restore --from FILE --to NEWDIR [--key-file K] [--register R]
//       into an empty directory; re-applies and lists the purges of the purge register
//       (default: beside the key file) that the backup predates
//
// Exit codes: 0 done; 1 refused (target not empty, wrong key file, altered backup, a
// PostgreSQL store); 2 could not run (missing files, bad flags).
#pragma once

#include <CLI/CLI.hpp>

namespace clearway::cli {

// AddBackupCommands() registers `backup` and `restore`.
void AddBackupCommands(CLI::App& app);

}  // namespace clearway::cli
