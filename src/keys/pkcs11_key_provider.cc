#include "keys/pkcs11_key_provider.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include "crypto/crypto.h"
#include "keys/internal/pkcs11.h"
#include "keys/internal/secret_buffer.h"

namespace clearway::keys {

namespace {

using internal::FindObjects;
using internal::GetBytes;
using internal::Pkcs11Error;
using internal::SecretBuffer;
using internal::SessionPool;
using internal::Template;

// Wrapped-key format 2: 0x02 | 12-byte IV | 32-byte ciphertext | 16-byte GCM tag. The GCM
// associated data is 0x02 followed by the KekRef's encoding (KekAssociatedData).
constexpr uint8_t kWrapFormatAesGcm = 0x02;
constexpr size_t kGcmIvBytes = 12;
constexpr size_t kGcmTagBytes = 16;
constexpr size_t kWrappedBytes = 1 + kGcmIvBytes + DataKey::kBytes + kGcmTagBytes;
constexpr std::string_view kApplication = "clearway";
constexpr size_t kMaxPinBytes = 256;

std::string KekLabel(std::string_view key_id, uint32_t version) {
  return "clearway-kek/" + std::string(key_id) + "/v" + std::to_string(version);
}

std::string BlindIndexLabel(std::string_view key_id) {
  return "clearway-blind-index/" + std::string(key_id);
}

// VersionOfLabel() is N for "clearway-kek/<key_id>/vN", 0 for any other label.
uint32_t VersionOfLabel(std::string_view label, std::string_view key_id) {
  const std::string prefix = "clearway-kek/" + std::string(key_id) + "/v";
  if (label.substr(0, prefix.size()) != prefix) return 0;
  std::string_view digits = label.substr(prefix.size());
  uint32_t version = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
      digits[0] == '0') {
    return 0;
  }
  return version;
}

std::string_view Text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

unsigned char* Mutable(const uint8_t* bytes) {
  // PKCS#11 prototypes take non-const input buffers they never write.
  return const_cast<unsigned char*>(bytes);
}

struct VersionState {
  uint32_t version = 0;
  Timestamp created;
  std::optional<Timestamp> retired;
  ck_object_handle_t key = 0;               // 0: no key object (retired, or lost)
  std::vector<ck_object_handle_t> records;  // its data objects (two after an interrupted Retire)
};

struct Snapshot {
  std::vector<VersionState> versions;  // those with a record, ascending
  uint32_t highest = 0;                // the highest version of any object, records or keys
  ck_object_handle_t blind_index_key = 0;

  const VersionState* Find(uint32_t version) const {
    for (const VersionState& state : versions) {
      if (state.version == version) return &state;
    }
    return nullptr;
  }
  // The current version is the newest one not retired.
  const VersionState* Current() const {
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
      if (!it->retired.has_value()) return &*it;
    }
    return nullptr;
  }
};

Error Unreadable(const std::string& what) {
  return Error::DataLoss("kek-record-corrupt", "the token's record " + what + " is unreadable");
}

// "created=T" or "created=T retired=T"
Status ParseRecord(std::string_view text, const std::string& label, VersionState& state) {
  constexpr std::string_view kCreated = "created=";
  constexpr std::string_view kRetired = " retired=";
  if (text.substr(0, kCreated.size()) != kCreated) return Unreadable(label);
  text.remove_prefix(kCreated.size());
  size_t retired_at = text.find(kRetired);
  auto created = ParseTimestamp(text.substr(0, retired_at));
  if (!created.ok()) return Unreadable(label);
  state.created = *created;
  if (retired_at != std::string_view::npos) {
    auto retired = ParseTimestamp(text.substr(retired_at + kRetired.size()));
    if (!retired.ok()) return Unreadable(label);
    state.retired = *retired;
  }
  return OkStatus();
}

Result<std::string> Label(SessionPool& pool, ck_session_handle_t session, ck_object_handle_t o) {
  return GetBytes(pool.f(), session, o, CKA_LABEL);
}

