#include "keys/file_key_provider.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/hmac.h"
#include "keys/keys_testing.h"
#include "testing/matchers.h"

namespace clearway::keys {
namespace {

using ::clearway::testing::HasCode;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using testing::ReadFile;
using testing::WriteFile;

namespace fs = std::filesystem;

Timestamp At(const char* text) { return ParseTimestamp(text).value(); }

unsigned ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

// Rewrites the checksum line so a deliberately changed body passes the checksum and reaches
// the structural checks.
std::string WithChecksum(std::string body) {
  return body + "sha256 " + crypto::ToHex(crypto::Sha256(body)) + "\n";
}

std::string BodyOf(const std::string& text) {
  size_t last = text.rfind("sha256 ");
  return text.substr(0, last);
}

// The value after `word ` on the line starting with `prefix`.
std::string Field(const std::string& text, const std::string& prefix, const std::string& word) {
  size_t line = text.find(prefix);
  if (line == std::string::npos) return "";
  size_t end = text.find('\n', line);
  std::string l = text.substr(line, end - line);
  size_t at = l.find(word + " ");
  if (at == std::string::npos) return "";
  size_t start = at + word.size() + 1;
  size_t stop = l.find(' ', start);
  return l.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
}

class FileKeyProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_ / "kek";
    auto made = FileKeyProvider::Create(path_, "clearway", clock_);
    ASSERT_THAT(made, IsOk());
    provider_ = *std::move(made);
  }

  DataKey NewKey() { return GenerateDataKey().value(); }

  FakeClock clock_{At("2026-01-01T00:00:00Z")};
  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<FileKeyProvider> provider_;
};

TEST_F(FileKeyProviderTest, CreatesTheKeyFileForItsOwnerOnly) {
  EXPECT_EQ(ModeOf(path_), 0600u);
  const std::string text = ReadFile(path_);
  EXPECT_EQ(text.rfind("clearway-key-file 1\nkey-id clearway\nblind-index-key ", 0), 0u);
  EXPECT_NE(text.find("\nkek 1 created 2026-01-01T00:00:00Z key "), std::string::npos);
  EXPECT_EQ(Field(text, "kek 1 ", "key").size(), 64u);
}

TEST_F(FileKeyProviderTest, RefusesAKeyFileOthersCanAccess) {
  for (unsigned mode : {0644u, 0640u, 0604u, 0660u, 0602u, 0610u}) {
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
    auto opened = FileKeyProvider::Open(path_, clock_);
    EXPECT_THAT(opened, HasCode(ErrorCode::kPermissionDenied)) << std::oct << mode;
    EXPECT_THAT(opened, HasReason("key-file-permissions")) << std::oct << mode;
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0400), 0);
  EXPECT_THAT(FileKeyProvider::Open(path_, clock_), IsOk());
}

TEST_F(FileKeyProviderTest, RefusesASymbolicLink) {
  const std::string link = dir_ / "link";
  fs::create_symlink(path_, link);
  EXPECT_THAT(FileKeyProvider::Open(link, clock_), HasReason("key-file-permissions"));
}

