// The KeyProvider contract, run against every implementation: the key file and a PKCS#11
// token (SoftHSM2 in a temporary directory).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "common/time.h"
#include "keys/data_key.h"
#include "keys/file_key_provider.h"
#include "keys/key_provider.h"
#include "keys/keys_testing.h"
#include "keys/pkcs11_key_provider.h"
#include "testing/matchers.h"

namespace clearway::keys {
namespace {

using ::clearway::testing::HasCode;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;

Timestamp At(const char* text) { return ParseTimestamp(text).value(); }

// Each environment makes providers of one implementation over fresh storage.
class FileEnvironment {
 public:
  bool Ready(std::string& why) const {
    why = "no temporary directory";
    return !dir_.path().empty();
  }
  Result<std::unique_ptr<KeyProvider>> Create(const Clock& clock, std::string key_id = "clearway") {
    CW_ASSIGN_OR_RETURN(auto provider, FileKeyProvider::Create(PathFor(key_id), key_id, clock));
    return std::unique_ptr<KeyProvider>(std::move(provider));
  }
  Result<std::unique_ptr<KeyProvider>> Reopen(const Clock& clock) {
    CW_ASSIGN_OR_RETURN(auto provider, FileKeyProvider::Open(PathFor("clearway"), clock));
    return std::unique_ptr<KeyProvider>(std::move(provider));
  }

 private:
  std::string PathFor(const std::string& key_id) const { return dir_ / (key_id + ".keys"); }
  testing::TempDir dir_;
};

class SoftHsmEnvironment {
 public:
  bool Ready(std::string& why) const {
    why = "softhsm2-util --init-token failed: " + token_.init_output();
    return token_.ok();
  }
  Result<std::unique_ptr<KeyProvider>> Create(const Clock& clock, std::string key_id = "clearway") {
    CW_ASSIGN_OR_RETURN(auto provider, Pkcs11KeyProvider::Create(Options(key_id), clock));
    return std::unique_ptr<KeyProvider>(std::move(provider));
  }
  Result<std::unique_ptr<KeyProvider>> Reopen(const Clock& clock) {
    CW_ASSIGN_OR_RETURN(auto provider, Pkcs11KeyProvider::Open(Options("clearway"), clock));
    return std::unique_ptr<KeyProvider>(std::move(provider));
  }

 private:
  static Pkcs11Options Options(const std::string& key_id) {
    Pkcs11Options options;
    options.token_label = testing::kTokenLabel;
    options.key_id = key_id;
    options.pin_env = testing::kPinEnv;
    return options;
  }
  testing::SoftHsmToken token_;
};

template <class Environment>
class KeyProviderContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(env_.Ready(why)) << why;
    auto made = env_.Create(clock_);
    ASSERT_THAT(made, IsOk());
    provider_ = *std::move(made);
  }

  void TearDown() override { provider_.reset(); }

  DataKey NewKey() {
    auto key = GenerateDataKey();
    EXPECT_THAT(key, IsOk());
    return *std::move(key);
  }

  KeyProvider& provider() { return *provider_; }

  FakeClock clock_{At("2026-01-01T00:00:00Z")};
  Environment env_;  // declared before provider_: outlives it
  std::unique_ptr<KeyProvider> provider_;
};

using Environments = ::testing::Types<FileEnvironment, SoftHsmEnvironment>;

class EnvironmentNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, FileEnvironment> ? "KeyFile" : "SoftHsm";
  }
};

TYPED_TEST_SUITE(KeyProviderContractTest, Environments, EnvironmentNames);

TYPED_TEST(KeyProviderContractTest, WrapThenUnwrapGivesTheSameKey) {
  DataKey key = this->NewKey();
  auto wrapped = this->provider().Wrap(key);
  ASSERT_THAT(wrapped, IsOk());
  EXPECT_EQ(wrapped->kek, (KekRef{"clearway", 1}));
  auto unwrapped = this->provider().Unwrap(*wrapped);
  ASSERT_THAT(unwrapped, IsOk());
  EXPECT_TRUE(*unwrapped == key);
}

TYPED_TEST(KeyProviderContractTest, WrappedKeyHidesTheKeyAndDiffersEachTime) {
  DataKey key = this->NewKey();
  auto first = this->provider().Wrap(key);
  auto second = this->provider().Wrap(key);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_NE(first->bytes, second->bytes);
  const auto raw = key.InsecureKeyBytes();
  auto found = std::search(first->bytes.begin(), first->bytes.end(), raw.begin(), raw.end());
  EXPECT_EQ(found, first->bytes.end());
}

