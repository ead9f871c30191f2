#include "app/config.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <utility>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "keys/key_provider.h"

namespace clearway::app {

namespace {

Error BadConfig(std::string field, std::string message) {
  return Error::InvalidArgument(std::move(field), "bad-config", std::move(message));
}

Result<std::vector<std::string>> StringList(const toml::node_view<const toml::node>& node,
                                            const std::string& path) {
  std::vector<std::string> out;
  if (!node) return out;
  const auto* array = node.as_array();
  if (array == nullptr) return BadConfig(path, "must be an array of strings");
  for (const auto& item : *array) {
    auto value = item.value<std::string>();
    if (!value) return BadConfig(path, "must be an array of strings");
    out.push_back(*value);
  }
  return out;
}

Result<Config> FromTable(const toml::table& root) {
  Config config;
  if (const auto* server = root["server"].as_table()) {
    const auto& s = *server;
    config.server.bind_address = s["bind"].value_or(config.server.bind_address);
    config.server.port = static_cast<int>(s["port"].value_or(int64_t{config.server.port}));
    config.server.tls_certificate = s["tls_certificate"].value_or(std::string());
    config.server.tls_private_key = s["tls_private_key"].value_or(std::string());
    config.server.io_threads =
        static_cast<int>(s["io_threads"].value_or(int64_t{config.server.io_threads}));
    config.server.worker_threads =
        static_cast<int>(s["worker_threads"].value_or(int64_t{config.server.worker_threads}));
    config.server.max_body_bytes = static_cast<size_t>(
        s["max_body_bytes"].value_or(static_cast<int64_t>(config.server.max_body_bytes)));
  }
  if (const auto* store = root["store"].as_table()) {
    config.store.data_dir = (*store)["data_dir"].value_or(config.store.data_dir);
    config.store.url = (*store)["url"].value_or(std::string());
    config.store.read_replica = (*store)["read_replica"].value_or(std::string());
  }
  if (const auto* keys = root["keys"].as_table()) {
    static constexpr std::pair<std::string_view, std::string KeysConfig::*> kFields[] = {
        {"provider", &KeysConfig::provider},      {"key_file", &KeysConfig::key_file},
        {"pkcs11_module", &KeysConfig::pkcs11_module}, {"token", &KeysConfig::token},
        {"key_id", &KeysConfig::key_id},          {"pin_env", &KeysConfig::pin_env},
        {"pin_file", &KeysConfig::pin_file}};
    for (const auto& [name, value] : *keys) {
      const std::string path = "keys." + std::string(name.str());
      auto field = std::find_if(std::begin(kFields), std::end(kFields),
                                [&](const auto& known) { return known.first == name.str(); });
      if (field == std::end(kFields)) return BadConfig(path, "is not a [keys] setting");
      auto text = value.value<std::string>();
      if (!text) return BadConfig(path, "must be a string");
      config.keys.*(field->second) = *text;
    }
    CW_RETURN_IF_ERROR(ValidateKeysConfig(config.keys));
  }
  if (const auto* users = root["users"].as_array()) {
    size_t index = 0;
    for (const auto& node : *users) {
      std::string path = "users[" + std::to_string(index++) + "]";
      const auto* t = node.as_table();
      if (t == nullptr) return BadConfig(path, "each [[users]] entry must be a table");
      identity::UserRecord user;
      user.principal.user_id = (*t)["username"].value_or(std::string());
      user.password_hash = (*t)["password_hash"].value_or(std::string());
      user.principal.organisation_id = (*t)["organisation"].value_or(std::string());
      user.disabled = (*t)["disabled"].value_or(false);
      if (user.principal.user_id.empty()) return BadConfig(path + ".username", "is required");
      if (user.password_hash.rfind("$argon2id$", 0) != 0) {
        return BadConfig(path + ".password_hash",
                         "must be an Argon2id hash (make one with `clearway hash-password`)");
      }
      auto role = identity::ParseRole((*t)["role"].value_or(std::string()));
      if (!role.ok()) return BadConfig(path + ".role", role.error().message);
      user.principal.role = *role;
      CW_ASSIGN_OR_RETURN(user.principal.offices,
                          StringList((*t)["offices"], path + ".offices"));
      CW_ASSIGN_OR_RETURN(user.principal.represented,
                          StringList((*t)["represented"], path + ".represented"));
      config.users.push_back(std::move(user));
    }
  }
  return config;
}

}  // namespace

Result<Config> ParseConfig(std::string_view toml_text) {
  try {
    toml::table root = toml::parse(toml_text);
    return FromTable(root);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    return BadConfig("", std::string(e.description()) + " at " + where.str());
  }
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::NotFound("config-not-found", "cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str());
}

Status ApplyEnvironment(Config& config) {
  if (const char* bind = std::getenv("CLEARWAY_BIND")) config.server.bind_address = bind;
  if (const char* port = std::getenv("CLEARWAY_PORT")) {
    char* end = nullptr;
    long value = std::strtol(port, &end, 10);
    if (end == port || *end != '\0' || value < 0 || value > 65535) {
      return BadConfig("CLEARWAY_PORT", "must be a port number 0..65535");
    }
    config.server.port = static_cast<int>(value);
  }
  if (const char* dir = std::getenv("CLEARWAY_DATA_DIR")) config.store.data_dir = dir;
  if (const char* url = std::getenv("CLEARWAY_STORE")) config.store.url = url;
  if (const char* replica = std::getenv("CLEARWAY_READ_REPLICA")) config.store.read_replica = replica;
  return OkStatus();
}

Status ValidateConfig(const Config& config) {
  if (config.server.port < 0 || config.server.port > 65535) {
    return BadConfig("server.port", "must be 0..65535");
  }
  if (config.server.io_threads < 1 || config.server.worker_threads < 1) {
    return BadConfig("server", "io_threads and worker_threads must be at least 1");
  }
  CW_RETURN_IF_ERROR(ValidateStoreConfig(config.store));
  CW_RETURN_IF_ERROR(ValidateKeysConfig(config.keys));
  if (config.demo) return OkStatus();
  if (config.server.tls_certificate.empty() || config.server.tls_private_key.empty()) {
    return Error::FailedPrecondition("no-tls",
                                     "server.tls_certificate and server.tls_private_key are "
                                     "required outside demo mode");
  }
  return OkStatus();
}

Status ValidateKeysConfig(const KeysConfig& keys) {
  if (!keys.provider.empty() && keys.provider != "file" && keys.provider != "pkcs11") {
    return BadConfig("keys.provider", "must be \"file\" or \"pkcs11\"");
  }
  if (keys.provider == "file") {
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string*>{"keys.token", &keys.token},
          {"keys.pkcs11_module", &keys.pkcs11_module},
          {"keys.pin_env", &keys.pin_env},
          {"keys.pin_file", &keys.pin_file}}) {
      if (!value->empty()) return BadConfig(name, "goes with provider = \"pkcs11\" only");
    }
    if (!keys.key_id.empty()) {
      return BadConfig("keys.key_id",
                       "a key file names its own key id: key_id goes with provider = "
                       "\"pkcs11\" only");
    }
  }
  if (keys.provider == "pkcs11") {
    if (!keys.key_file.empty()) {
      return BadConfig("keys.key_file", "goes with provider = \"file\" only");
    }
    if (keys.token.empty() && std::getenv("CLEARWAY_PKCS11_TOKEN") == nullptr) {
      return BadConfig("keys.token",
                       "is required with provider = \"pkcs11\" (the token's label; or "
                       "CLEARWAY_PKCS11_TOKEN)");
    }
  }
  if (!keys.pin_env.empty() && !keys.pin_file.empty()) {
    return BadConfig("keys.pin_file", "give pin_env or pin_file, not both");
  }
  if (!keys.key_id.empty()) {
    if (Status id = keys::ValidateKeyId(keys.key_id); !id.ok()) {
      return BadConfig("keys.key_id", id.error().message);
    }
  }
  return OkStatus();
}

