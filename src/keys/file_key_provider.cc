#include "keys/file_key_provider.h"

#include <limits>
#include <utility>

#include "crypto/crypto.h"
#include "crypto/hmac.h"
#include "keys/internal/xchacha.h"

namespace clearway::keys {

namespace {

using internal::KeyFileContents;
using internal::KeyFileVersion;
using internal::SecretBuffer;

// Wrapped-key format 1 of the file provider: the envelope layout (keys/internal/xchacha.h)
// around the 32-byte data key, with the KekRef as associated data.
constexpr uint8_t kWrapFormatXChaCha = 0x01;
constexpr size_t kWrappedBytes = internal::kXChaChaOverheadBytes + DataKey::kBytes;

Result<std::shared_ptr<const SecretBuffer>> RandomSecret() {
  CW_ASSIGN_OR_RETURN(SecretBuffer secret, SecretBuffer::Allocate(32));
  crypto::RandomBytes(secret.mutable_bytes());
  secret.MakeReadOnly();
  return std::make_shared<const SecretBuffer>(std::move(secret));
}

Error UnknownKek(const KekRef& kek) {
  return Error::NotFound("unknown-kek", "no key-encryption key " + kek.ToString());
}

Error Retired(const KekRef& kek) {
  return Error::FailedPrecondition("kek-retired", kek.ToString() + " was retired");
}

const KeyFileVersion* Find(const KeyFileContents& contents, const KekRef& kek) {
  if (kek.key_id != contents.key_id) return nullptr;
  for (const KeyFileVersion& version : contents.versions) {
    if (version.version == kek.version) return &version;
  }
  return nullptr;
}

KekRef CurrentRef(const KeyFileContents& contents) {
  return KekRef{contents.key_id, contents.versions.back().version};
}

}  // namespace

FileKeyProvider::FileKeyProvider(std::string path, const Clock& clock,
                                 std::shared_ptr<const Snapshot> snapshot)
    : path_(std::move(path)), clock_(&clock), snapshot_(std::move(snapshot)) {}

Result<std::unique_ptr<FileKeyProvider>> FileKeyProvider::Create(const std::string& path,
                                                                 std::string_view key_id,
                                                                 const Clock& clock) {
  CW_RETURN_IF_ERROR(ValidateKeyId(key_id));
  KeyFileContents contents;
  contents.key_id = std::string(key_id);
  CW_ASSIGN_OR_RETURN(contents.blind_index_key, RandomSecret());
  KeyFileVersion first;
  first.version = 1;
  first.created = clock.Now();
  CW_ASSIGN_OR_RETURN(first.key, RandomSecret());
  contents.versions.push_back(std::move(first));
  CW_ASSIGN_OR_RETURN(internal::FileIdentity identity,
                      internal::WriteKeyFile(path, contents, /*replace=*/false));
  auto snapshot = std::make_shared<const Snapshot>(Snapshot{std::move(contents), identity});
  return std::unique_ptr<FileKeyProvider>(new FileKeyProvider(path, clock, std::move(snapshot)));
}

Result<std::unique_ptr<FileKeyProvider>> FileKeyProvider::Open(const std::string& path,
                                                               const Clock& clock) {
  CW_ASSIGN_OR_RETURN(internal::LoadedKeyFile loaded, internal::ReadKeyFile(path));
  auto snapshot = std::make_shared<const Snapshot>(std::move(loaded));
  return std::unique_ptr<FileKeyProvider>(new FileKeyProvider(path, clock, std::move(snapshot)));
}

std::shared_ptr<const FileKeyProvider::Snapshot> FileKeyProvider::Loaded() const {
  std::scoped_lock lock(snapshot_mu_);
  return snapshot_;
}

void FileKeyProvider::Install(std::shared_ptr<const Snapshot> snapshot) {
  std::scoped_lock lock(snapshot_mu_);
  snapshot_ = std::move(snapshot);
}

Status FileKeyProvider::Reread(const internal::FileIdentity& seen) {
  std::scoped_lock local(write_mu_);
  if (Loaded()->identity == seen) return OkStatus();  // another thread re-read it meanwhile
  CW_ASSIGN_OR_RETURN(internal::LoadedKeyFile on_disk, internal::ReadKeyFile(path_));
  if (on_disk.contents.key_id != Loaded()->contents.key_id) {
    return Error::FailedPrecondition("key-file-replaced",
                                     path_ + " now holds key " + on_disk.contents.key_id +
                                         ", not " + Loaded()->contents.key_id);
  }
  Install(std::make_shared<const Snapshot>(std::move(on_disk)));
  return OkStatus();
}

Result<std::shared_ptr<const FileKeyProvider::Snapshot>> FileKeyProvider::Fresh() {
  std::shared_ptr<const Snapshot> loaded = Loaded();
  CW_ASSIGN_OR_RETURN(internal::FileIdentity on_disk, internal::StatKeyFile(path_));
  if (on_disk == loaded->identity) return loaded;
  CW_RETURN_IF_ERROR(Reread(on_disk));
  return Loaded();
}

template <class Change>
Status FileKeyProvider::Modify(Change change) {
  std::scoped_lock local(write_mu_);
  // Re-read under the cross-process lock: the change applies to what is on disk now, so a
  // rotation made by another process is never lost.
  CW_ASSIGN_OR_RETURN(internal::KeyFileLock lock, internal::KeyFileLock::Acquire(path_));
  CW_ASSIGN_OR_RETURN(internal::LoadedKeyFile on_disk, internal::ReadKeyFile(path_));
  if (on_disk.contents.key_id != Loaded()->contents.key_id) {
    return Error::FailedPrecondition("key-file-replaced",
                                     path_ + " now holds key " + on_disk.contents.key_id);
  }
  CW_RETURN_IF_ERROR(change(on_disk.contents));
  CW_ASSIGN_OR_RETURN(on_disk.identity,
                      internal::WriteKeyFile(path_, on_disk.contents, /*replace=*/true));
  Install(std::make_shared<const Snapshot>(std::move(on_disk)));
  return OkStatus();
}

Result<KekRef> FileKeyProvider::Current() {
  CW_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Fresh());
  return CurrentRef(snapshot->contents);
}

