#include "keys/internal/secret_buffer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "keys/data_key.h"
#include "testing/matchers.h"

namespace clearway::keys::internal {
namespace {

using ::clearway::testing::IsOk;

bool AllZero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// Released buffers are recycled (sodium_malloc/sodium_free cost ~32 us a key in system calls).
// What comes back is wiped: no key material of its previous owner, read-only or not.
TEST(SecretBufferTest, ARecycledBufferComesBackWipedAndWritable) {
  const uint8_t* first_address = nullptr;
  {
    auto first = SecretBuffer::Allocate(32);
    ASSERT_THAT(first, IsOk());
    std::fill(first->mutable_bytes().begin(), first->mutable_bytes().end(), 0xab);
    first->MakeReadOnly();
    first_address = first->bytes().data();
  }
  auto second = SecretBuffer::Allocate(32);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->bytes().data(), first_address) << "the released buffer is reused";
  EXPECT_TRUE(AllZero(second->bytes()));
  std::fill(second->mutable_bytes().begin(), second->mutable_bytes().end(), 0x5c);  // writable
  EXPECT_EQ(second->bytes()[31], 0x5c);
}

TEST(SecretBufferTest, EveryFreshBufferStartsAtZero) {
  for (size_t size : {1u, 16u, 32u, 33u, 64u, 65u, 200u}) {
    for (int round = 0; round < 3; ++round) {
      auto buffer = SecretBuffer::Allocate(size);
      ASSERT_THAT(buffer, IsOk());
      ASSERT_EQ(buffer->size(), size);
      EXPECT_TRUE(AllZero(buffer->bytes())) << size << " round " << round;
      std::fill(buffer->mutable_bytes().begin(), buffer->mutable_bytes().end(), 0xee);
    }
  }
}

// Many owners at once never share a buffer: each writes its own pattern, waits, and finds it
// intact; each buffer it takes is zero.
TEST(SecretBufferTest, ThreadsNeverShareABuffer) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 500;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<SecretBuffer> held;
        for (int n = 0; n < 3; ++n) {
          auto buffer = SecretBuffer::Allocate(32);
          if (!buffer.ok() || !AllZero(buffer->bytes())) ++failures;
          if (!buffer.ok()) continue;
          std::fill(buffer->mutable_bytes().begin(), buffer->mutable_bytes().end(),
                    static_cast<uint8_t>(t * 16 + n + 1));
          held.push_back(std::move(buffer).value());
        }
        std::this_thread::yield();
        for (size_t n = 0; n < held.size(); ++n) {
          const uint8_t expected = static_cast<uint8_t>(t * 16 + static_cast<int>(n) + 1);
          for (uint8_t b : held[n].bytes()) {
            if (b != expected) ++failures;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// A recycled buffer is still guarded memory: its end touches a guard page, and a key made
// read-only in it cannot be written.
TEST(SecretBufferDeathTest, ARecycledBufferKeepsItsGuardPage) {
  { auto warm = SecretBuffer::Allocate(32); }
  auto buffer = SecretBuffer::Allocate(32);
  ASSERT_THAT(buffer, IsOk());
  uint8_t* past_end = buffer->mutable_bytes().data() + buffer->size();
  EXPECT_DEATH(*past_end = 1, "");
}

TEST(SecretBufferDeathTest, ARecycledDataKeyIsReadOnly) {
  { auto warm = GenerateDataKey(); }
  auto made = GenerateDataKey();
  ASSERT_THAT(made, IsOk());
  uint8_t* raw = const_cast<uint8_t*>(made->InsecureKeyBytes().data());
  EXPECT_DEATH(raw[0] ^= 1, "");
}

}  // namespace
}  // namespace clearway::keys::internal