TEST_F(FileKeyProviderTest, MissingFileIsNotFound) {
  auto opened = FileKeyProvider::Open(dir_ / "nothing-here", clock_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(opened, HasReason("key-file-missing"));
}

TEST_F(FileKeyProviderTest, NeverOverwritesAKeyFile) {
  const std::string before = ReadFile(path_);
  auto again = FileKeyProvider::Create(path_, "clearway", clock_);
  EXPECT_THAT(again, HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(again, HasReason("key-file-exists"));
  EXPECT_EQ(ReadFile(path_), before);
}

TEST_F(FileKeyProviderTest, RefusesACorruptedKeyFile) {
  const std::string good = ReadFile(path_);
  const std::string key_hex = Field(good, "kek 1 ", "key");
  ASSERT_EQ(key_hex.size(), 64u);

  std::string flipped_key = good;
  size_t at = flipped_key.find(key_hex);
  flipped_key[at] = flipped_key[at] == '0' ? '1' : '0';
  std::string body_without_checksum = BodyOf(good);
  std::vector<std::pair<std::string, std::string>> damaged = {
      {"one hex digit of a key changed", flipped_key},
      {"empty", ""},
      {"checksum line cut off", body_without_checksum},
      {"half the file", good.substr(0, good.size() / 2)},
      {"no final line break", good.substr(0, good.size() - 1)},
      {"not a key file", "hello\n"},
      {"versions out of order",
       WithChecksum(BodyOf(good) + "kek 1 created 2026-01-02T00:00:00Z key " + key_hex + "\n")},
      {"newest version retired",
       WithChecksum(BodyOf(good) + "kek 2 created 2026-01-02T00:00:00Z retired "
                                   "2026-01-03T00:00:00Z\n")},
      {"short key", WithChecksum("clearway-key-file 1\nkey-id clearway\nblind-index-key " +
                                 key_hex + "\nkek 1 created 2026-01-01T00:00:00Z key abcd\n")},
      {"upper-case hex",
       WithChecksum("clearway-key-file 1\nkey-id clearway\nblind-index-key " + key_hex +
                    "\nkek 1 created 2026-01-01T00:00:00Z key " + std::string(64, 'A') + "\n")},
      {"bad version", WithChecksum("clearway-key-file 1\nkey-id clearway\nblind-index-key " +
                                   key_hex + "\nkek 01 created 2026-01-01T00:00:00Z key " +
                                   key_hex + "\n")},
      {"no versions", WithChecksum("clearway-key-file 1\nkey-id clearway\nblind-index-key " +
                                   key_hex + "\n")},
      {"bad key id", WithChecksum("clearway-key-file 1\nkey-id ../x\nblind-index-key " + key_hex +
                                  "\nkek 1 created 2026-01-01T00:00:00Z key " + key_hex + "\n")},
  };
  for (const auto& [what, text] : damaged) {
    const std::string damaged_path = dir_ / "damaged";
    fs::remove(damaged_path);
    WriteFile(damaged_path, text);
    ASSERT_EQ(::chmod(damaged_path.c_str(), 0600), 0);
    auto opened = FileKeyProvider::Open(damaged_path, clock_);
    EXPECT_THAT(opened, HasCode(ErrorCode::kDataLoss)) << what;
    EXPECT_THAT(opened, HasReason("key-file-corrupt")) << what;
    // The message names the problem, never the key.
    if (!opened.ok()) {
      EXPECT_EQ(opened.error().message.find(key_hex), std::string::npos) << what;
    }
  }
}

TEST_F(FileKeyProviderTest, RefusesABadKeyIdOnCreate) {
  auto made = FileKeyProvider::Create(dir_ / "other", "Bad Id", clock_);
  EXPECT_THAT(made, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(made, HasReason("bad-key-id"));
  EXPECT_FALSE(fs::exists(dir_ / "other"));
}

TEST_F(FileKeyProviderTest, RetiringRemovesTheKeyMaterialFromTheFile) {
  const std::string v1_key = Field(ReadFile(path_), "kek 1 ", "key");
  ASSERT_THAT(provider_->Rotate(), IsOk());
  clock_.Set(At("2026-02-01T00:00:00Z"));
  ASSERT_THAT(provider_->Retire(KekRef{"clearway", 1}), IsOk());
  const std::string text = ReadFile(path_);
  EXPECT_EQ(text.find(v1_key), std::string::npos);
  EXPECT_NE(text.find("\nkek 1 created 2026-01-01T00:00:00Z retired 2026-02-01T00:00:00Z\n"),
            std::string::npos);
  EXPECT_EQ(ModeOf(path_), 0600u);
  // Only the key file and its lock file remain: no temporary file is left behind.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"kek", "kek.lock"}));
}

TEST_F(FileKeyProviderTest, SeesARotationMadeByAnotherProcess) {
  // A second provider on the same file stands for `clearway keys rotate` run beside a server.
  auto other = FileKeyProvider::Open(path_, clock_);
  ASSERT_THAT(other, IsOk());
  DataKey key = NewKey();
  auto rotated = (*other)->Rotate();
  ASSERT_THAT(rotated, IsOk());
  auto wrapped_elsewhere = (*other)->Wrap(key);
  ASSERT_THAT(wrapped_elsewhere, IsOk());
  EXPECT_EQ(wrapped_elsewhere->kek.version, 2u);

  EXPECT_EQ(*provider_->Current(), (KekRef{"clearway", 2}));
  auto unwrapped = provider_->Unwrap(*wrapped_elsewhere);
  ASSERT_THAT(unwrapped, IsOk());
  EXPECT_TRUE(*unwrapped == key);
  // A change here builds on the other's: nothing it made is lost.
  ASSERT_THAT(provider_->Rotate(), IsOk());
  EXPECT_EQ(*(*other)->Current(), (KekRef{"clearway", 3}));
  EXPECT_EQ((*other)->Versions()->size(), 3u);
  EXPECT_THAT((*other)->Unwrap(*wrapped_elsewhere), IsOk());
}

TEST_F(FileKeyProviderTest, RefusesAFileReplacedByAnotherKey) {
  const std::string elsewhere = dir_ / "elsewhere";
  ASSERT_THAT(FileKeyProvider::Create(elsewhere, "another", clock_), IsOk());
  fs::rename(elsewhere, path_);
  auto current = provider_->Current();
  EXPECT_THAT(current, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(current, HasReason("key-file-replaced"));
}

TEST_F(FileKeyProviderTest, AKeyFileOpenedToOthersWhileInUseIsRefusedFromThenOn) {
  auto wrapped = provider_->Wrap(NewKey());
  ASSERT_THAT(wrapped, IsOk());
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  EXPECT_THAT(provider_->Current(), HasReason("key-file-permissions"));
  EXPECT_THAT(provider_->Wrap(NewKey()), HasReason("key-file-permissions"));
  EXPECT_THAT(provider_->Unwrap(*wrapped), HasReason("key-file-permissions"));
  EXPECT_THAT(provider_->Rotate(), HasReason("key-file-permissions"));
  ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
  EXPECT_THAT(provider_->Unwrap(*wrapped), IsOk());
}

// The blind index is the documented HMAC: hex(HMAC-SHA256(key, len(purpose) | purpose |
// value)[0..16]), with the blind-index key of the file.
TEST_F(FileKeyProviderTest, BlindIndexIsTheDocumentedHmac) {
  auto key = crypto::FromHex(Field(ReadFile(path_), "blind-index-key", "blind-index-key"));
  ASSERT_THAT(key, IsOk());
  const std::string message = std::string("\0\0\0\x0einvoice-number", 18) + "INV-2026-0042";
  auto tag = crypto::HmacSha256(std::string_view(reinterpret_cast<const char*>(key->data()),
                                                 key->size()),
                                message);
  auto index = provider_->BlindIndex("invoice-number", "INV-2026-0042");
  ASSERT_THAT(index, IsOk());
  EXPECT_EQ(*index, crypto::ToHex(std::span<const uint8_t>(tag).first(16)));
}

}  // namespace
}  // namespace clearway::keys
