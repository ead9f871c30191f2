// File: cli/key_options.h
//
// The key-provider flags the commands that open keys share (keys, backup, restore, retention):
// --config FILE (its [keys] and [store] tables), --key-file, and the PKCS#11 token's --token,
// --pkcs11-module, --key-id, --pin-env, --pin-file. Flags beat the environment, which beats
// the file (docs/configuration.md); the provider itself is built by app::OpenKeyProvider().
//
//   auto flags = std::make_shared<KeyFlags>();
//   AddKeyFlags(*cmd, *flags);
//   CW_ASSIGN_OR_RETURN(KeySetup setup, KeySetupOf(*flags, data_dir_flag, store_flag));
//   CW_ASSIGN_OR_RETURN(auto provider, app::OpenKeyProvider(setup.store, setup.keys, clock));
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "app/config.h"
#include "common/result.h"

namespace clearway::cli {

struct KeyFlags {
  std::string config_path;
  std::string key_file;
  std::string token;
  std::string module;
  std::string key_id;
  std::string pin_env;
  std::string pin_file;
};

// AddKeyFlags() adds --config (unless the command has one already: `with_config` false) and
// the key flags to `cmd`.
void AddKeyFlags(CLI::App& cmd, KeyFlags& flags, bool with_config = true);

// KeySetup is the store and the keys a command works with.
struct KeySetup {
  app::Config config;  // the --config file's (defaults without one)
  app::StoreConfig store;
  app::KeysConfig keys;
};

// KeySetupOf() reads --config (LoadConfigFile() errors) and lays the environment and the flags
// over its [store] and [keys]: data_dir = `data_dir` flag, else CLEARWAY_DATA_DIR, else the
// file's; url likewise with CLEARWAY_STORE. --token selects the token, --key-file the key file.
// Only the file's [keys] is validated (LoadConfigFile()); flags are the command's to check.
Result<KeySetup> KeySetupOf(const KeyFlags& flags, const std::string& data_dir,
                            const std::string& store_url);

}  // namespace clearway::cli