// Scan() reads what the token holds for `key_id`.
Result<Snapshot> Scan(SessionPool& pool, ck_session_handle_t session, std::string_view key_id) {
  std::map<uint32_t, VersionState> by_version;
  Template records;
  records.Ulong(CKA_CLASS, CKO_DATA).Bytes(CKA_APPLICATION, kApplication);
  CW_ASSIGN_OR_RETURN(auto record_handles, FindObjects(pool.f(), session, records));
  Snapshot snapshot;
  for (ck_object_handle_t handle : record_handles) {
    CW_ASSIGN_OR_RETURN(std::string label, Label(pool, session, handle));
    uint32_t version = VersionOfLabel(label, key_id);
    if (version == 0) continue;
    // A named Result rather than CW_ASSIGN_OR_RETURN: GCC 12 at -O3 reports a false
    // -Wmaybe-uninitialized on the moved-out string here.
    Result<std::string> text = GetBytes(pool.f(), session, handle, CKA_VALUE);
    if (!text.ok()) return text.error();
    VersionState parsed;
    CW_RETURN_IF_ERROR(ParseRecord(*text, label, parsed));
    VersionState& state = by_version[version];
    if (state.records.empty()) {
      state.version = version;
      state.created = parsed.created;
    }
    if (parsed.retired.has_value()) state.retired = parsed.retired;  // retired wins
    state.records.push_back(handle);
    snapshot.highest = std::max(snapshot.highest, version);
  }
  Template keys;
  keys.Ulong(CKA_CLASS, CKO_SECRET_KEY).Ulong(CKA_KEY_TYPE, CKK_AES);
  CW_ASSIGN_OR_RETURN(auto key_handles, FindObjects(pool.f(), session, keys));
  for (ck_object_handle_t handle : key_handles) {
    CW_ASSIGN_OR_RETURN(std::string label, Label(pool, session, handle));
    uint32_t version = VersionOfLabel(label, key_id);
    if (version == 0) continue;
    snapshot.highest = std::max(snapshot.highest, version);
    // A key without a record is the remains of an interrupted Rotate: never used.
    if (auto it = by_version.find(version); it != by_version.end() && it->second.key == 0) {
      it->second.key = handle;
    }
  }
  Template blind;
  blind.Ulong(CKA_CLASS, CKO_SECRET_KEY).Bytes(CKA_LABEL, BlindIndexLabel(key_id));
  CW_ASSIGN_OR_RETURN(auto blind_handles, FindObjects(pool.f(), session, blind));
  if (!blind_handles.empty()) snapshot.blind_index_key = blind_handles.front();
  for (auto& [version, state] : by_version) snapshot.versions.push_back(std::move(state));
  return snapshot;
}

// ReadPin() takes the PIN from the PIN file, or else from the environment variable.
Result<SecretBuffer> ReadPin(const Pkcs11Options& options, size_t& length) {
  CW_ASSIGN_OR_RETURN(SecretBuffer pin, SecretBuffer::Allocate(kMaxPinBytes + 1));
  std::span<uint8_t> bytes = pin.mutable_bytes();
  length = 0;
  if (!options.pin_file.empty()) {
    int fd = ::open(options.pin_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      return Error::InvalidArgument("pin", "pkcs11-pin-missing",
                                    "cannot open the PIN file " + options.pin_file + ": " +
                                        std::strerror(errno));
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || (info.st_mode & 077) != 0) {
      ::close(fd);
      return Error::PermissionDenied("pin-file-permissions",
                                     options.pin_file +
                                         " must be a regular file only its owner can access "
                                         "(chmod 600)");
    }
    ssize_t got = ::read(fd, bytes.data(), bytes.size());
    ::close(fd);
    length = got > 0 ? static_cast<size_t>(got) : 0;
    if (length > kMaxPinBytes) length = 0;  // a PIN file is one short line
    auto end = std::find(bytes.begin(), bytes.begin() + static_cast<long>(length), '\n');
    length = static_cast<size_t>(end - bytes.begin());
    if (length > 0 && bytes[length - 1] == '\r') --length;
  } else if (const char* env = std::getenv(options.pin_env.c_str()); env != nullptr) {
    length = std::min(std::strlen(env), kMaxPinBytes);
    std::copy(env, env + length, bytes.begin());
  }
  if (length == 0) {
    return Error::InvalidArgument("pin", "pkcs11-pin-missing",
                                  "give the token's PIN in the environment variable " +
                                      options.pin_env + " or in a PIN file");
  }
  return pin;
}

}  // namespace

