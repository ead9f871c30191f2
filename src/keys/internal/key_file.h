// File: keys/internal/key_file.h
//
// The key file of FileKeyProvider: its text format (docs/keys.md, "The key file"), reading it
// with the permission checks, and replacing it atomically. The format, one item per line:
//
//   clearway-key-file 1
//   key-id clearway
//   blind-index-key <64 hex>
//   kek 1 created 2026-01-01T00:00:00Z retired 2026-03-01T00:00:00Z
//   kek 2 created 2026-02-01T00:00:00Z key <64 hex>
//   sha256 <64 hex: SHA-256 of every byte above>
//
// Versions ascend; the newest is current and never retired; a retired version keeps its dates
// but no key. The checksum catches a damaged file (it is no MAC: whoever can write the file
// can replace the keys anyway, which is why the file must be 0600).
//
// Thread safety: the functions are thread-safe on distinct paths; KeyFileLock serialises
// writers across processes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "keys/internal/secret_buffer.h"

namespace clearway::keys::internal {

struct KeyFileVersion {
  uint32_t version = 0;
  Timestamp created;
  std::optional<Timestamp> retired;
  std::shared_ptr<const SecretBuffer> key;  // 32 bytes; null once retired
};

struct KeyFileContents {
  std::string key_id;
  std::shared_ptr<const SecretBuffer> blind_index_key;  // 32 bytes
  std::vector<KeyFileVersion> versions;                 // ascending; the last is current
};

// FileIdentity tells whether the file on disk is still the one read: every write makes a new
// inode (temporary file + rename), so a changed identity means another writer came by.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  int64_t modified_ns = 0;
  int64_t size = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

struct LoadedKeyFile {
  KeyFileContents contents;
  FileIdentity identity;
};

// SerializeKeyFile() gives the file's text. The text holds key material: wipe it after use
// (WipeString()).
std::string SerializeKeyFile(const KeyFileContents& contents);

// ParseKeyFile() reads the text back. kDataLoss "key-file-corrupt" for anything but a file
// SerializeKeyFile() could have written (bad checksum, bad line, versions out of order, the
// current version retired, a key of the wrong size).
Result<KeyFileContents> ParseKeyFile(std::string_view text);

// ReadKeyFile() opens `path` and parses it. kNotFound "key-file-missing"; kPermissionDenied
// "key-file-permissions" when the file is a symbolic link, not a regular file, or group or
// others have any access to it; kDataLoss "key-file-corrupt"; kUnavailable "key-file-io".
Result<LoadedKeyFile> ReadKeyFile(const std::string& path);

// StatKeyFile() gives the identity of the file at `path` now, after the same permission
// checks as ReadKeyFile() (errors as there).
Result<FileIdentity> StatKeyFile(const std::string& path);

// WriteKeyFile() writes `contents` to a temporary file in the same directory (0600, same owner
// as the file it replaces when run as root), fsyncs it, moves it into place and fsyncs the
// directory, so a crash leaves the old file or the new one, never a mix. With `replace` false
// it never overwrites: kAlreadyExists "key-file-exists". kUnavailable "key-file-io" otherwise.
Result<FileIdentity> WriteKeyFile(const std::string& path, const KeyFileContents& contents,
                                  bool replace);

// KeyFileLock holds an exclusive advisory lock (flock) on "<path>.lock" so two processes
// (a server and `clearway keys rotate`) never rewrite the key file at the same time.
class KeyFileLock {
 public:
  // Acquire() blocks until the lock is free. kUnavailable "key-file-io" if it cannot be taken.
  static Result<KeyFileLock> Acquire(const std::string& key_file_path);

  KeyFileLock(KeyFileLock&& other) noexcept;
  KeyFileLock& operator=(KeyFileLock&&) = delete;
  KeyFileLock(const KeyFileLock&) = delete;
  KeyFileLock& operator=(const KeyFileLock&) = delete;
  ~KeyFileLock();

 private:
  explicit KeyFileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// WipeString() zeroes a string's bytes (sodium_memzero) and empties it.
void WipeString(std::string& text);

}  // namespace clearway::keys::internal
