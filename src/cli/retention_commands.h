// File: cli/retention_commands.h
//
// `clearway retention …`: retention and legal holds (docs/keys.md "Retention and
// crypto-shredding"), run on the server host against the data directory and its key file,
// like `clearway keys`. The same operations are API routes for administrators (api/
// retention_routes.h); the server also runs `retention run` on its schedule.
//
//   clearway retention plan [--at TIME] [--json]   what a run would purge now (or at TIME), when
//                                                  each record closed and fell due, held-by
//   clearway retention run --by USER               crypto-shred what is due (one ledger entry
//                                                  per purge), append to the purge register
//   clearway retention hold add (--declaration ID | --organisation ID) --case REF
//                               --reason TEXT --by USER
//   clearway retention hold release HOLD --reason TEXT --by USER
//   clearway retention hold list [--all] [--json]
//
// Common flags: --data-dir (env CLEARWAY_DATA_DIR), --store (env CLEARWAY_STORE), --config FILE
// (its [retention] table; defaults otherwise), --key-file (env CLEARWAY_KEY_FILE).
// The user named by --by is recorded as who placed, released or ran; it acts as administrator
// (whoever runs this command can read the key file already).
//
// Exit codes: 0 done; 1 refused (a hold blocks, a hold is already released, bad input);
// 2 could not run (no store, no key file, bad flags).
#pragma once

#include <CLI/CLI.hpp>

namespace clearway::cli {

// AddRetentionCommands() registers `retention` and its subcommands.
void AddRetentionCommands(CLI::App& app);

}  // namespace clearway::cli