TYPED_TEST(KeyProviderContractTest, EveryFlippedBitOfAWrappedKeyFailsClosed) {
  auto wrapped = this->provider().Wrap(this->NewKey());
  ASSERT_THAT(wrapped, IsOk());
  for (size_t bit = 0; bit < wrapped->bytes.size() * 8; ++bit) {
    WrappedKey tampered = *wrapped;
    tampered.bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto unwrapped = this->provider().Unwrap(tampered);
    EXPECT_THAT(unwrapped, HasCode(ErrorCode::kDataLoss)) << "bit " << bit;
    EXPECT_THAT(unwrapped, HasReason("unwrap-failed")) << "bit " << bit;
  }
}

TYPED_TEST(KeyProviderContractTest, TruncatedOrExtendedWrappedKeyFailsClosed) {
  auto wrapped = this->provider().Wrap(this->NewKey());
  ASSERT_THAT(wrapped, IsOk());
  for (size_t length = 0; length < wrapped->bytes.size(); ++length) {
    WrappedKey cut = *wrapped;
    cut.bytes.resize(length);
    EXPECT_THAT(this->provider().Unwrap(cut), HasReason("unwrap-failed")) << "length " << length;
  }
  WrappedKey longer = *wrapped;
  longer.bytes.push_back(0);
  EXPECT_THAT(this->provider().Unwrap(longer), HasReason("unwrap-failed"));
}

TYPED_TEST(KeyProviderContractTest, WrappedKeyRelabelledToAnotherVersionFailsClosed) {
  auto wrapped = this->provider().Wrap(this->NewKey());
  ASSERT_THAT(wrapped, IsOk());
  ASSERT_THAT(this->provider().Rotate(), IsOk());
  WrappedKey relabelled = *wrapped;
  relabelled.kek.version = 2;
  EXPECT_THAT(this->provider().Unwrap(relabelled), HasReason("unwrap-failed"));
  EXPECT_THAT(this->provider().Unwrap(*wrapped), IsOk());
}

