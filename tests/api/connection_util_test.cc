// Socket-free pieces of a server connection (api/connection_util.h) that need no server: the
// request ids. The rest of connection_util is covered through the server in server_test.cc.
#include "api/connection_util.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/http_util.h"

namespace clearway::api::internal {
namespace {

TEST(NewRequestIdTest, IsSixteenCharactersAClientCouldSendBack) {
  for (int idx = 0; idx < 1000; ++idx) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 16u);
    EXPECT_THAT(id, ::testing::MatchesRegex("[A-Za-z0-9.-]{16}")) << id;
    EXPECT_TRUE(IsValidRequestId(id)) << id;  // what the server accepts from a client too
  }
}

TEST(NewRequestIdTest, UniqueWithinAndAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50'000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      ids[static_cast<size_t>(t)].reserve(kPerThread);
      for (int idx = 0; idx < kPerThread; ++idx) ids[static_cast<size_t>(t)].push_back(NewRequestId());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& list : ids) all.insert(list.begin(), list.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(NewRequestIdTest, ConsecutiveIdsOfAThreadShareTheRandomPartOnly) {
  const std::string first = NewRequestId();
  const std::string second = NewRequestId();
  EXPECT_NE(first, second);
  // 8 random bytes are the first 10 characters and 4 bits of the 11th; the counter the rest.
  EXPECT_EQ(first.substr(0, 10), second.substr(0, 10));
}

}  // namespace
}  // namespace clearway::api::internal
