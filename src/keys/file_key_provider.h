// File: keys/file_key_provider.h
//
// FileKeyProvider keeps the key-encryption keys in one local key file (the default provider):
// each KEK version is 32 random bytes, and a separate 32-byte blind-index key sits beside
// them. Data keys are wrapped with XChaCha20-Poly1305 under the current version, with the
// KekRef as associated data (format in docs/keys.md).
//
//   SystemClock clock;
//   CW_ASSIGN_OR_RETURN(auto provider, FileKeyProvider::Create("var/keys/kek", "clearway", clock));
//   ...later, in another process:
//   CW_ASSIGN_OR_RETURN(auto provider, FileKeyProvider::Open("var/keys/kek", clock));
//
// The file is created 0600 and refused, at open and at every later call, when group or
// others have any access to it, or when it is a symbolic link. Every
// change (Rotate, Retire) takes a cross-process lock, re-reads the file, and replaces it
// atomically (temporary file, fsync, rename, fsync of the directory). Each call first checks
// (one stat) whether another process replaced the file and re-reads it if so, so a server sees
// a `clearway keys rotate` run beside it without a restart.
//
// The file holds the keys in the clear: its protection is the operating system's (owner-only
// access, an encrypted disk, backups kept as carefully). Administrations that want keys that
// never leave hardware use Pkcs11KeyProvider.
//
// Thread safety: all methods are thread-safe. Wrap, Unwrap and BlindIndex work on an immutable
// snapshot and never wait for a Rotate's fsync.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/time.h"
#include "keys/internal/key_file.h"
#include "keys/key_provider.h"

namespace clearway::keys {

class FileKeyProvider final : public KeyProvider {
 public:
  // Create() makes a new key file at `path` (its directory must exist) holding version 1 of
  // KEK `key_id` and a blind-index key. kInvalidArgument "bad-key-id"; kAlreadyExists
  // "key-file-exists" (a key file is never overwritten); kUnavailable "key-file-io".
  // `clock` must outlive the provider.
  static Result<std::unique_ptr<FileKeyProvider>> Create(const std::string& path,
                                                         std::string_view key_id,
                                                         const Clock& clock);

  // Open() loads an existing key file. kNotFound "key-file-missing"; kPermissionDenied
  // "key-file-permissions" (group/other access, a symlink, not a regular file); kDataLoss
  // "key-file-corrupt"; kUnavailable "key-file-io".
  static Result<std::unique_ptr<FileKeyProvider>> Open(const std::string& path,
                                                       const Clock& clock);

  FileKeyProvider(const FileKeyProvider&) = delete;
  FileKeyProvider& operator=(const FileKeyProvider&) = delete;

  // Every method may also fail with Open()'s errors when the file was replaced on disk by
  // something that is not a valid key file of the same key id (kDataLoss "key-file-corrupt",
  // or kFailedPrecondition "key-file-replaced" for another key id).
  Result<KekRef> Current() override;
  Result<WrappedKey> Wrap(const DataKey& key) override;
  Result<DataKey> Unwrap(const WrappedKey& wrapped) override;
  Result<KekRef> Rotate() override;
  Status Retire(const KekRef& kek) override;
  Result<std::vector<KekVersion>> Versions() override;
  Result<std::string> BlindIndex(std::string_view purpose, std::string_view value) override;

  const std::string& path() const { return path_; }

 private:
  using Snapshot = internal::LoadedKeyFile;

  FileKeyProvider(std::string path, const Clock& clock, std::shared_ptr<const Snapshot> snapshot);

  // Fresh() is the current snapshot, re-read first if the file on disk was replaced.
  Result<std::shared_ptr<const Snapshot>> Fresh();
  std::shared_ptr<const Snapshot> Loaded() const;
  void Install(std::shared_ptr<const Snapshot> snapshot);
  Status Reread(const internal::FileIdentity& seen);

  template <class Change>
  Status Modify(Change change);

  const std::string path_;
  const Clock* clock_;
  mutable std::mutex snapshot_mu_;  // guards snapshot_ (the pointer, not what it points to)
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex write_mu_;  // serialises re-reads and changes within this process
};

}  // namespace clearway::keys
