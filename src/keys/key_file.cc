#include "keys/internal/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

#include "crypto/crypto.h"
#include "keys/key_provider.h"

namespace clearway::keys::internal {

namespace {

constexpr std::string_view kHeader = "clearway-key-file 1";
constexpr size_t kKeyBytes = 32;
constexpr size_t kMaxFileBytes = 1 << 20;  // ~ten thousand versions; anything bigger is damage

// Fd closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Close() reports close()'s own failure, which can be the first sign of a failed write.
  bool Close() {
    int fd = std::exchange(fd_, -1);
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  int fd_;
};

Error Corrupt(const std::string& what) {
  return Error::DataLoss("key-file-corrupt", "the key file is damaged: " + what +
                                                 "; restore it from a backup");
}

Error Io(const std::string& what) {
  return Error::Unavailable("key-file-io", what + ": " + std::strerror(errno));
}

Error Exposed(const std::string& path, const std::string& why) {
  return Error::PermissionDenied("key-file-permissions",
                                 path + " " + why +
                                     ": a key file must be a regular file only its owner can "
                                     "access (chmod 600), and keys that others could read "
                                     "should be rotated");
}

FileIdentity IdentityOf(const struct stat& info) {
  FileIdentity identity;
  identity.device = info.st_dev;
  identity.inode = info.st_ino;
  identity.modified_ns =
      static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  identity.size = static_cast<int64_t>(info.st_size);
  return identity;
}

void AppendHex(std::string& out, std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
}

// Secret() decodes exactly 32 bytes of lower-case hex straight into guarded memory.
Result<std::shared_ptr<const SecretBuffer>> Secret(std::string_view hex, const std::string& where) {
  if (hex.size() != 2 * kKeyBytes) return Corrupt(where + ": a key is 64 hex digits");
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Corrupt(where + ": a key is 64 hex digits");
    }
  }
  CW_ASSIGN_OR_RETURN(SecretBuffer secret, SecretBuffer::Allocate(kKeyBytes));
  size_t written = 0;
  if (sodium_hex2bin(secret.mutable_bytes().data(), kKeyBytes, hex.data(), hex.size(), nullptr,
                     &written, nullptr) != 0 ||
      written != kKeyBytes) {
    return Corrupt(where + ": a key is 64 hex digits");
  }
  secret.MakeReadOnly();
  return std::make_shared<const SecretBuffer>(std::move(secret));
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

Result<uint32_t> VersionNumber(std::string_view text, const std::string& where) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || text[0] == '0') {
    return Corrupt(where + ": bad version number");
  }
  return value;
}

Result<Timestamp> When(std::string_view text, const std::string& where) {
  auto parsed = ParseTimestamp(text);
  if (!parsed.ok()) return Corrupt(where + ": bad timestamp");
  return *parsed;
}

// "kek N created T (key HEX | retired T)"
Result<KeyFileVersion> ParseVersion(std::string_view line, const std::string& where) {
  std::vector<std::string_view> words = Split(line, ' ');
  if (words.size() != 6 || words[0] != "kek" || words[2] != "created") {
    return Corrupt(where + ": expected a kek line");
  }
  KeyFileVersion version;
  CW_ASSIGN_OR_RETURN(version.version, VersionNumber(words[1], where));
  CW_ASSIGN_OR_RETURN(version.created, When(words[3], where));
  if (words[4] == "key") {
    CW_ASSIGN_OR_RETURN(version.key, Secret(words[5], where));
  } else if (words[4] == "retired") {
    CW_ASSIGN_OR_RETURN(version.retired, When(words[5], where));
  } else {
    return Corrupt(where + ": expected key or retired");
  }
  return version;
}

Status SyncDirectory(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return Io("cannot sync " + dir.string());
  return OkStatus();
}

Status WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t wrote = ::write(fd, text.data(), text.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return Io("cannot write the key file");
    }
    text.remove_prefix(static_cast<size_t>(wrote));
  }
  return OkStatus();
}

std::string TempPath(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++counter);
}

}  // namespace

void WipeString(std::string& text) {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
  text.clear();
}

std::string SerializeKeyFile(const KeyFileContents& contents) {
  CW_CHECK(contents.blind_index_key != nullptr && !contents.versions.empty());
  std::string text;
  text.reserve(256 + contents.versions.size() * 128);
  text.append(kHeader).append("\n");
  text.append("key-id ").append(contents.key_id).append("\n");
  text.append("blind-index-key ");
  AppendHex(text, contents.blind_index_key->bytes());
  text.append("\n");
  for (const KeyFileVersion& version : contents.versions) {
    text.append("kek ").append(std::to_string(version.version));
    text.append(" created ").append(FormatTimestamp(version.created));
    if (version.retired.has_value()) {
      text.append(" retired ").append(FormatTimestamp(*version.retired));
    } else {
      CW_CHECK(version.key != nullptr);
      text.append(" key ");
      AppendHex(text, version.key->bytes());
    }
    text.append("\n");
  }
  const std::string checksum = crypto::ToHex(crypto::Sha256(text));  // of the lines above only
  text.append("sha256 ").append(checksum).append("\n");
  return text;
}

