// File: cli/user_commands.h
//
// Offline administration of the identity directory, on DATA_DIR/identity.db (--data-dir,
// default var) or, with `--store postgres://…` (or CLEARWAY_STORE), on the identity tables of
// the PostgreSQL database that the nodes share: organisations, delegations and users. It works
// on the database directly, so it needs no running server and no sign-in; run it on the server
// host (SQLite) or where the database's credentials are (PostgreSQL).
//
//   clearway org add ID --name NAME --kind trader|broker|customs|partner [--require-mfa]
//   clearway org list [--json]
//   clearway delegation add --trader ID --broker ID [--from DATE] [--to DATE]
//   clearway user add USERNAME --org ID --role ROLE [--office X ...] [--service-account]
//   clearway user list [--org ID] [--json]
//   clearway user disable USERNAME          (also revokes the user's sessions and API tokens)
//   clearway user enable USERNAME
//   clearway user set-role USERNAME --role ROLE [--office X ...]   (revokes its tokens)
//   clearway user set-password USERNAME     (password as for `user add`; revokes its tokens)
//
// Every change to a user is a security event (user-created, user-disabled, user-enabled,
// role-changed, password-changed) with actor "local:<OS user>", written to the security event
// log of the store with its ledger leaf: the PostgreSQL store of --store, or
// DATA_DIR/clearway.db when that store exists.
//
// `user add` reads the password from CLEARWAY_PASSWORD or, when that is unset, one line of
// standard input, never from a flag (flags end up in shell history and `ps`); it must pass the
// password policy (identity/password_policy.h). Service accounts get no password. Listings never
// show password hashes, TOTP secrets or recovery codes.
//
// Exit codes: 0 done; 1 the command ran and was refused (e.g. the user exists); 2 it could not
// run (bad flags or input, unknown organisation, no identity database). The code travels
// through CLI11 (a CLI::RuntimeError that CLI11_PARSE returns), so main needs only
// AddUserCommands(app).
#pragma once

#include <CLI/CLI.hpp>

namespace clearway::cli {

// AddUserCommands() registers `org`, `delegation` and `user` and their subcommands.
void AddUserCommands(CLI::App& app);

}  // namespace clearway::cli