TYPED_TEST(KeyProviderContractTest, UnknownKekIsNotFound) {
  auto wrapped = this->provider().Wrap(this->NewKey());
  ASSERT_THAT(wrapped, IsOk());
  WrappedKey other_id = *wrapped;
  other_id.kek.key_id = "someone-else";
  EXPECT_THAT(this->provider().Unwrap(other_id), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(this->provider().Unwrap(other_id), HasReason("unknown-kek"));
  WrappedKey future = *wrapped;
  future.kek.version = 99;
  EXPECT_THAT(this->provider().Unwrap(future), HasReason("unknown-kek"));
}

TYPED_TEST(KeyProviderContractTest, RotationKeepsOldWrappedKeysUnwrappable) {
  DataKey old_key = this->NewKey();
  auto old_wrapped = this->provider().Wrap(old_key);
  ASSERT_THAT(old_wrapped, IsOk());
  this->clock_.Advance(std::chrono::hours(24));
  auto rotated = this->provider().Rotate();
  ASSERT_THAT(rotated, IsOk());
  EXPECT_EQ(*rotated, (KekRef{"clearway", 2}));
  EXPECT_THAT(this->provider().Current(), IsOk());
  EXPECT_EQ(*this->provider().Current(), (KekRef{"clearway", 2}));

  DataKey new_key = this->NewKey();
  auto new_wrapped = this->provider().Wrap(new_key);
  ASSERT_THAT(new_wrapped, IsOk());
  EXPECT_EQ(new_wrapped->kek.version, 2u);
  auto old_again = this->provider().Unwrap(*old_wrapped);
  ASSERT_THAT(old_again, IsOk());
  EXPECT_TRUE(*old_again == old_key);
  auto new_again = this->provider().Unwrap(*new_wrapped);
  ASSERT_THAT(new_again, IsOk());
  EXPECT_TRUE(*new_again == new_key);

  // Re-wrapping, as the server will after a rotation: unwrap under v1, wrap under v2.
  auto rewrapped = this->provider().Wrap(*old_again);
  ASSERT_THAT(rewrapped, IsOk());
  EXPECT_EQ(rewrapped->kek.version, 2u);
  EXPECT_TRUE(*this->provider().Unwrap(*rewrapped) == old_key);
}

TYPED_TEST(KeyProviderContractTest, RetireIsRefusedWhileCurrent) {
  auto retired = this->provider().Retire(KekRef{"clearway", 1});
  EXPECT_THAT(retired, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(retired, HasReason("kek-current"));
  EXPECT_THAT(this->provider().Wrap(this->NewKey()), IsOk());
}

TYPED_TEST(KeyProviderContractTest, RetiredVersionUnwrapsNothing) {
  auto wrapped = this->provider().Wrap(this->NewKey());
  ASSERT_THAT(wrapped, IsOk());
  ASSERT_THAT(this->provider().Rotate(), IsOk());
  this->clock_.Advance(std::chrono::hours(1));
  ASSERT_THAT(this->provider().Retire(KekRef{"clearway", 1}), IsOk());

  auto unwrapped = this->provider().Unwrap(*wrapped);
  EXPECT_THAT(unwrapped, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(unwrapped, HasReason("kek-retired"));
  EXPECT_THAT(this->provider().Retire(KekRef{"clearway", 1}), HasReason("kek-retired"));
  EXPECT_THAT(this->provider().Retire(KekRef{"clearway", 7}), HasReason("unknown-kek"));
  EXPECT_THAT(this->provider().Retire(KekRef{"other", 1}), HasReason("unknown-kek"));
  // The current version goes on working.
  auto fresh = this->provider().Wrap(this->NewKey());
  ASSERT_THAT(fresh, IsOk());
  EXPECT_THAT(this->provider().Unwrap(*fresh), IsOk());
}

TYPED_TEST(KeyProviderContractTest, VersionsListEveryVersionOldestFirst) {
  this->clock_.Set(At("2026-02-01T00:00:00Z"));
  ASSERT_THAT(this->provider().Rotate(), IsOk());
  this->clock_.Set(At("2026-03-01T00:00:00Z"));
  ASSERT_THAT(this->provider().Rotate(), IsOk());
  this->clock_.Set(At("2026-03-15T12:00:00Z"));
  ASSERT_THAT(this->provider().Retire(KekRef{"clearway", 1}), IsOk());

  auto versions = this->provider().Versions();
  ASSERT_THAT(versions, IsOk());
  ASSERT_EQ(versions->size(), 3u);
  const std::vector<KekVersion>& list = *versions;
  EXPECT_EQ(list[0].ref, (KekRef{"clearway", 1}));
  EXPECT_EQ(list[0].created, At("2026-01-01T00:00:00Z"));
  EXPECT_EQ(list[0].retired, std::optional<Timestamp>(At("2026-03-15T12:00:00Z")));
  EXPECT_FALSE(list[0].current);
  EXPECT_EQ(list[1].ref, (KekRef{"clearway", 2}));
  EXPECT_EQ(list[1].created, At("2026-02-01T00:00:00Z"));
  EXPECT_EQ(list[1].retired, std::nullopt);
  EXPECT_FALSE(list[1].current);
  EXPECT_EQ(list[2].ref, (KekRef{"clearway", 3}));
  EXPECT_EQ(list[2].created, At("2026-03-01T00:00:00Z"));
  EXPECT_TRUE(list[2].current);
}

TYPED_TEST(KeyProviderContractTest, KeysSurviveReopening) {
  DataKey key = this->NewKey();
  auto wrapped = this->provider().Wrap(key);
  ASSERT_THAT(wrapped, IsOk());
  ASSERT_THAT(this->provider().Rotate(), IsOk());
  auto index = this->provider().BlindIndex("invoice-number", "INV-2026-0042");
  ASSERT_THAT(index, IsOk());
  this->provider_.reset();

  auto reopened = this->env_.Reopen(this->clock_);
  ASSERT_THAT(reopened, IsOk());
  KeyProvider& again = **reopened;
  EXPECT_EQ(*again.Current(), (KekRef{"clearway", 2}));
  auto unwrapped = again.Unwrap(*wrapped);
  ASSERT_THAT(unwrapped, IsOk());
  EXPECT_TRUE(*unwrapped == key);
  EXPECT_EQ(*again.BlindIndex("invoice-number", "INV-2026-0042"), *index);
  ASSERT_THAT(again.Versions(), IsOk());
  EXPECT_EQ(again.Versions()->size(), 2u);
}

TYPED_TEST(KeyProviderContractTest, CreateNeverReplacesAnExistingKey) {
  auto second = this->env_.Create(this->clock_);
  EXPECT_THAT(second, HasCode(ErrorCode::kAlreadyExists));
  // The first provider's key is untouched.
  auto wrapped = this->provider().Wrap(this->NewKey());
  ASSERT_THAT(wrapped, IsOk());
  EXPECT_THAT(this->provider().Unwrap(*wrapped), IsOk());
}

TYPED_TEST(KeyProviderContractTest, CreateRefusesABadKeyId) {
  EXPECT_THAT(this->env_.Create(this->clock_, "Clearway Keys"), HasReason("bad-key-id"));
  EXPECT_THAT(this->env_.Create(this->clock_, ""), HasReason("bad-key-id"));
  EXPECT_THAT(this->env_.Create(this->clock_, "../etc"), HasReason("bad-key-id"));
}

TYPED_TEST(KeyProviderContractTest, BlindIndexIsStablePerKeyAndSeparatedByPurpose) {
  auto invoice = this->provider().BlindIndex("invoice-number", "INV-2026-0042");
  ASSERT_THAT(invoice, IsOk());
  EXPECT_EQ(invoice->size(), 32u);
  EXPECT_EQ(invoice->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(*this->provider().BlindIndex("invoice-number", "INV-2026-0042"), *invoice);
  EXPECT_NE(*this->provider().BlindIndex("container-id", "INV-2026-0042"), *invoice);
  EXPECT_NE(*this->provider().BlindIndex("invoice-number", "INV-2026-0043"), *invoice);
  // Rotation of the KEK leaves the indexes as they were: look-ups keep working.
  ASSERT_THAT(this->provider().Rotate(), IsOk());
  EXPECT_EQ(*this->provider().BlindIndex("invoice-number", "INV-2026-0042"), *invoice);
  // Another key's index of the same value is unrelated.
  auto other = this->env_.Create(this->clock_, "other");
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(*(*other)->BlindIndex("invoice-number", "INV-2026-0042"), *invoice);
}

TYPED_TEST(KeyProviderContractTest, BlindIndexRefusesBadPurposeAndEmptyValue) {
  auto no_purpose = this->provider().BlindIndex("", "INV-1");
  EXPECT_THAT(no_purpose, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(no_purpose, HasReason("bad-blind-index-purpose"));
  EXPECT_THAT(this->provider().BlindIndex("Invoice Number", "INV-1"),
              HasReason("bad-blind-index-purpose"));
  EXPECT_THAT(this->provider().BlindIndex("invoice-number", ""),
              HasReason("empty-blind-index-value"));
}

// Rotation under load: threads wrap and unwrap without pause while versions are added; every
// key wrapped at any moment unwraps to itself afterwards.
TYPED_TEST(KeyProviderContractTest, ConcurrentWrapAndUnwrapDuringRotationLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kRotations = 5;
  constexpr int kMaxPerThread = 4000;
  struct Kept {
    std::vector<DataKey> keys;
    std::vector<WrappedKey> wrapped;
    int failures = 0;
  };
  std::vector<Kept> kept(kThreads);
  std::atomic<bool> stop{false};
  std::atomic<int> wraps{0};
  std::atomic<int> finished{0};
  // Waits (bounded: the threads stop by themselves) until `more` further wraps happened.
  auto wait_for_wraps = [&](int more) {
    const int seen = wraps.load();
    while (wraps.load() < seen + more && finished.load() < kThreads) std::this_thread::yield();
  };
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      Kept& mine = kept[static_cast<size_t>(thread_idx)];
      for (int round = 0; round < kMaxPerThread && !stop.load(); ++round) {
        auto key = GenerateDataKey();
        if (!key.ok()) {
          ++mine.failures;
          continue;
        }
        auto wrapped = this->provider().Wrap(*key);
        if (!wrapped.ok()) {
          ++mine.failures;
          continue;
        }
        auto unwrapped = this->provider().Unwrap(*wrapped);
        if (!unwrapped.ok() || !(*unwrapped == *key)) ++mine.failures;
        mine.keys.push_back(*std::move(key));
        mine.wrapped.push_back(*std::move(wrapped));
        ++wraps;
      }
      ++finished;
    });
  }
  std::vector<Status> rotations;
  for (int rotation = 0; rotation < kRotations; ++rotation) {
    wait_for_wraps(20);  // some wraps under each version
    Result<KekRef> rotated = this->provider().Rotate();
    rotations.push_back(rotated.ok() ? OkStatus() : Status(rotated.error()));
  }
  wait_for_wraps(20);
  stop = true;
  for (auto& thread : threads) thread.join();

  for (const Status& rotated : rotations) EXPECT_THAT(rotated, IsOk());
  EXPECT_EQ(*this->provider().Current(), (KekRef{"clearway", 1 + kRotations}));
  std::set<uint32_t> versions_used;
  size_t total = 0;
  for (const Kept& mine : kept) {
    EXPECT_EQ(mine.failures, 0);
    for (size_t key_idx = 0; key_idx < mine.keys.size(); ++key_idx) {
      versions_used.insert(mine.wrapped[key_idx].kek.version);
      auto unwrapped = this->provider().Unwrap(mine.wrapped[key_idx]);
      ASSERT_THAT(unwrapped, IsOk());
      EXPECT_TRUE(*unwrapped == mine.keys[key_idx]);
      ++total;
    }
  }
  EXPECT_GE(total, static_cast<size_t>(20 * (kRotations + 1)));
  EXPECT_GE(versions_used.size(), 2u);  // the wraps really straddled rotations
}

}  // namespace
}  // namespace clearway::keys