Result<KeyFileContents> ParseKeyFile(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Corrupt("it does not end with a line break");
  size_t last_start = text.rfind('\n', text.size() - 2);
  last_start = last_start == std::string_view::npos ? 0 : last_start + 1;
  std::string_view body = text.substr(0, last_start);
  std::string_view checksum_line = text.substr(last_start, text.size() - 1 - last_start);
  constexpr std::string_view kChecksum = "sha256 ";
  if (checksum_line.substr(0, kChecksum.size()) != kChecksum) return Corrupt("no checksum line");
  if (!crypto::ConstantTimeEqual(checksum_line.substr(kChecksum.size()),
                                 crypto::ToHex(crypto::Sha256(body)))) {
    return Corrupt("the checksum does not match");
  }
  if (body.empty()) return Corrupt("it holds no keys");
  std::vector<std::string_view> lines = Split(body.substr(0, body.size() - 1), '\n');
  if (lines.size() < 4 || lines[0] != kHeader) return Corrupt("not a clearway key file");
  KeyFileContents contents;
  constexpr std::string_view kKeyId = "key-id ";
  if (lines[1].substr(0, kKeyId.size()) != kKeyId) return Corrupt("line 2: expected key-id");
  contents.key_id = std::string(lines[1].substr(kKeyId.size()));
  if (!ValidateKeyId(contents.key_id).ok()) return Corrupt("line 2: bad key id");
  constexpr std::string_view kBlind = "blind-index-key ";
  if (lines[2].substr(0, kBlind.size()) != kBlind) {
    return Corrupt("line 3: expected blind-index-key");
  }
  CW_ASSIGN_OR_RETURN(contents.blind_index_key, Secret(lines[2].substr(kBlind.size()), "line 3"));
  for (size_t line_idx = 3; line_idx < lines.size(); ++line_idx) {
    const std::string where = "line " + std::to_string(line_idx + 1);
    CW_ASSIGN_OR_RETURN(KeyFileVersion version, ParseVersion(lines[line_idx], where));
    if (!contents.versions.empty() && version.version <= contents.versions.back().version) {
      return Corrupt(where + ": versions must ascend");
    }
    contents.versions.push_back(std::move(version));
  }
  if (contents.versions.back().retired.has_value()) {
    return Corrupt("the newest version is retired, so none is current");
  }
  return contents;
}

Result<LoadedKeyFile> ReadKeyFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Error::NotFound("key-file-missing", "no key file at " + path);
    if (errno == ELOOP) return Exposed(path, "is a symbolic link");
    return Io("cannot open " + path);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return Io("cannot stat " + path);
  if (!S_ISREG(info.st_mode)) return Exposed(path, "is not a regular file");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Exposed(path, std::string("is open to group or others (mode ") + mode + ")");
  }
  if (info.st_size > static_cast<off_t>(kMaxFileBytes)) return Corrupt("it is too large");
  std::string text(static_cast<size_t>(info.st_size) + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      WipeString(text);
      return Io("cannot read " + path);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got == text.size()) {  // it grew while we read: not a file we wrote (we rename, never append)
    WipeString(text);
    return Corrupt("it changed while being read");
  }
  Result<KeyFileContents> contents = ParseKeyFile(std::string_view(text).substr(0, got));
  WipeString(text);
  if (!contents.ok()) return std::move(contents).error();
  return LoadedKeyFile{*std::move(contents), IdentityOf(info)};
}

Result<FileIdentity> StatKeyFile(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Error::NotFound("key-file-missing", "no key file at " + path);
    return Io("cannot stat " + path);
  }
  if (S_ISLNK(info.st_mode)) return Exposed(path, "is a symbolic link");
  // Checked on every use, not only at open: a key file opened up by a careless chmod stops
  // being used at once.
  if (!S_ISREG(info.st_mode)) return Exposed(path, "is not a regular file");
  if ((info.st_mode & 077) != 0) return Exposed(path, "is open to group or others");
  return IdentityOf(info);
}

Result<FileIdentity> WriteKeyFile(const std::string& path, const KeyFileContents& contents,
                                  bool replace) {
  const std::string temp = TempPath(path);
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return Io("cannot create " + temp);
  auto fail = [&temp](Error error) {
    ::unlink(temp.c_str());
    return error;
  };
  if (::fchmod(fd.get(), 0600) != 0) return fail(Io("cannot chmod " + temp));
  // Run as root (an operator's `clearway keys rotate`), keep the file the server's own.
  struct stat old_info {};
  if (replace && ::geteuid() == 0 && ::stat(path.c_str(), &old_info) == 0 &&
      ::fchown(fd.get(), old_info.st_uid, old_info.st_gid) != 0) {
    return fail(Io("cannot chown " + temp));
  }
  std::string text = SerializeKeyFile(contents);
  Status wrote = WriteAll(fd.get(), text);
  WipeString(text);
  if (!wrote.ok()) return fail(std::move(wrote).error());
  struct stat info {};
  if (::fsync(fd.get()) != 0) return fail(Io("cannot sync " + temp));
  if (::fstat(fd.get(), &info) != 0) return fail(Io("cannot stat " + temp));
  if (!fd.Close()) return fail(Io("cannot close " + temp));
  if (replace) {
    if (::rename(temp.c_str(), path.c_str()) != 0) return fail(Io("cannot replace " + path));
  } else {
    // link() refuses to replace an existing file, so two `init`s cannot both win.
    int linked = ::link(temp.c_str(), path.c_str());
    int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked != 0) {
      if (link_errno == EEXIST) {
        return Error::AlreadyExists("key-file-exists",
                                    path + " exists: a key file is never overwritten");
      }
      errno = link_errno;
      return Io("cannot create " + path);
    }
  }
  CW_RETURN_IF_ERROR(SyncDirectory(path));
  return IdentityOf(info);
}

Result<KeyFileLock> KeyFileLock::Acquire(const std::string& key_file_path) {
  const std::string lock_path = key_file_path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Io("cannot open " + lock_path);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      Error error = Io("cannot lock " + lock_path);
      ::close(fd);
      return error;
    }
  }
  return KeyFileLock(fd);
}

KeyFileLock::KeyFileLock(KeyFileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

KeyFileLock::~KeyFileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace clearway::keys::internal
