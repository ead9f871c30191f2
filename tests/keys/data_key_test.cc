#include "keys/data_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <type_traits>
#include <vector>

#include "testing/matchers.h"

namespace clearway::keys {
namespace {

using ::clearway::testing::HasCode;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;

static_assert(!std::is_copy_constructible_v<DataKey>);
static_assert(!std::is_copy_assignable_v<DataKey>);
static_assert(std::is_nothrow_move_constructible_v<DataKey>);

TEST(DataKeyTest, GeneratedKeysAre32RandomBytes) {
  auto first = GenerateDataKey();
  auto second = GenerateDataKey();
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(first->InsecureKeyBytes().size(), 32u);
  EXPECT_FALSE(*first == *second);
  const std::vector<uint8_t> zero(32, 0);
  EXPECT_FALSE(std::equal(zero.begin(), zero.end(), first->InsecureKeyBytes().begin()));
}

TEST(DataKeyTest, FromBytesKeepsTheBytes) {
  std::vector<uint8_t> bytes(32);
  for (size_t byte_idx = 0; byte_idx < bytes.size(); ++byte_idx) {
    bytes[byte_idx] = static_cast<uint8_t>(byte_idx * 7 + 1);
  }
  auto key = DataKey::FromBytes(bytes);
  ASSERT_THAT(key, IsOk());
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), key->InsecureKeyBytes().begin()));
  auto same = DataKey::FromBytes(bytes);
  ASSERT_THAT(same, IsOk());
  EXPECT_TRUE(*key == *same);
  bytes[31] ^= 1;
  auto other = DataKey::FromBytes(bytes);
  ASSERT_THAT(other, IsOk());
  EXPECT_FALSE(*key == *other);
}

TEST(DataKeyTest, FromBytesRefusesOtherSizes) {
  for (size_t size : {0u, 16u, 31u, 33u, 64u}) {
    std::vector<uint8_t> bytes(size, 0x42);
    auto key = DataKey::FromBytes(bytes);
    EXPECT_THAT(key, HasCode(ErrorCode::kInvalidArgument)) << size;
    EXPECT_THAT(key, HasReason("bad-key-length")) << size;
  }
}

TEST(DataKeyTest, MovingLeavesTheSourceEmpty) {
  auto made = GenerateDataKey();
  ASSERT_THAT(made, IsOk());
  DataKey key = *std::move(made);
  std::vector<uint8_t> copy(key.InsecureKeyBytes().begin(), key.InsecureKeyBytes().end());
  DataKey moved = std::move(key);
  EXPECT_FALSE(key.valid());  // NOLINT(bugprone-use-after-move): what this test checks
  EXPECT_TRUE(moved.valid());
  EXPECT_TRUE(std::equal(copy.begin(), copy.end(), moved.InsecureKeyBytes().begin()));
}

TEST(DataKeyDeathTest, UsingAMovedFromKeyAborts) {
  auto made = GenerateDataKey();
  ASSERT_THAT(made, IsOk());
  DataKey key = *std::move(made);
  DataKey moved = std::move(key);
  EXPECT_DEATH((void)key.InsecureKeyBytes(), "CW_CHECK failed");  // NOLINT(bugprone-use-after-move)
}

// The key's memory is read-only once made: a stray write faults instead of changing a key.
TEST(DataKeyDeathTest, KeyMemoryIsReadOnly) {
  auto made = GenerateDataKey();
  ASSERT_THAT(made, IsOk());
  uint8_t* raw = const_cast<uint8_t*>(made->InsecureKeyBytes().data());
  EXPECT_DEATH(raw[0] ^= 1, "");
}

}  // namespace
}  // namespace clearway::keys
