// File: keys/pkcs11_key_provider.h
//
// Pkcs11KeyProvider keeps the key-encryption keys in a hardware security module (or any
// PKCS#11 token; SoftHSM2 in tests): each KEK version is a non-extractable, sensitive AES-256
// key generated inside the token and labelled "clearway-kek/<key id>/v<N>". Data keys are
// wrapped with CKM_AES_GCM by C_Encrypt inside the token (a random 96-bit IV stored with the
// wrapped key, the KekRef as associated data) and unwrapped by C_Decrypt; KEK material never
// leaves the token. The blind-index key is a non-extractable generic secret in the token
// ("clearway-blind-index/<key id>", CKM_SHA256_HMAC).
//
//   Pkcs11Options options;
//   options.token_label = "clearway";
//   options.pin_file = "/etc/clearway/hsm-pin";            // or the env var CLEARWAY_PKCS11_PIN
//   CW_ASSIGN_OR_RETURN(auto provider, Pkcs11KeyProvider::Open(options, clock));
//
// The PIN comes from an environment variable or a file only its owner can read, never from a
// command-line argument, and is never logged; it is wiped once the token has it.
//
// Beside each key the token holds a small data object of the same label (CKA_APPLICATION
// "clearway") recording when the version was made and retired. Retire destroys the key
// object. Two processes must not Rotate the same key at the same moment (the token has no
// lock to take); a server sees another process's rotation on Refresh(), or when it meets a
// version it does not know while unwrapping.
//
// Thread safety: all methods are thread-safe; each operation leases its own session.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/time.h"
#include "keys/key_provider.h"

namespace clearway::keys {

// Debian's SoftHSM2 module (package libsofthsm2).
inline constexpr std::string_view kDefaultPkcs11Module = "/usr/lib/softhsm/libsofthsm2.so";
inline constexpr std::string_view kDefaultPinEnv = "CLEARWAY_PKCS11_PIN";

struct Pkcs11Options {
  std::string module_path = std::string(kDefaultPkcs11Module);
  std::string token_label;
  std::string key_id = "clearway";
  std::string pin_env = std::string(kDefaultPinEnv);  // the PIN is this variable's value…
  std::string pin_file;  // …unless a PIN file (first line; 0600 or stricter) is named
};

class Pkcs11KeyProvider final : public KeyProvider {
 public:
  // Create() generates version 1 of KEK `options.key_id` and the blind-index key in the token.
  // kAlreadyExists "kek-exists" when the token holds that key id already; and Open()'s
  // errors other than "no-kek". `clock` must outlive the provider.
  static Result<std::unique_ptr<Pkcs11KeyProvider>> Create(const Pkcs11Options& options,
                                                           const Clock& clock);

  // Open() uses the KEK versions the token holds. Errors:
  //   kInvalidArgument "bad-key-id"; kInvalidArgument "pkcs11-pin-missing" (field "pin")
  //   kPermissionDenied "pin-file-permissions"   the PIN file is open to group or others
  //   kUnavailable "pkcs11-module-unavailable"   the module cannot be loaded or initialised
  //   kNotFound "pkcs11-token-not-found"         no initialised token has that label
  //   kUnauthenticated "pkcs11-login-failed"     the token refused the PIN
  //   kNotFound "no-kek"                         the token holds no version of this key id
  //   kDataLoss "blind-index-key-missing"        versions but no blind-index key
  //   kUnavailable "pkcs11-error"                any other failure of the token
  static Result<std::unique_ptr<Pkcs11KeyProvider>> Open(const Pkcs11Options& options,
                                                         const Clock& clock);

  ~Pkcs11KeyProvider() override;
  Pkcs11KeyProvider(const Pkcs11KeyProvider&) = delete;
  Pkcs11KeyProvider& operator=(const Pkcs11KeyProvider&) = delete;

  // Besides the KeyProvider errors, every method may fail with kUnavailable "pkcs11-error".
  Result<KekRef> Current() override;
  Result<WrappedKey> Wrap(const DataKey& key) override;
  Result<DataKey> Unwrap(const WrappedKey& wrapped) override;
  Result<KekRef> Rotate() override;
  Status Retire(const KekRef& kek) override;
  Result<std::vector<KekVersion>> Versions() override;
  Result<std::string> BlindIndex(std::string_view purpose, std::string_view value) override;

  // Refresh() re-reads the versions from the token (another process may have rotated).
  Status Refresh();

  // KekIsExportableForTesting() is true if the token would reveal the version's key value
  // (CKA_VALUE readable, or CKA_EXTRACTABLE set). It never should be.
  Result<bool> KekIsExportableForTesting(const KekRef& kek);

 private:
  struct Impl;
  explicit Pkcs11KeyProvider(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace clearway::keys
