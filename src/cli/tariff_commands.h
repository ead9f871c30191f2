// File: cli/tariff_commands.h
//
// The tariff on the command line, offline against DATA_DIR/tariff.db (--data-dir, default
// var), or against the tariff shared by every node of a PostgreSQL store (--store postgres://…
// or CLEARWAY_STORE): the nomenclature, the measures, their daily updates and duty quotes.
//
//   clearway tariff import-hs FILE               load the HS nomenclature CSV (../shared/data/hs)
//   clearway tariff import FILE                  apply an update file (JSON, docs/tariff.md) or
//                                                the UK Global Tariff CSV; idempotent
//   clearway tariff search TEXT [--json] [--limit N]
//                                                full-text search, best first: code, description,
//                                                score ([{code, description, score}] with --json)
//   clearway measures show CODE --origin XX [--date D] [--as-of T] [--json]
//                                                every measure that applies, with legal base and
//                                                conditions
//   clearway measures changes --since D [--json] what updates recorded since the date (UTC)
//   clearway duty quote FILE [--date D] [--as-of T]
//                                                quote a declaration JSON: per item, every
//                                                measure applied and its arithmetic (JSON)
//
// Exit codes: 0 done; 1 the command ran and was refused (e.g. an update that conflicts); 2 it
// could not run (bad flags, unreadable input). The code travels through CLI11 (a
// CLI::RuntimeError that CLI11_PARSE returns), so main needs only AddTariffCommands(app).
#pragma once

#include <CLI/CLI.hpp>

namespace clearway::cli {

// AddTariffCommands() registers `tariff`, `measures` and `duty` and their subcommands.
void AddTariffCommands(CLI::App& app);

}  // namespace clearway::cli