struct Pkcs11KeyProvider::Impl {
  std::string key_id;
  const Clock* clock = nullptr;
  std::unique_ptr<SessionPool> pool;
  std::mutex write_mu;  // serialises Rotate, Retire and Refresh within the process
  std::mutex snapshot_mu;
  std::shared_ptr<const Snapshot> snapshot;  // guarded by snapshot_mu

  std::shared_ptr<const Snapshot> Loaded() {
    std::scoped_lock lock(snapshot_mu);
    return snapshot;
  }
  void Install(Snapshot scanned) {
    auto fresh = std::make_shared<const Snapshot>(std::move(scanned));
    std::scoped_lock lock(snapshot_mu);
    snapshot = std::move(fresh);
  }
  KekRef Ref(uint32_t version) const { return KekRef{key_id, version}; }

  Status Rescan(ck_session_handle_t session) {
    CW_ASSIGN_OR_RETURN(Snapshot scanned, Scan(*pool, session, key_id));
    Install(std::move(scanned));
    return OkStatus();
  }

  Result<ck_object_handle_t> Generate(ck_session_handle_t session, unsigned long mechanism,
                                      Template& attributes) {
    struct ck_mechanism generate {};
    generate.mechanism = mechanism;
    ck_object_handle_t key = 0;
    ck_rv_t rv =
        pool->f()->C_GenerateKey(session, &generate, attributes.data(), attributes.size(), &key);
    if (rv != CKR_OK) return Pkcs11Error("C_GenerateKey", rv);
    return key;
  }

  Status WriteRecord(ck_session_handle_t session, uint32_t version, Timestamp created,
                     std::optional<Timestamp> retired) {
    std::string text = "created=" + FormatTimestamp(created);
    if (retired.has_value()) text += " retired=" + FormatTimestamp(*retired);
    Template record;
    record.Ulong(CKA_CLASS, CKO_DATA)
        .Bool(CKA_TOKEN, true)
        .Bool(CKA_PRIVATE, true)
        .Bytes(CKA_APPLICATION, kApplication)
        .Bytes(CKA_LABEL, KekLabel(key_id, version))
        .Bytes(CKA_VALUE, text);
    ck_object_handle_t made = 0;
    ck_rv_t rv = pool->f()->C_CreateObject(session, record.data(), record.size(), &made);
    if (rv != CKR_OK) return Pkcs11Error("C_CreateObject", rv);
    return OkStatus();
  }

  // NewVersion() generates the key in the token, then its record: a crash between the two
  // leaves an unused key, never a record without a key.
  Result<KekRef> NewVersion(ck_session_handle_t session, uint32_t version) {
    const std::string label = KekLabel(key_id, version);
    Template attributes;
    attributes.Ulong(CKA_CLASS, CKO_SECRET_KEY)
        .Ulong(CKA_KEY_TYPE, CKK_AES)
        .Ulong(CKA_VALUE_LEN, 32)
        .Bool(CKA_TOKEN, true)
        .Bool(CKA_PRIVATE, true)
        .Bool(CKA_SENSITIVE, true)
        .Bool(CKA_EXTRACTABLE, false)
        .Bool(CKA_ENCRYPT, true)
        .Bool(CKA_DECRYPT, true)
        .Bool(CKA_WRAP, false)
        .Bool(CKA_UNWRAP, false)
        .Bool(CKA_DERIVE, false)
        .Bytes(CKA_LABEL, label)
        .Bytes(CKA_ID, label);
    CW_ASSIGN_OR_RETURN(ck_object_handle_t key, Generate(session, CKM_AES_KEY_GEN, attributes));
    (void)key;
    CW_RETURN_IF_ERROR(WriteRecord(session, version, clock->Now(), std::nullopt));
    return Ref(version);
  }

