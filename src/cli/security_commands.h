// File: cli/security_commands.h
//
// The security event log from the command line, through a running server (the same
// connection flags as `clearway declare`, cli/client_commands.h); auditors and administrators
// only, as on the API.
//
//   clearway security events --as auditor [--type login-failed] [--actor USER]
//                            [--outcome denied] [--from TS] [--to TS] [--limit N] [--cursor C]
//
// prints the page of GET /v1/security/events as JSON (newest first, each event with the ledger
// record id of its leaf). Exit codes: 0 done; 1 refused (the problem goes to stderr).
#pragma once

#include <CLI/CLI.hpp>

namespace clearway::cli {

// AddSecurityCommands() registers `security events`; the exit code travels through CLI11.
void AddSecurityCommands(CLI::App& app);

}  // namespace clearway::cli
