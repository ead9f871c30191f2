// File: app/config.h
//
// Configuration: one TOML file, overridden by environment variables, overridden by flags.
// `clearway demo` needs none (MakeDemoConfig builds one in memory).
//
//   CW_ASSIGN_OR_RETURN(app::Config config, app::LoadConfigFile("clearway.toml"));
//   app::ApplyEnvironment(config);        // CLEARWAY_PORT, CLEARWAY_BIND, CLEARWAY_DATA_DIR
//   CW_RETURN_IF_ERROR(app::ValidateConfig(config));
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/retention_config.h"
#include "app/risk_config.h"
#include "common/result.h"
#include "identity/identity.h"

namespace clearway::app {

struct ServerConfig {
  std::string bind_address = "127.0.0.1";
  int port = 8443;
  std::string tls_certificate;    // PEM file; generated (self-signed) in demo mode if missing
  std::string tls_private_key;    // PEM file
  int io_threads = 2;
  int worker_threads = 32;
  size_t max_body_bytes = 1024 * 1024;
};

struct StoreConfig {
  std::string data_dir = "var";   // embedded SQLite store: DATA_DIR/clearway.db
  // "sqlite:PATH" (default derived from data_dir) or "postgres://USER@HOST:PORT/DB" (also
  // postgresql://; a password is better kept in PGPASSFILE than here): docs/store-postgres.md.
  std::string url;
  // With a postgres:// url: a hot standby that listings may read from ("" for none).
  std::string read_replica;
};

// KeysConfig is the [keys] table: where the key-encryption keys live (docs/keys.md). Every
// field left empty falls back as the `clearway keys` flags do (app/encryption.h,
// OpenKeyProvider()): key_file to $CLEARWAY_KEY_FILE, then DATA_DIR/keys/kek; token to
// $CLEARWAY_PKCS11_TOKEN; pkcs11_module to $CLEARWAY_PKCS11_MODULE, then Debian's SoftHSM2
// module; pin_env to CLEARWAY_PKCS11_PIN. An empty provider means "pkcs11" when a token label
// is known (here or in the environment), else "file".
struct KeysConfig {
  std::string provider;       // "", "file" or "pkcs11"
  std::string key_file;       // provider "file"
  std::string pkcs11_module;  // provider "pkcs11": the module, the token's label, the key id
  std::string token;
  std::string key_id;         // "" = "clearway"
  std::string pin_env;        // the variable holding the PIN…
  std::string pin_file;       // …or a file holding it (0600); not both

  // KeyFile() names the key file at `path`.
  static KeysConfig KeyFile(std::string path) {
    KeysConfig keys;
    keys.provider = "file";
    keys.key_file = std::move(path);
    return keys;
  }
};

struct Config {
  ServerConfig server;
  StoreConfig store;
  KeysConfig keys;  // [keys]
  std::vector<identity::UserRecord> users;   // [[users]]: the principals the server accepts
  bool demo = false;
  RiskConfig risk;   // [risk] (app/risk_config.h), read by ParseRiskConfig()
  RetentionConfig retention;  // [retention] (app/retention_config.h), ParseRetentionConfig()
};

// LoadConfigFile() reads a TOML file. Errors: kNotFound "config-not-found",
// kInvalidArgument "bad-config" with the field path (e.g. "users[1].role") and the reason.
Result<Config> LoadConfigFile(const std::string& path);

// ParseConfig() parses TOML text (what LoadConfigFile reads).
Result<Config> ParseConfig(std::string_view toml_text);

// ApplyEnvironment() applies CLEARWAY_BIND, CLEARWAY_PORT, CLEARWAY_DATA_DIR, CLEARWAY_STORE,
// CLEARWAY_READ_REPLICA.
Status ApplyEnvironment(Config& config);

// ValidateConfig() checks a config is runnable. Outside demo mode the server refuses to start
// without TLS files (kFailedPrecondition "no-tls"). (A directory without users is refused by
// Runtime::Open(), "no-principals".)
Status ValidateConfig(const Config& config);

// ValidateStoreConfig() accepts an empty url, "sqlite:PATH" and "postgres(ql)://…", and a
// read_replica only beside a postgres:// url. kInvalidArgument "bad-config" (field "store.url"
// or "store.read_replica") otherwise.
Status ValidateStoreConfig(const StoreConfig& store);

// ValidateKeysConfig() checks the [keys] table: provider "", "file" or "pkcs11"; the token's
// fields only with "pkcs11" and key_file only with "file"; pin_env and pin_file not both; a
// key id ValidateKeyId() accepts. kInvalidArgument "bad-config" naming the field ("keys.token",
// …) otherwise.
Status ValidateKeysConfig(const KeysConfig& keys);

// IsPostgresStore() is true when the store url is postgres:// or postgresql://.
bool IsPostgresStore(const StoreConfig& store);

// SqlitePathOf() gives the database file of the embedded store.
std::string SqlitePathOf(const StoreConfig& store);

}  // namespace clearway::app
