#include "cli/key_options.h"

#include "cli/output.h"
#include "keys/pkcs11_key_provider.h"

namespace clearway::cli {

void AddKeyFlags(CLI::App& cmd, KeyFlags& flags, bool with_config) {
  if (with_config) {
    cmd.add_option("--config", flags.config_path,
                   "Configuration file: its [keys] and [store] tables (docs/configuration.md)");
  }
  cmd.add_option("--key-file", flags.key_file,
                 "The key file (env CLEARWAY_KEY_FILE; default DATA_DIR/keys/kek)");
  cmd.add_option("--key-id", flags.key_id,
                 "Key id for init, or of the key in the token (default clearway)");
  cmd.add_option("--token", flags.token,
                 "Use the PKCS#11 token with this label (env CLEARWAY_PKCS11_TOKEN)");
  cmd.add_option("--pkcs11-module", flags.module,
                 "PKCS#11 module (env CLEARWAY_PKCS11_MODULE; default " +
                     std::string(keys::kDefaultPkcs11Module) + ")");
  cmd.add_option("--pin-env", flags.pin_env,
                 "Environment variable holding the token PIN (default " +
                     std::string(keys::kDefaultPinEnv) + ")");
  cmd.add_option("--pin-file", flags.pin_file, "File holding the token PIN (0600)");
}

Result<KeySetup> KeySetupOf(const KeyFlags& flags, const std::string& data_dir,
                            const std::string& store_url) {
  KeySetup setup;
  if (!flags.config_path.empty()) {
    CW_ASSIGN_OR_RETURN(setup.config, app::LoadConfigFile(flags.config_path));
  }
  setup.store = setup.config.store;
  setup.store.data_dir = FromEnv(data_dir, "CLEARWAY_DATA_DIR", setup.store.data_dir);
  setup.store.url = FromEnv(store_url, "CLEARWAY_STORE", setup.store.url);
  setup.keys = setup.config.keys;
  app::KeysConfig& keys = setup.keys;
  if (!flags.token.empty()) {
    keys.provider = "pkcs11";
    keys.token = flags.token;
    keys.key_file.clear();
  }
  if (!flags.key_file.empty()) {
    keys = app::KeysConfig{};
    keys.provider = "file";
    keys.key_file = flags.key_file;
  }
  for (auto [flag, field] : {std::pair{&flags.module, &app::KeysConfig::pkcs11_module},
                             std::pair{&flags.key_id, &app::KeysConfig::key_id},
                             std::pair{&flags.pin_env, &app::KeysConfig::pin_env},
                             std::pair{&flags.pin_file, &app::KeysConfig::pin_file}}) {
    if (!flag->empty()) keys.*field = *flag;
  }
  return setup;
}

}  // namespace clearway::cli
