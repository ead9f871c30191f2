// File: cli/risk_commands.h
//
// `clearway risk …`: train, evaluate and promote fraud models, try risk profiles on past
// declarations, assess one declaration, and report drift. Everything runs offline on files.
//
//   clearway risk train --data train.csv [--schema S.json] --out var/models [--eval-share 0.25
//                       | --eval-from 2021-01-01] [--feedback results.csv] [--rounds 400]
//   clearway risk eval --model var/models/<id> --data train.csv [--eval-from D] [--json]
//   clearway risk promote --model var/models/<id>
//   clearway risk drift --model var/models --data train.csv [--eval-from D]
//   clearway risk profiles test PROFILES.json --data train.csv
//   clearway risk profiles activate|retire PROFILES.json --id ID    (rewrites the file)
//   clearway risk assess --model var/models --history train.csv --declaration decl.json
//                        [--profiles P.json]
//
// On a running server, as a user (--as USER / --user / a saved token, --url; like
// `clearway declare`, cli/client_commands.h):
//   clearway risk profiles list|create FILE|test --id ID|activate --id ID|retire --id ID
//   clearway risk assessment ID [--version N]
//   clearway risk inspection ID --fraud yes|no [--duties 1200.00] [--on 2026-11-24]
//
// --model takes a model directory or a registry (then its CURRENT model). Exit codes: 0 done;
// 1 the command ran and refused (e.g. a tampered model); 2 it could not run (bad flags or
// input). The server commands exit 0, 1 (refused) or 3 (422). The commands report their exit code through CLI11 (a CLI::RuntimeError carrying the
// code, which CLI11_PARSE in main returns), so main needs only AddRiskCommands(app).
#pragma once

#include <CLI/CLI.hpp>

namespace clearway::cli {

// AddRiskCommands() registers `risk` and its subcommands on `app`.
void AddRiskCommands(CLI::App& app);

}  // namespace clearway::cli
