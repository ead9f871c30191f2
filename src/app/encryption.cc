#include "app/encryption.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <utility>

#include "app/store_factory.h"
#include "keys/file_key_provider.h"

namespace clearway::app {

namespace {
constexpr std::string_view kKeyId = "clearway";

// EnvOr() is `value` when set, else the environment variable `env` when set, else `fallback`
// (what the CLI's flags do, cli/output.h FromEnv()).
std::string EnvOr(const std::string& value, const char* env, std::string_view fallback) {
  if (!value.empty()) return value;
  if (const char* set = std::getenv(env); set != nullptr && *set != '\0') return set;
  return std::string(fallback);
}
}  // namespace

std::string KeyFilePath(const StoreConfig& config, const KeysConfig& keys) {
  if (!keys.key_file.empty()) return keys.key_file;
  if (const char* path = std::getenv("CLEARWAY_KEY_FILE"); path != nullptr && *path != '\0') {
    return path;
  }
  return config.data_dir + "/keys/kek";
}

bool UsesToken(const KeysConfig& keys) {
  if (!keys.provider.empty()) return keys.provider == "pkcs11";
  return !EnvOr(keys.token, "CLEARWAY_PKCS11_TOKEN", "").empty();
}

keys::Pkcs11Options TokenOptions(const KeysConfig& keys) {
  keys::Pkcs11Options options;
  options.module_path = EnvOr(keys.pkcs11_module, "CLEARWAY_PKCS11_MODULE",
                              keys::kDefaultPkcs11Module);
  options.token_label = EnvOr(keys.token, "CLEARWAY_PKCS11_TOKEN", "");
  if (!keys.key_id.empty()) options.key_id = keys.key_id;
  if (!keys.pin_env.empty()) options.pin_env = keys.pin_env;
  options.pin_file = keys.pin_file;
  return options;
}

Result<std::unique_ptr<keys::KeyProvider>> OpenKeyProvider(const StoreConfig& config,
                                                           const KeysConfig& keys,
                                                           const Clock& clock) {
  if (UsesToken(keys)) {
    CW_ASSIGN_OR_RETURN(auto provider, keys::Pkcs11KeyProvider::Open(TokenOptions(keys), clock));
    return std::unique_ptr<keys::KeyProvider>(std::move(provider));
  }
  CW_ASSIGN_OR_RETURN(auto provider,
                      keys::FileKeyProvider::Open(KeyFilePath(config, keys), clock));
  return std::unique_ptr<keys::KeyProvider>(std::move(provider));
}

Result<std::unique_ptr<keys::KeyProvider>> OpenOrCreateKeyProvider(const StoreConfig& config,
                                                                   const KeysConfig& keys,
                                                                   const Clock& clock,
                                                                   store::Store& backend) {
  if (UsesToken(keys)) return OpenTokenForStart(config, keys, clock);
  auto opened = OpenKeyProvider(config, keys, clock);
  if (opened.ok() || opened.error().reason != "key-file-missing") return opened;
  const std::string path = KeyFilePath(config, keys);
  CW_ASSIGN_OR_RETURN(std::vector<store::KekUsage> usage, backend.CountDataKeysByKek());
  if (!usage.empty()) {
    return Error::FailedPrecondition(
        "key-file-lost", "the store holds data keys but there is no key file at " + path +
                             "; restore it from its backup");
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Error::Unavailable("key-file-io", "cannot create " + dir.string() + ": " +
                                                   ec.message());
    }
    ::chmod(dir.c_str(), 0700);
  }
  CW_ASSIGN_OR_RETURN(auto created, keys::FileKeyProvider::Create(path, kKeyId, clock));
  return std::unique_ptr<keys::KeyProvider>(std::move(created));
}

Result<std::unique_ptr<keys::KeyProvider>> OpenTokenForStart(const StoreConfig& config,
                                                             const KeysConfig& keys,
                                                             const Clock& clock) {
  auto opened = OpenKeyProvider(config, keys, clock);
  if (opened.ok() || opened.error().reason != "no-kek") return opened;
  if (!IsPostgresStore(config) && !std::filesystem::exists(SqlitePathOf(config))) {
    return opened;
  }
  const keys::Pkcs11Options options = TokenOptions(keys);
  CW_ASSIGN_OR_RETURN(OpenedStore existing,
                      OpenStore(config, StoreOpenOptions{"clearway-keys", false}));
  CW_ASSIGN_OR_RETURN(std::vector<store::KekUsage> usage, existing.store->CountDataKeysByKek());
  if (!usage.empty()) {
    return Error::FailedPrecondition(
        "token-kek-lost", "the store holds data keys wrapped under " + usage.front().kek_id +
                              " but token \"" + options.token_label +
                              "\" holds no key " + options.key_id +
                              ": nothing could be read; use the token (or its backup) that "
                              "holds it");
  }
  return opened;
}

KeyRewrapper::KeyRewrapper(store::EncryptingStore& store, std::chrono::milliseconds interval)
    : store_(store),
      interval_(interval),
      last_(Error::Unavailable("rewrap-not-run", "the re-wrapper has not run yet")) {
  thread_ = std::thread([this] { Loop(); });
}

KeyRewrapper::~KeyRewrapper() {
  {
    std::scoped_lock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void KeyRewrapper::RunNow() {
  {
    std::scoped_lock lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

Result<store::RewrapReport> KeyRewrapper::LastRun() {
  std::scoped_lock lock(mu_);
  return last_;
}

void KeyRewrapper::Loop() {
  while (true) {
    Result<store::RewrapReport> run = store_.RewrapDataKeys(store::RewrapOptions{});
    std::unique_lock lock(mu_);
    last_ = std::move(run);
    cv_.wait_for(lock, interval_, [this] { return stop_ || wake_; });
    if (stop_) return;
    wake_ = false;
  }
}

}  // namespace clearway::app
