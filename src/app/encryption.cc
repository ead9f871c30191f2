#include "app/encryption.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <utility>

#include "keys/file_key_provider.h"

namespace clearway::app {

namespace {
constexpr std::string_view kKeyId = "clearway";
}  // namespace

std::string KeyFilePath(const StoreConfig& config) {
  if (const char* path = std::getenv("CLEARWAY_KEY_FILE"); path != nullptr && *path != '\0') {
    return path;
  }
  return config.data_dir + "/keys/kek";
}

Result<std::unique_ptr<keys::KeyProvider>> OpenKeyProvider(const StoreConfig& config,
                                                           const Clock& clock) {
  CW_ASSIGN_OR_RETURN(auto provider, keys::FileKeyProvider::Open(KeyFilePath(config), clock));
  return std::unique_ptr<keys::KeyProvider>(std::move(provider));
}

Result<std::unique_ptr<keys::KeyProvider>> OpenOrCreateKeyProvider(const StoreConfig& config,
                                                                   const Clock& clock,
                                                                   store::Store& backend) {
  auto opened = OpenKeyProvider(config, clock);
  if (opened.ok() || opened.error().reason != "key-file-missing") return opened;
  CW_ASSIGN_OR_RETURN(std::vector<store::KekUsage> usage, backend.CountDataKeysByKek());
  if (!usage.empty()) {
    return Error::FailedPrecondition(
        "key-file-lost", "the store holds data keys but there is no key file at " +
                             KeyFilePath(config) + "; restore it from its backup");
  }
  const std::string path = KeyFilePath(config);
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