bool IsPostgresStore(const StoreConfig& store) {
  return store.url.rfind("postgres://", 0) == 0 || store.url.rfind("postgresql://", 0) == 0;
}

Status ValidateStoreConfig(const StoreConfig& store) {
  if (!store.url.empty() && store.url.rfind("sqlite:", 0) != 0 && !IsPostgresStore(store)) {
    return BadConfig("store.url", "must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE");
  }
  if (store.url.rfind("sqlite:", 0) == 0 && store.url.size() == 7) {
    return BadConfig("store.url", "sqlite: needs a file path, e.g. sqlite:var/clearway.db");
  }
  if (!store.read_replica.empty()) {
    if (!IsPostgresStore(store)) {
      return BadConfig("store.read_replica", "a read replica needs a postgres:// store url");
    }
    if (store.read_replica.rfind("postgres://", 0) != 0 &&
        store.read_replica.rfind("postgresql://", 0) != 0) {
      return BadConfig("store.read_replica", "must be a postgres:// URL of a hot standby");
    }
  }
  return OkStatus();
}

std::string SqlitePathOf(const StoreConfig& store) {
  if (store.url.rfind("sqlite:", 0) == 0) return store.url.substr(7);
  return store.data_dir + "/clearway.db";
}

}  // namespace clearway::app
