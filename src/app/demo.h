// File: app/demo.h
//
// `clearway demo`: a ready-to-try installation in a data directory. PrepareDemo() makes the
// directory, a self-signed TLS certificate (DATA_DIR/tls/, made on first start), and the demo
// users, whose passwords are random on first start and kept in DATA_DIR/demo-credentials.json
// (mode 0600) so later starts reuse them. SeedDemo() files demo declarations through the real
// service (validation, lifecycle, durable store) when the store is empty.
//
//   CW_ASSIGN_OR_RETURN(auto demo, app::PrepareDemo("var", 8443));
//   CW_ASSIGN_OR_RETURN(auto runtime, app::Runtime::Open(demo.config));
//   CW_RETURN_IF_ERROR(app::SeedDemo(*runtime));
#pragma once

#include <string>
#include <vector>

#include "app/config.h"
#include "app/ledger_config.h"
#include "app/runtime.h"

namespace clearway::app {

struct DemoUser {
  std::string username;
  std::string password;
  std::string role;
  std::string organisation;
  std::vector<std::string> offices;
  std::vector<std::string> represented;
  // Users whose role must use MFA get a TOTP secret (Base32), kept in the credentials file so
  // that a client can compute the current code: the demo's stand-in for an authenticator app.
  std::string totp_secret;
};

struct DemoSetup {
  Config config;
  std::vector<DemoUser> users;
  std::string credentials_path;
  std::string certificate_path;
  bool certificate_created = false;
  // The ledger trusts one partner witness whose key the demo keeps in DATA_DIR/witness/key, so
  // `clearway witness cosign` can play the partner administration.
  LedgerConfig ledger;
  std::string witness_key_path;
};

// PrepareDemo() is idempotent. Errors: kUnavailable if the directory or files cannot be written,
// kDataLoss "bad-credentials-file" if an existing credentials file is unreadable.
Result<DemoSetup> PrepareDemo(const std::string& data_dir, int port);

// SeedDemoIdentity() gives the demo users that must use MFA their TOTP factor (confirmed), once.
// Directory errors pass through.
Status SeedDemoIdentity(Runtime& runtime, const DemoSetup& setup);

// DemoCredentialsMatch() is false when the first demo user's stored password is not the one in
// this node's credentials file: another node seeded a shared (PostgreSQL) identity directory
// first, with its own random passwords, so this node's demo-credentials.json cannot sign in
// (copy the first node's file, as its ledger key). Checks one user: password hashing is slow on
// purpose. Directory errors pass through.
Result<bool> DemoCredentialsMatch(Runtime& runtime, const DemoSetup& setup);

// SeedDemo() files the demo declarations if the store holds none; returns how many it filed.
Result<int> SeedDemo(Runtime& runtime);

}  // namespace clearway::app
