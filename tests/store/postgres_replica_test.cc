// PostgresStore with a read replica: a second cluster cloned from the first by pg_basebackup
// streams its changes; listings read from it, everything else from the primary, and a replica
// that is down sends listings back to the primary.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/store_contract.h"

namespace clearway::store::postgres {
namespace {

using ::clearway::store::contract::At;
using ::clearway::store::contract::MakeRow;
using ::clearway::store::contract::NewVersion;
using ::clearway::store::contract::Sealed;
using ::clearway::testing::HasCode;
using ::clearway::testing::IsOk;

std::vector<std::string> ListedIds(Store& store) {
  std::vector<std::string> ids;
  auto page = store.ListDeclarations({}, PageRequest{50, ""});
  if (!page.ok()) return ids;
  for (const auto& row : page->items) ids.push_back(row.id);
  return ids;
}

// Listed() waits (20 s at most) until the listing shows `count` declarations.
bool Listed(Store& store, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ListedIds(store).size() == count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(PostgresReplicaTest, ListingsReadFromTheReplicaEverythingElseFromThePrimary) {
  testing::PgCluster* primary = testing::SharedPgCluster();
  ASSERT_NE(primary, nullptr);
  const std::string url = primary->CreateDatabase();
  ASSERT_FALSE(url.empty());
  std::unique_ptr<testing::PgCluster> replica = testing::PgCluster::StartReplica(*primary);
  ASSERT_NE(replica, nullptr);
  const std::string database = url.substr(url.rfind('/') + 1);
  EXPECT_EQ(testing::PgQuery(replica->UrlOf(database), "SELECT pg_is_in_recovery()"), "t");

  PostgresOptions options;
  options.url = url;
  options.read_replica_url = replica->UrlOf(database);
  auto opened = PostgresStore::Open(options);
  ASSERT_THAT(opened, IsOk());
  PostgresStore& store = **opened;
  ASSERT_THAT(store.Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  ASSERT_TRUE(Listed(store, 1)) << "the replica never showed A";
  EXPECT_GT(store.stats().replica_reads, 0);

  // With the replica's replay paused, a new declaration is on the primary only: reading it by
  // id finds it, the listing (from the replica) does not show it yet.
  testing::PgQuery(replica->UrlOf(database), "SELECT pg_wal_replay_pause()");
  ASSERT_THAT(store.Commit(Sealed(NewVersion(MakeRow("B", 1, At(2))))), IsOk());
  EXPECT_THAT(store.GetDeclaration("B", std::nullopt), IsOk());
  EXPECT_EQ(*store.CountDeclarations(), 2);
  EXPECT_EQ(ListedIds(store), (std::vector<std::string>{"A"}));
  // The ledger is always read from the primary.
  EXPECT_EQ(store.LedgerTree().LeafCount().value(), 2u);
  testing::PgQuery(replica->UrlOf(database), "SELECT pg_wal_replay_resume()");
  ASSERT_TRUE(Listed(store, 2)) << "the replica never caught up";
  EXPECT_EQ(ListedIds(store), (std::vector<std::string>{"B", "A"}));

  // A hot standby refuses writes: it cannot be opened as the primary.
  PostgresOptions on_replica;
  on_replica.url = replica->UrlOf(database);
  EXPECT_THAT(PostgresStore::Open(on_replica), HasCode(ErrorCode::kUnavailable));

  // With the replica gone, listings fall back to the primary.
  replica->Stop();
  const int64_t fallbacks = store.stats().replica_fallbacks;
  EXPECT_EQ(ListedIds(store), (std::vector<std::string>{"B", "A"}));
  EXPECT_GT(store.stats().replica_fallbacks, fallbacks);
}

}  // namespace
}  // namespace clearway::store::postgres