  Status NewBlindIndexKey(ck_session_handle_t session) {
    const std::string label = BlindIndexLabel(key_id);
    Template attributes;
    attributes.Ulong(CKA_CLASS, CKO_SECRET_KEY)
        .Ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
        .Ulong(CKA_VALUE_LEN, 32)
        .Bool(CKA_TOKEN, true)
        .Bool(CKA_PRIVATE, true)
        .Bool(CKA_SENSITIVE, true)
        .Bool(CKA_EXTRACTABLE, false)
        .Bool(CKA_SIGN, true)
        .Bool(CKA_VERIFY, false)
        .Bool(CKA_ENCRYPT, false)
        .Bool(CKA_DECRYPT, false)
        .Bool(CKA_DERIVE, false)
        .Bytes(CKA_LABEL, label)
        .Bytes(CKA_ID, label);
    CW_ASSIGN_OR_RETURN(ck_object_handle_t key,
                        Generate(session, CKM_GENERIC_SECRET_KEY_GEN, attributes));
    (void)key;
    return OkStatus();
  }

  Status Destroy(ck_session_handle_t session, ck_object_handle_t object) {
    ck_rv_t rv = pool->f()->C_DestroyObject(session, object);
    if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID) return Pkcs11Error("C_DestroyObject", rv);
    return OkStatus();
  }
};

Pkcs11KeyProvider::Pkcs11KeyProvider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Pkcs11KeyProvider::~Pkcs11KeyProvider() = default;

namespace {

// Connect() loads the module, finds the token and logs in; the PIN is wiped on return.
Result<std::unique_ptr<SessionPool>> Connect(const Pkcs11Options& options) {
  CW_RETURN_IF_ERROR(ValidateKeyId(options.key_id));
  size_t pin_length = 0;
  CW_ASSIGN_OR_RETURN(SecretBuffer pin, ReadPin(options, pin_length));
  CW_ASSIGN_OR_RETURN(std::shared_ptr<internal::Pkcs11Module> module,
                      internal::Pkcs11Module::Load(options.module_path));
  CW_ASSIGN_OR_RETURN(ck_slot_id_t slot, module->FindToken(options.token_label));
  return SessionPool::Open(std::move(module), slot, Text(pin.bytes().first(pin_length)));
}

}  // namespace

Result<std::unique_ptr<Pkcs11KeyProvider>> Pkcs11KeyProvider::Create(const Pkcs11Options& options,
                                                                     const Clock& clock) {
  auto impl = std::make_unique<Impl>();
  impl->key_id = options.key_id;
  impl->clock = &clock;
  CW_ASSIGN_OR_RETURN(impl->pool, Connect(options));
  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl->pool->Acquire());
  CW_ASSIGN_OR_RETURN(Snapshot existing, Scan(*impl->pool, lease.get(), impl->key_id));
  if (existing.highest != 0) {
    return Error::AlreadyExists("kek-exists", "the token holds key " + impl->key_id +
                                                  " already: open it, or rotate it");
  }
  if (existing.blind_index_key == 0) CW_RETURN_IF_ERROR(impl->NewBlindIndexKey(lease.get()));
  CW_ASSIGN_OR_RETURN(KekRef first, impl->NewVersion(lease.get(), 1));
  (void)first;
  CW_RETURN_IF_ERROR(impl->Rescan(lease.get()));
  return std::unique_ptr<Pkcs11KeyProvider>(new Pkcs11KeyProvider(std::move(impl)));
}

Result<std::unique_ptr<Pkcs11KeyProvider>> Pkcs11KeyProvider::Open(const Pkcs11Options& options,
                                                                   const Clock& clock) {
  auto impl = std::make_unique<Impl>();
  impl->key_id = options.key_id;
  impl->clock = &clock;
  CW_ASSIGN_OR_RETURN(impl->pool, Connect(options));
  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl->pool->Acquire());
  CW_ASSIGN_OR_RETURN(Snapshot scanned, Scan(*impl->pool, lease.get(), impl->key_id));
  if (scanned.versions.empty()) {
    return Error::NotFound("no-kek", "the token holds no key " + impl->key_id +
                                         ": create it with `clearway keys init`");
  }
  if (scanned.blind_index_key == 0) {
    return Error::DataLoss("blind-index-key-missing",
                           "the token holds key " + impl->key_id + " but no blind-index key");
  }
  impl->Install(std::move(scanned));
  return std::unique_ptr<Pkcs11KeyProvider>(new Pkcs11KeyProvider(std::move(impl)));
}