Result<WrappedKey> FileKeyProvider::Wrap(const DataKey& key) {
  CW_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Fresh());
  const KeyFileVersion& current = snapshot->contents.versions.back();
  WrappedKey wrapped;
  wrapped.kek = CurrentRef(snapshot->contents);
  wrapped.bytes = internal::SealXChaCha(current.key->bytes(), kWrapFormatXChaCha,
                                        key.InsecureKeyBytes(),
                                        internal::KekAssociatedData(wrapped.kek));
  return wrapped;
}

Result<DataKey> FileKeyProvider::Unwrap(const WrappedKey& wrapped) {
  CW_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Fresh());
  const KeyFileVersion* version = Find(snapshot->contents, wrapped.kek);
  if (version == nullptr) return UnknownKek(wrapped.kek);
  if (version->retired.has_value()) return Retired(wrapped.kek);
  if (wrapped.bytes.size() != kWrappedBytes || wrapped.bytes[0] != kWrapFormatXChaCha) {
    return Error::DataLoss("unwrap-failed", "the wrapped key is malformed");
  }
  CW_ASSIGN_OR_RETURN(SecretBuffer key, SecretBuffer::Allocate(DataKey::kBytes));
  if (!internal::OpenXChaCha(version->key->bytes(), wrapped.bytes,
                             internal::KekAssociatedData(wrapped.kek), key.mutable_bytes())) {
    return Error::DataLoss("unwrap-failed",
                           "the wrapped key does not open under " + wrapped.kek.ToString());
  }
  return DataKey::Adopt(std::move(key));
}

Result<KekRef> FileKeyProvider::Rotate() {
  KekRef made;
  CW_RETURN_IF_ERROR(Modify([&](KeyFileContents& contents) -> Status {
    if (contents.versions.back().version == std::numeric_limits<uint32_t>::max()) {
      return Error::ResourceExhausted("kek-versions-exhausted", "no version number is left");
    }
    KeyFileVersion next;
    next.version = contents.versions.back().version + 1;
    next.created = clock_->Now();
    CW_ASSIGN_OR_RETURN(next.key, RandomSecret());
    contents.versions.push_back(std::move(next));
    made = CurrentRef(contents);
    return OkStatus();
  }));
  return made;
}

Status FileKeyProvider::Retire(const KekRef& kek) {
  return Modify([&](KeyFileContents& contents) -> Status {
    if (kek.key_id != contents.key_id) return UnknownKek(kek);
    for (KeyFileVersion& version : contents.versions) {
      if (version.version != kek.version) continue;
      if (version.retired.has_value()) return Retired(kek);
      if (&version == &contents.versions.back()) {
        return Error::FailedPrecondition(
            "kek-current", kek.ToString() + " is current: rotate first, then re-wrap, then retire");
      }
      version.retired = clock_->Now();
      version.key.reset();  // the material leaves the file with this rewrite
      return OkStatus();
    }
    return UnknownKek(kek);
  });
}

Result<std::vector<KekVersion>> FileKeyProvider::Versions() {
  CW_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Fresh());
  std::vector<KekVersion> out;
  for (const KeyFileVersion& version : snapshot->contents.versions) {
    out.push_back(KekVersion{KekRef{snapshot->contents.key_id, version.version}, version.created,
                             version.retired, false});
  }
  out.back().current = true;
  return out;
}

Result<std::string> FileKeyProvider::BlindIndex(std::string_view purpose, std::string_view value) {
  CW_ASSIGN_OR_RETURN(std::vector<uint8_t> message, internal::BlindIndexMessage(purpose, value));
  CW_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Fresh());
  crypto::HmacSha256Tag tag =
      crypto::HmacSha256(snapshot->contents.blind_index_key->bytes(), message);
  return internal::BlindIndexText(tag);
}

}  // namespace clearway::keys
