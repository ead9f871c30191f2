// File: cli/keys_commands.h
//
// `clearway keys …`: the key-encryption keys (KEKs) that wrap each declaration's data key
// (docs/keys.md). Offline administration, run on the server host against the key file, or
// against a PKCS#11 token (an HSM) when --token is given.
//
//   clearway keys init   [--key-file var/keys/kek] [--key-id clearway]
//                                     make the key file (0600) with version 1 and the
//                                     blind-index key; never overwrites one
//   clearway keys rotate              make a new version current; the server re-wraps the
//                                     stored data keys to it online
//   clearway keys list [--json]       every version, when made and retired, which is current
//   clearway keys retire VERSION      destroy an old version's key material (after re-wrapping)
//
// PKCS#11: --token LABEL [--pkcs11-module PATH] [--key-id ID] [--pin-file FILE]; the PIN is
// read from CLEARWAY_PKCS11_PIN (or the variable --pin-env names) or from a 0600 PIN file,
// never from the command line. Environment fallbacks: CLEARWAY_KEY_FILE,
// CLEARWAY_PKCS11_MODULE, CLEARWAY_PKCS11_TOKEN.
//
// Exit codes: 0 done; 1 the command ran and was refused (a key file exists, the version is
// current or retired, the key file is open to others, a wrong PIN); 2 it could not run (bad
// flags, no key file, no token, no module). The code travels through CLI11 (a
// CLI::RuntimeError that CLI11_PARSE returns), so main needs only AddKeysCommands(app).
#pragma once

#include <CLI/CLI.hpp>

namespace clearway::cli {

// AddKeysCommands() registers `keys` and its subcommands.
void AddKeysCommands(CLI::App& app);

}  // namespace clearway::cli