Status Pkcs11KeyProvider::Refresh() {
  std::scoped_lock write(impl_->write_mu);
  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl_->pool->Acquire());
  return impl_->Rescan(lease.get());
}

Result<KekRef> Pkcs11KeyProvider::Current() {
  std::shared_ptr<const Snapshot> snapshot = impl_->Loaded();
  const VersionState* current = snapshot->Current();
  if (current == nullptr) return Error::DataLoss("kek-missing", "no current key version");
  return impl_->Ref(current->version);
}

Result<WrappedKey> Pkcs11KeyProvider::Wrap(const DataKey& key) {
  std::shared_ptr<const Snapshot> snapshot = impl_->Loaded();
  const VersionState* current = snapshot->Current();
  if (current == nullptr || current->key == 0) {
    return Error::DataLoss("kek-missing", "the token lost the current key version");
  }
  WrappedKey wrapped;
  wrapped.kek = impl_->Ref(current->version);
  wrapped.bytes.assign(kWrappedBytes, 0);
  wrapped.bytes[0] = kWrapFormatAesGcm;
  uint8_t* iv = wrapped.bytes.data() + 1;
  // A random 96-bit IV per wrap (NIST SP 800-38D §8.2.2): fine far beyond 2^32 wraps per
  // version would be needed before the bound matters, and rotation starts a new key.
  crypto::RandomBytes(std::span<uint8_t>(iv, kGcmIvBytes));
  std::vector<uint8_t> aad{kWrapFormatAesGcm};
  std::vector<uint8_t> kek_ad = internal::KekAssociatedData(wrapped.kek);
  aad.insert(aad.end(), kek_ad.begin(), kek_ad.end());
  struct ck_gcm_params gcm {};
  gcm.iv_ptr = iv;
  gcm.iv_len = kGcmIvBytes;
  gcm.iv_bits = kGcmIvBytes * 8;
  gcm.aad_ptr = aad.data();
  gcm.aad_len = aad.size();
  gcm.tag_bits = kGcmTagBytes * 8;
  struct ck_mechanism mechanism {};
  mechanism.mechanism = CKM_AES_GCM;
  mechanism.parameter = &gcm;
  mechanism.parameter_len = sizeof(gcm);

  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl_->pool->Acquire());
  struct ck_function_list* f = impl_->pool->f();
  ck_rv_t rv = f->C_EncryptInit(lease.get(), &mechanism, current->key);
  if (rv != CKR_OK) {
    lease.Discard();
    return Pkcs11Error("C_EncryptInit", rv);
  }
  unsigned long written = DataKey::kBytes + kGcmTagBytes;
  rv = f->C_Encrypt(lease.get(), Mutable(key.InsecureKeyBytes().data()), DataKey::kBytes,
                    wrapped.bytes.data() + 1 + kGcmIvBytes, &written);
  if (rv != CKR_OK || written != DataKey::kBytes + kGcmTagBytes) {
    lease.Discard();
    return Pkcs11Error("C_Encrypt", rv);
  }
  return wrapped;
}

