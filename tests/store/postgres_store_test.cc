// What only PostgresStore does: its options, URLs and refusals, text PostgreSQL cannot hold,
// several nodes migrating one database at once, a store that outlives a server restart, and
// the sequencer lease.
// (Every behaviour the backends share is in the contract suite, contract_*_test.cc.)
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/sequencer_lease.h"
#include "store/store_contract.h"

namespace clearway::store::postgres {
namespace {

using ::clearway::store::contract::At;
using ::clearway::store::contract::MakeRow;
using ::clearway::store::contract::NewVersion;
using ::clearway::store::contract::Sealed;
using ::clearway::testing::HasCode;
using ::clearway::testing::HasDetail;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::PgCluster* cluster = testing::SharedPgCluster();
    ASSERT_NE(cluster, nullptr);
    options_.url = cluster->CreateDatabase();
    ASSERT_FALSE(options_.url.empty());
  }

  PostgresOptions options_;
};

TEST_F(PostgresStoreTest, BadOptionsAreRefused) {
  PostgresOptions options = options_;
  options.url = "";
  EXPECT_THAT(PostgresStore::Open(options), HasDetail("url", "bad-store-option"));
  options = options_;
  options.max_batch_units = 0;
  EXPECT_THAT(PostgresStore::Open(options), HasDetail("max_batch_units", "bad-store-option"));
  options = options_;
  options.read_connections = 65;
  EXPECT_THAT(PostgresStore::Open(options), HasDetail("read_connections", "bad-store-option"));
  options = options_;
  options.replica_connections = 0;
  EXPECT_THAT(PostgresStore::Open(options), HasDetail("replica_connections", "bad-store-option"));
  options = options_;
  options.max_batch_wait = std::chrono::seconds(2);
  EXPECT_THAT(PostgresStore::Open(options), HasDetail("max_batch_wait", "bad-store-option"));
}

