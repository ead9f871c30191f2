// File: app/encryption.h
//
// The wiring of envelope encryption at rest (docs/keys.md, store/encrypting_store.h): where
// the key-encryption keys are found, how the store is wrapped, and the server's background
// re-wrapper that moves every data key to the current KEK version after a rotation.
//
//   CW_ASSIGN_OR_RETURN(auto provider, app::OpenOrCreateKeyProvider(config.store, clock, *backend));
//   auto store = std::make_unique<store::EncryptingStore>(std::move(backend), *provider,
//                                                         store::EncryptingStoreOptions{});
//   app::KeyRewrapper rewrapper(*store, std::chrono::seconds(30));   // a thread until destroyed
//
// Thread safety: the functions are thread-safe; KeyRewrapper runs its own thread and its
// methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/config.h"
#include "common/result.h"
#include "common/time.h"
#include "keys/key_provider.h"
#include "keys/pkcs11_key_provider.h"
#include "store/encrypting_store.h"

namespace clearway::app {

// KeyFilePath() is the key file of a store: keys.key_file, else $CLEARWAY_KEY_FILE, else
// DATA_DIR/keys/kek. (With a token it only places the purge register: DATA_DIR/keys/.)
std::string KeyFilePath(const StoreConfig& config, const KeysConfig& keys = {});

// UsesToken() is true when the keys live in a PKCS#11 token: provider "pkcs11", or no provider
// named and a token label given (keys.token, else $CLEARWAY_PKCS11_TOKEN).
bool UsesToken(const KeysConfig& keys);

// TokenOptions() are the PKCS#11 options of `keys` with the environment fallbacks
// (app/config.h, KeysConfig).
keys::Pkcs11Options TokenOptions(const KeysConfig& keys);

// OpenKeyProvider() opens the provider `keys` names: the token (keys/pkcs11_key_provider.h
// errors: "pkcs11-token-not-found", "pkcs11-login-failed", "no-kek", …) or the key file
// (keys/file_key_provider.h errors: kNotFound "key-file-missing", kPermissionDenied
// "key-file-permissions", kDataLoss "key-file-corrupt"). The server, `clearway keys`, backup,
// restore and retention all open their provider here. `clock` must outlive the provider.
Result<std::unique_ptr<keys::KeyProvider>> OpenKeyProvider(const StoreConfig& config,
                                                           const KeysConfig& keys,
                                                           const Clock& clock);

// OpenOrCreateKeyProvider() opens the key file, or creates it (0600, in a 0700 directory) when
// it is missing and `backend` holds no data key yet (a fresh store, the demo). A missing key
// file beside a store that has data keys is kFailedPrecondition "key-file-lost": a new key
// could read none of them, so the server refuses to start rather than make one. A token's KEK
// is never made here (`clearway keys init --token`): OpenTokenForStart().
Result<std::unique_ptr<keys::KeyProvider>> OpenOrCreateKeyProvider(const StoreConfig& config,
                                                                   const KeysConfig& keys,
                                                                   const Clock& clock,
                                                                   store::Store& backend);

// OpenTokenForStart() opens the token `keys` names before the server writes anything: a
// missing token, a refused PIN or a token without the KEK stop the start with the token's
// error, and a token without the KEK beside an existing store that holds data keys is
// kFailedPrecondition "token-kek-lost" (the equivalent of "key-file-lost"; nothing could be
// read). Only an existing store is opened, to count its data keys.
Result<std::unique_ptr<keys::KeyProvider>> OpenTokenForStart(const StoreConfig& config,
                                                             const KeysConfig& keys,
                                                             const Clock& clock);

// KeyRewrapper runs EncryptingStore::RewrapDataKeys() every `interval` on a thread of its own
// (the first run at once), so a `clearway keys rotate` beside a running server is followed by
// an online re-wrap. The outcome of the latest run is kept (LastRun()); a failed run is tried
// again at the next interval.
class KeyRewrapper {
 public:
  KeyRewrapper(store::EncryptingStore& store, std::chrono::milliseconds interval);
  ~KeyRewrapper();  // stops and joins the thread
  KeyRewrapper(const KeyRewrapper&) = delete;
  KeyRewrapper& operator=(const KeyRewrapper&) = delete;

  // RunNow() wakes the thread for a run now.
  void RunNow();

  // LastRun() is the latest run's report or error (kUnavailable "rewrap-not-run" before one).
  Result<store::RewrapReport> LastRun();

 private:
  void Loop();

  store::EncryptingStore& store_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;   // guarded by mu_
  bool wake_ = false;   // guarded by mu_
  Result<store::RewrapReport> last_;  // guarded by mu_
  std::thread thread_;  // started last
};

}  // namespace clearway::app