Result<DataKey> Pkcs11KeyProvider::Unwrap(const WrappedKey& wrapped) {
  if (wrapped.kek.key_id != impl_->key_id) {
    return Error::NotFound("unknown-kek", "no key-encryption key " + wrapped.kek.ToString());
  }
  std::shared_ptr<const Snapshot> snapshot = impl_->Loaded();
  if (snapshot->Find(wrapped.kek.version) == nullptr) {
    // Another process may have rotated since we last looked.
    CW_RETURN_IF_ERROR(Refresh());
    snapshot = impl_->Loaded();
  }
  const VersionState* version = snapshot->Find(wrapped.kek.version);
  if (version == nullptr) {
    return Error::NotFound("unknown-kek", "no key-encryption key " + wrapped.kek.ToString());
  }
  if (version->retired.has_value()) {
    return Error::FailedPrecondition("kek-retired", wrapped.kek.ToString() + " was retired");
  }
  if (version->key == 0) {
    return Error::DataLoss("kek-missing", "the token lost " + wrapped.kek.ToString());
  }
  if (wrapped.bytes.size() != kWrappedBytes || wrapped.bytes[0] != kWrapFormatAesGcm) {
    return Error::DataLoss("unwrap-failed", "the wrapped key is malformed");
  }
  std::vector<uint8_t> aad{kWrapFormatAesGcm};
  std::vector<uint8_t> kek_ad = internal::KekAssociatedData(wrapped.kek);
  aad.insert(aad.end(), kek_ad.begin(), kek_ad.end());
  struct ck_gcm_params gcm {};
  gcm.iv_ptr = Mutable(wrapped.bytes.data() + 1);
  gcm.iv_len = kGcmIvBytes;
  gcm.iv_bits = kGcmIvBytes * 8;
  gcm.aad_ptr = aad.data();
  gcm.aad_len = aad.size();
  gcm.tag_bits = kGcmTagBytes * 8;
  struct ck_mechanism mechanism {};
  mechanism.mechanism = CKM_AES_GCM;
  mechanism.parameter = &gcm;
  mechanism.parameter_len = sizeof(gcm);

  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl_->pool->Acquire());
  struct ck_function_list* f = impl_->pool->f();
  ck_rv_t rv = f->C_DecryptInit(lease.get(), &mechanism, version->key);
  if (rv != CKR_OK) {
    lease.Discard();
    return Pkcs11Error("C_DecryptInit", rv);
  }
  // Room for the whole input: some modules want the output buffer as long as the input.
  const size_t sealed = DataKey::kBytes + kGcmTagBytes;
  CW_ASSIGN_OR_RETURN(SecretBuffer plain, SecretBuffer::Allocate(sealed));
  unsigned long written = sealed;
  rv = f->C_Decrypt(lease.get(), Mutable(wrapped.bytes.data() + 1 + kGcmIvBytes), sealed,
                    plain.mutable_bytes().data(), &written);
  if (rv != CKR_OK || written != DataKey::kBytes) {
    lease.Discard();  // a failed C_Decrypt ends the operation; a fresh session is cheap
    if (rv == CKR_OK || rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
        rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_FAILED) {
      // The GCM tag did not verify (modules report it with any of these).
      return Error::DataLoss("unwrap-failed",
                             "the wrapped key does not open under " + wrapped.kek.ToString());
    }
    return Pkcs11Error("C_Decrypt", rv);
  }
  CW_ASSIGN_OR_RETURN(SecretBuffer key, SecretBuffer::Allocate(DataKey::kBytes));
  std::copy_n(plain.bytes().begin(), DataKey::kBytes, key.mutable_bytes().begin());
  return DataKey::Adopt(std::move(key));
}

Result<KekRef> Pkcs11KeyProvider::Rotate() {
  std::scoped_lock write(impl_->write_mu);
  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl_->pool->Acquire());
  // Scan first: the next number comes from the token, so versions made elsewhere count.
  CW_ASSIGN_OR_RETURN(Snapshot scanned, Scan(*impl_->pool, lease.get(), impl_->key_id));
  if (scanned.highest == std::numeric_limits<uint32_t>::max()) {
    return Error::ResourceExhausted("kek-versions-exhausted", "no version number is left");
  }
  CW_ASSIGN_OR_RETURN(KekRef made, impl_->NewVersion(lease.get(), scanned.highest + 1));
  CW_RETURN_IF_ERROR(impl_->Rescan(lease.get()));
  return made;
}

