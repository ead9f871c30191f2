#include "app/ledger_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "crypto/crypto.h"

namespace clearway::app {

namespace {

constexpr std::string_view kPrefix = "PRIVATE+KEY+";
constexpr size_t kMaxKeyFileBytes = 1024;

Error Malformed(const std::string& path) {
  return Error::DataLoss("ledger-key-malformed",
                         path + " is not a ledger key (PRIVATE+KEY+origin+id+key)");
}

std::string KeyIdHex(uint32_t id) {
  char text[9];
  std::snprintf(text, sizeof(text), "%08x", id);
  return text;
}

Result<LedgerKey> FromSeed(std::string origin, const crypto::Ed25519Seed& seed,
                           ledger::NoteKeyType type) {
  LedgerKey key;
  key.signer = crypto::Ed25519Signer::FromSeed(seed);
  CW_ASSIGN_OR_RETURN(key.verifier_key,
                      ledger::MakeVerifierKey(origin, type, key.signer->public_key()));
  key.origin = std::move(origin);
  return key;
}

// ReadPrivateFile() reads a small file that only its owner may access.
Result<std::string> ReadPrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Error::NotFound("ledger-key-missing", "no ledger key at " + path);
    return Error::FailedPrecondition("ledger-key-exposed",
                                     "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || (info.st_mode & 077) != 0) {
    ::close(fd);
    return Error::FailedPrecondition(
        "ledger-key-exposed",
        path + " must be a regular file only its owner can access (chmod 600)");
  }
  std::string text(kMaxKeyFileBytes, '\0');
  ssize_t got = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (got < 0 || static_cast<size_t>(got) == text.size()) return Malformed(path);
  text.resize(static_cast<size_t>(got));
  return text;
}

// WriteNewPrivateFile() writes `contents` to `path` with mode 0600, never replacing a file that
// exists: the bytes go to a temporary file, are synced, and are then linked into place, which
// fails if another process got there first. kAlreadyExists "exists" then.
Status WriteNewPrivateFile(const std::string& path, const std::string& contents) {
  std::string temp = path + ".new." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Error::Unavailable("write-failed", "cannot write " + temp + ": " + std::strerror(errno));
  }
  bool ok =
      ::fchmod(fd, 0600) == 0 &&
      ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  int linked = ok ? ::link(temp.c_str(), path.c_str()) : -1;
  int link_errno = errno;
  ::unlink(temp.c_str());
  if (!ok) return Error::Unavailable("write-failed", "cannot write " + temp);
  if (linked != 0) {
    if (link_errno == EEXIST) return Error::AlreadyExists("exists", path + " exists");
    return Error::Unavailable("write-failed",
                              "cannot create " + path + ": " + std::strerror(link_errno));
  }
  return OkStatus();
}

}  // namespace

std::string_view DefaultLedgerOrigin() { return "clearway.example/demo"; }

std::string LedgerKeyPath(const std::string& data_dir) {
  return data_dir + "/" + std::string(kLedgerKeyFile);
}

namespace {

Result<LedgerKey> LoadNoteKey(const std::string& path, ledger::NoteKeyType type) {
  CW_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.rfind(kPrefix, 0) != 0) return Malformed(path);
  std::string_view rest = std::string_view(text).substr(kPrefix.size());
  // origin + id + key: a key name never holds '+', so the first two '+' end the name and the
  // id; the base64 key after them may hold '+' (as in golang.org/x/mod/sumdb/note's SplitN).
  size_t first = rest.find('+');
  size_t second = first == std::string_view::npos ? first : rest.find('+', first + 1);
  if (second == std::string_view::npos) return Malformed(path);
  std::string origin(rest.substr(0, first));
  std::string_view id_hex = rest.substr(first + 1, second - first - 1);
  Result<std::string> decoded = crypto::Base64Decode(rest.substr(second + 1));
  if (!decoded.ok() || decoded->size() != 1 + crypto::kEd25519SeedBytes ||
      static_cast<uint8_t>((*decoded)[0]) != static_cast<uint8_t>(type)) {
    return Malformed(path);
  }
  std::vector<uint8_t> seed_bytes(decoded->begin() + 1, decoded->end());
  Result<crypto::Ed25519Seed> seed = crypto::Ed25519Seed::FromBytes(seed_bytes);
  std::fill(seed_bytes.begin(), seed_bytes.end(), uint8_t{0});
  std::fill(decoded->begin(), decoded->end(), '\0');
  if (!seed.ok()) return Malformed(path);
  Result<LedgerKey> key = FromSeed(std::move(origin), *seed, type);
  if (!key.ok() || KeyIdHex(key->verifier_key.KeyId()) != id_hex) return Malformed(path);
  return key;
}

Result<LedgerKey> LoadOrCreateNoteKey(const std::string& path, std::string_view origin,
                                      ledger::NoteKeyType type) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<LedgerKey> loaded = LoadNoteKey(path, type);
    if (loaded.ok()) {
      if (!origin.empty() && loaded->origin != origin) {
        return Error::FailedPrecondition("ledger-origin-mismatch",
                                         "the key in " + path + " is named " + loaded->origin +
                                             ", not " + std::string(origin) +
                                             ": a key keeps its name for life");
      }
      return loaded;
    }
    if (loaded.error().code != ErrorCode::kNotFound) return loaded;
    crypto::Ed25519Seed seed = crypto::Ed25519Seed::Generate();
    CW_ASSIGN_OR_RETURN(
        LedgerKey fresh,
        FromSeed(std::string(origin.empty() ? DefaultLedgerOrigin() : origin), seed, type));
    std::string payload(1, static_cast<char>(type));
    auto raw = seed.InsecureExportSeed();
    payload.append(reinterpret_cast<const char*>(raw.data()), raw.size());
    std::string line = std::string(kPrefix) + fresh.origin + "+" +
                       KeyIdHex(fresh.verifier_key.KeyId()) + "+" + crypto::Base64Encode(payload) +
                       "\n";
    Status written = WriteNewPrivateFile(path, line);
    std::fill(payload.begin(), payload.end(), '\0');
    std::fill(line.begin(), line.end(), '\0');
    if (written.ok()) return fresh;
    if (written.error().code != ErrorCode::kAlreadyExists) return std::move(written).error();
    // Another process made the key first: use its key.
  }
  return Error::Unavailable("write-failed", "cannot create " + path);
}

}  // namespace

Result<LedgerKey> LoadLedgerKey(const std::string& path) {
  return LoadNoteKey(path, ledger::NoteKeyType::kEd25519);
}

Result<LedgerKey> LoadOrCreateLedgerKey(const std::string& data_dir, std::string_view origin) {
  return LoadOrCreateNoteKey(LedgerKeyPath(data_dir), origin, ledger::NoteKeyType::kEd25519);
}

Result<LedgerKey> LoadOrCreateWitnessKey(const std::string& path, std::string_view name) {
  if (name.empty()) {
    Result<LedgerKey> loaded = LoadNoteKey(path, ledger::NoteKeyType::kCosignatureV1);
    if (loaded.ok() || loaded.error().code != ErrorCode::kNotFound) return loaded;
    return Error::InvalidArgument("name", "bad-key-name", "name the new witness key (--name)");
  }
  return LoadOrCreateNoteKey(path, name, ledger::NoteKeyType::kCosignatureV1);
}

}  // namespace clearway::app