TEST_F(PostgresStoreTest, UnreachableServerIsUnavailableAndTheMessageHidesThePassword) {
  PostgresOptions options = options_;
  // A port nothing listens on (the cluster's own port + 1 is not guaranteed free; port 1 is).
  options.url = "postgres://clearway:s3cret-pw@127.0.0.1:1/clearway?connect_timeout=2";
  auto opened = PostgresStore::Open(options);
  EXPECT_THAT(opened, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(opened, HasReason("store-unavailable"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().message.find("s3cret-pw"), std::string::npos) << opened.error();
}

TEST_F(PostgresStoreTest, WrongPasswordIsUnavailable) {
  PostgresOptions options = options_;
  const size_t at = options.url.find('@');
  const size_t colon = options.url.rfind(':', at);
  options.url = options.url.substr(0, colon + 1) + "wrong" + options.url.substr(at);
  EXPECT_THAT(PostgresStore::Open(options), HasReason("store-unavailable"));
}

TEST_F(PostgresStoreTest, TextWithANulByteIsRefusedNotTruncated) {
  auto store = PostgresStore::Open(options_);
  ASSERT_THAT(store, IsOk());
  DeclarationRow row = MakeRow("A", 1, At(1));
  row.office = std::string("DE\0" "004700", 9);
  auto refused = (*store)->Commit(Sealed(NewVersion(row)));
  EXPECT_THAT(refused, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(refused, HasReason("unsupported-text"));
  EXPECT_THAT((*store)->GetDeclaration("A", std::nullopt), HasReason("declaration-not-found"));
  // The store goes on: the refusal rolled back that unit only.
  EXPECT_THAT((*store)->Commit(Sealed(NewVersion(MakeRow("B", 1, At(2))))), IsOk());
}

TEST_F(PostgresStoreTest, InvalidUtf8TextIsRefused) {
  auto store = PostgresStore::Open(options_);
  ASSERT_THAT(store, IsOk());
  UnitOfWork work = NewVersion(MakeRow("A", 1, At(1)));
  work.transitions.push_back({"A", 1, 1, "", "submitted", "", "u", "bad \xff\xfe byte", At(1)});
  auto refused = (*store)->Commit(Sealed(std::move(work)));
  EXPECT_THAT(refused, HasReason("unsupported-text"));
  EXPECT_EQ(*(*store)->CountDeclarations(), 0);
}

TEST_F(PostgresStoreTest, NodesStartingTogetherMigrateOnce) {
  std::vector<std::thread> nodes;
  std::vector<Status> opened(4);
  for (size_t idx = 0; idx < opened.size(); ++idx) {
    nodes.emplace_back([&, idx] {
      auto store = PostgresStore::Open(options_);
      opened[idx] = store.ok() ? OkStatus() : Status(store.error());
    });
  }
  for (auto& node : nodes) node.join();
  for (const Status& status : opened) EXPECT_THAT(status, IsOk());
  EXPECT_EQ(testing::PgQuery(options_.url, "SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(PostgresStore::SchemaVersion()));
}


TEST(PostgresRestartTest, TheStoreOutlivesAServerRestart) {
  // A cluster of its own: restarting the shared one would disturb the other tests.
  std::unique_ptr<testing::PgCluster> cluster = testing::PgCluster::Start();
  ASSERT_NE(cluster, nullptr);
  PostgresOptions options;
  options.url = cluster->CreateDatabase();
  auto store = PostgresStore::Open(options);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  ASSERT_EQ(*(*store)->CountDeclarations(), 1);

  ASSERT_TRUE(cluster->Restart());
  // The writer and the read pool reconnect by themselves; what was committed is still there.
  EXPECT_THAT((*store)->Commit(Sealed(NewVersion(MakeRow("B", 1, At(2))))), IsOk());
  EXPECT_EQ(*(*store)->CountDeclarations(), 2);
  EXPECT_EQ((*store)->LedgerTree().LeafCount().value(), 2u);
  auto b = (*store)->GetDeclaration("B", std::nullopt);
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->version, 1);

  // With the server gone, writes and reads fail as unavailable, and nothing is half-written.
  cluster->Stop();
  EXPECT_THAT((*store)->Commit(Sealed(NewVersion(MakeRow("C", 1, At(3))))),
              HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT((*store)->GetDeclaration("A", std::nullopt), HasCode(ErrorCode::kUnavailable));
}

SequencerLeaseOptions FastLease(const std::string& url, const std::string& name) {
  SequencerLeaseOptions options;
  options.url = url;
  options.application_name = name;
  options.heartbeat = std::chrono::milliseconds(50);
  options.idle_timeout = std::chrono::milliseconds(1000);
  return options;
}

TEST_F(PostgresStoreTest, OneNodeHoldsTheSequencerLeaseAndAnotherTakesOverWhenItGoes) {
  auto first = SequencerLease::Start(FastLease(options_.url, "lease-a"));
  ASSERT_THAT(first, IsOk());
  ASSERT_TRUE((*first)->WaitUntilHeldForTesting(std::chrono::seconds(10)));
  auto second = SequencerLease::Start(FastLease(options_.url, "lease-b"));
  ASSERT_THAT(second, IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // several heartbeats
  EXPECT_TRUE((*first)->Held());
  EXPECT_FALSE((*second)->Held());

  // The holder goes away (its session ends, as when the process dies): the other takes over.
  first->reset();
  EXPECT_TRUE((*second)->WaitUntilHeldForTesting(std::chrono::seconds(10)));

  // The server ends the holder's session (an operator, or idle_session_timeout after a
  // holder that stopped beating): it notices at its next heartbeat and lets go, and the
  // lease passes on.
  auto third = SequencerLease::Start(FastLease(options_.url, "lease-c"));
  ASSERT_THAT(third, IsOk());
  EXPECT_FALSE((*third)->Held());
  testing::PgQuery(options_.url,
                   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                   " WHERE application_name = 'lease-b'");
  EXPECT_TRUE((*third)->WaitUntilHeldForTesting(std::chrono::seconds(10)));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*second)->Held() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE((*second)->Held());
  // Nobody else holds it: exactly one holder.
  EXPECT_EQ(testing::PgQuery(options_.url,
                             "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"
                             " AND objid = 3 AND granted"),
            "1");
}

TEST_F(PostgresStoreTest, LeaseOptionsAreChecked) {
  SequencerLeaseOptions options = FastLease(options_.url, "lease");
  options.url = "";
  EXPECT_THAT(SequencerLease::Start(options), HasDetail("url", "bad-store-option"));
  options = FastLease(options_.url, "lease");
  options.idle_timeout = options.heartbeat * 2;
  EXPECT_THAT(SequencerLease::Start(options), HasDetail("idle_timeout", "bad-store-option"));
  options = FastLease(options_.url, "lease");
  options.heartbeat = std::chrono::milliseconds(1);
  EXPECT_THAT(SequencerLease::Start(options), HasDetail("heartbeat", "bad-store-option"));
  // An unreachable server is not an error: the lease is just not held.
  options = FastLease("postgres://clearway@127.0.0.1:1/none?connect_timeout=1", "lease");
  auto unreachable = SequencerLease::Start(options);
  ASSERT_THAT(unreachable, IsOk());
  EXPECT_FALSE((*unreachable)->Held());
}

TEST(PostgresUrlTest, RedactUrlHidesOnlyThePassword) {
  using internal::RedactUrl;
  EXPECT_EQ(RedactUrl("postgres://u:pw@h:5432/db"), "postgres://u:***@h:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactUrl("postgres://h/db?user=a"), "postgres://h/db?user=a");
  EXPECT_EQ(RedactUrl("postgres://u:p%40ss@h/db"), "postgres://u:***@h/db");
  EXPECT_TRUE(internal::IsPostgresUrl("postgres://h/db"));
  EXPECT_TRUE(internal::IsPostgresUrl("postgresql://h/db"));
  EXPECT_FALSE(internal::IsPostgresUrl("sqlite:var/clearway.db"));
}

}  // namespace
}  // namespace clearway::store::postgres