Status Pkcs11KeyProvider::Retire(const KekRef& kek) {
  std::scoped_lock write(impl_->write_mu);
  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl_->pool->Acquire());
  CW_ASSIGN_OR_RETURN(Snapshot scanned, Scan(*impl_->pool, lease.get(), impl_->key_id));
  const VersionState* version =
      kek.key_id == impl_->key_id ? scanned.Find(kek.version) : nullptr;
  if (version == nullptr) {
    return Error::NotFound("unknown-kek", "no key-encryption key " + kek.ToString());
  }
  if (version->retired.has_value()) {
    // Finish an interrupted Retire: the record says retired, so the key must go too.
    if (version->key != 0) CW_RETURN_IF_ERROR(impl_->Destroy(lease.get(), version->key));
    CW_RETURN_IF_ERROR(impl_->Rescan(lease.get()));
    return Error::FailedPrecondition("kek-retired", kek.ToString() + " was retired");
  }
  if (version == scanned.Current()) {
    return Error::FailedPrecondition(
        "kek-current", kek.ToString() + " is current: rotate first, then re-wrap, then retire");
  }
  // Record the retirement first, then destroy: once the record says retired nothing unwraps
  // with the key, whatever happens to the rest of this call.
  CW_RETURN_IF_ERROR(
      impl_->WriteRecord(lease.get(), version->version, version->created, impl_->clock->Now()));
  for (ck_object_handle_t record : version->records) {
    CW_RETURN_IF_ERROR(impl_->Destroy(lease.get(), record));
  }
  if (version->key != 0) CW_RETURN_IF_ERROR(impl_->Destroy(lease.get(), version->key));
  return impl_->Rescan(lease.get());
}

Result<std::vector<KekVersion>> Pkcs11KeyProvider::Versions() {
  CW_RETURN_IF_ERROR(Refresh());
  std::shared_ptr<const Snapshot> snapshot = impl_->Loaded();
  const VersionState* current = snapshot->Current();
  std::vector<KekVersion> out;
  for (const VersionState& state : snapshot->versions) {
    out.push_back(KekVersion{impl_->Ref(state.version), state.created, state.retired,
                             &state == current});
  }
  return out;
}

Result<std::string> Pkcs11KeyProvider::BlindIndex(std::string_view purpose,
                                                  std::string_view value) {
  CW_ASSIGN_OR_RETURN(std::vector<uint8_t> message, internal::BlindIndexMessage(purpose, value));
  std::shared_ptr<const Snapshot> snapshot = impl_->Loaded();
  struct ck_mechanism mechanism {};
  mechanism.mechanism = CKM_SHA256_HMAC;
  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl_->pool->Acquire());
  struct ck_function_list* f = impl_->pool->f();
  ck_rv_t rv = f->C_SignInit(lease.get(), &mechanism, snapshot->blind_index_key);
  if (rv != CKR_OK) {
    lease.Discard();
    return Pkcs11Error("C_SignInit", rv);
  }
  std::vector<uint8_t> tag(32);
  unsigned long written = tag.size();
  rv = f->C_Sign(lease.get(), message.data(), message.size(), tag.data(), &written);
  if (rv != CKR_OK || written != tag.size()) {
    lease.Discard();
    return Pkcs11Error("C_Sign", rv);
  }
  return internal::BlindIndexText(tag);
}

Result<bool> Pkcs11KeyProvider::KekIsExportableForTesting(const KekRef& kek) {
  std::shared_ptr<const Snapshot> snapshot = impl_->Loaded();
  const VersionState* version =
      kek.key_id == impl_->key_id ? snapshot->Find(kek.version) : nullptr;
  if (version == nullptr || version->key == 0) {
    return Error::NotFound("unknown-kek", "no key object for " + kek.ToString());
  }
  CW_ASSIGN_OR_RETURN(SessionPool::Lease lease, impl_->pool->Acquire());
  struct ck_function_list* f = impl_->pool->f();
  unsigned char extractable = 1;
  struct ck_attribute flag {};
  flag.type = CKA_EXTRACTABLE;
  flag.value = &extractable;
  flag.value_len = 1;
  ck_rv_t rv = f->C_GetAttributeValue(lease.get(), version->key, &flag, 1);
  if (rv != CKR_OK) return Pkcs11Error("C_GetAttributeValue", rv);
  struct ck_attribute secret {};
  secret.type = CKA_VALUE;
  rv = f->C_GetAttributeValue(lease.get(), version->key, &secret, 1);
  return extractable != 0 || rv == CKR_OK;
}

}  // namespace clearway::keys
