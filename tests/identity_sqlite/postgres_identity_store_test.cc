// What only PostgresIdentityStore does: several store instances — several nodes — on one
// database see each other's writes at once and take turns on compare-and-set; its tables live
// beside the store's; its options, migrations and refusals.
// (Everything the backends share is in the contract suite, identity_store_contract_test.cc.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "identity/postgres/postgres_identity_store.h"
#include "identity/tokens.h"
#include "identity_sqlite/identity_store_fixture.h"
#include "store/postgres/postgres_store.h"
#include "testing/matchers.h"
#include "testing/pg_cluster.h"

namespace clearway::identity::postgres {
namespace {

using ::clearway::identity::testing::kT0;
using ::clearway::identity::testing::MakeCodes;
using ::clearway::identity::testing::MakeFactor;
using ::clearway::identity::testing::MakeOrganisation;
using ::clearway::identity::testing::MakeUser;
using ::clearway::testing::HasCode;
using ::clearway::testing::HasDetail;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::clearway::testing::PgQuery;

constexpr const char* kTrader = "DE987654321000001";

class PostgresIdentityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clearway::testing::PgCluster* cluster = clearway::testing::SharedPgCluster();
    ASSERT_NE(cluster, nullptr);
    options_.url = cluster->CreateDatabase();
    ASSERT_FALSE(options_.url.empty());
  }

  // Node() opens one more store on the test's database: another node.
  std::unique_ptr<PostgresIdentityStore> Node() {
    auto store = PostgresIdentityStore::Open(options_);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Race() runs `on_a` and `on_b` at once, on two threads, and counts the successes.
  template <class CallA, class CallB>
  static int Race(CallA on_a, CallB on_b) {
    std::latch start(2);
    std::atomic<int> successes{0};
    std::thread a([&] {
      start.arrive_and_wait();
      if (on_a().ok()) ++successes;
    });
    std::thread b([&] {
      start.arrive_and_wait();
      if (on_b().ok()) ++successes;
    });
    a.join();
    b.join();
    return successes.load();
  }

  std::string Sql(const std::string& sql) { return PgQuery(options_.url, sql); }

  PostgresIdentityOptions options_;
};

TEST_F(PostgresIdentityStoreTest, TwoNodesSeeEachOthersUsersAndTokensAtOnce) {
  auto one = Node();
  auto two = Node();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  ASSERT_THAT(one->AddOrganisation(MakeOrganisation(kTrader, "Nordfleisch Import AG",
                                                    OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(one->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  auto seen = two->GetUser("clerk");
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(seen->organisation_id, kTrader);
  // The name is taken for every node.
  EXPECT_THAT(two->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)),
              HasReason("user-exists"));

  // A session issued on one node authenticates on the other; a revocation there holds here.
  IssuedToken session = IssueSessionToken("clerk", kT0);
  ASSERT_THAT(one->Put(session.record), IsOk());
  EXPECT_THAT(AuthenticateToken(*two, session.token, kT0), IsOk());
  ASSERT_THAT(two->Revoke(session.record.hash), IsOk());
  EXPECT_THAT(AuthenticateToken(*one, session.token, kT0), HasReason("token-revoked"));

  // Disabling on one node is seen by the other at once.
  ASSERT_THAT(two->SetDisabled("clerk", true), IsOk());
  EXPECT_TRUE(one->GetUser("clerk")->disabled);
}

TEST_F(PostgresIdentityStoreTest, TotpStepIsAcceptedOnceWhenTwoNodesRace) {
  auto one = Node();
  auto two = Node();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  ASSERT_THAT(one->AddOrganisation(MakeOrganisation(kTrader, "N", OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(one->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(one->SetTotp("clerk", MakeFactor(0)), IsOk());
  for (int64_t step = 1; step <= 25; ++step) {
    EXPECT_EQ(Race([&] { return one->AdvanceTotpStep("clerk", step); },
                   [&] { return two->AdvanceTotpStep("clerk", step); }),
              1)
        << "step " << step;
  }
  EXPECT_EQ(two->GetUser("clerk")->totp->last_used_step, 25);
  // The loser of a race is refused as a replay on either node.
  EXPECT_THAT(one->AdvanceTotpStep("clerk", 25), HasReason("totp-replayed"));
  EXPECT_THAT(two->AdvanceTotpStep("clerk", 24), HasCode(ErrorCode::kAborted));
}

TEST_F(PostgresIdentityStoreTest, RecoveryCodeIsConsumedOnceWhenTwoNodesRace) {
  auto one = Node();
  auto two = Node();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  ASSERT_THAT(one->AddOrganisation(MakeOrganisation(kTrader, "N", OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(one->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(one->SetRecoveryCodes("clerk", MakeCodes(10)), IsOk());
  for (size_t index = 0; index < 10; ++index) {
    EXPECT_EQ(Race([&] { return one->ConsumeRecoveryCode("clerk", index); },
                   [&] { return two->ConsumeRecoveryCode("clerk", index); }),
              1)
        << "index " << index;
  }
  EXPECT_THAT(two->ConsumeRecoveryCode("clerk", 3), HasReason("recovery-code-used"));
  EXPECT_EQ(RemainingRecoveryCodes(one->GetUser("clerk")->recovery_codes), 0u);
}

TEST_F(PostgresIdentityStoreTest, NodesStartingTogetherMigrateOnceBesideTheStore) {
  // The declarations store first, as Runtime::Open() does, then four nodes at once.
  store::postgres::PostgresOptions store_options;
  store_options.url = options_.url;
  auto store = store::postgres::PostgresStore::Open(store_options);
  ASSERT_THAT(store, IsOk());
  std::vector<std::thread> nodes;
  std::atomic<int> opened{0};
  std::latch start(4);
  for (int node = 0; node < 4; ++node) {
    nodes.emplace_back([&] {
      start.arrive_and_wait();
      if (PostgresIdentityStore::Open(options_).ok()) ++opened;
    });
  }
  for (auto& node : nodes) node.join();
  EXPECT_EQ(opened.load(), 4);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_schema_migrations"),
            std::to_string(PostgresIdentityStore::SchemaVersion()));
  // The store's own version table is untouched, and no identity table lacks the prefix.
  EXPECT_EQ(Sql("SELECT MAX(version) FROM schema_migrations"),
            std::to_string(store::postgres::PostgresStore::SchemaVersion()));
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                "('users', 'tokens', 'organisations', 'delegations', 'recovery_codes', "
                "'user_offices')"),
            "0");
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'identity\\_%'"), "7");
}

TEST_F(PostgresIdentityStoreTest, OnlyTheHashOfATokenIsStored) {
  auto node = Node();
  ASSERT_NE(node, nullptr);
  IssuedToken session = IssueSessionToken("clerk", kT0);
  ASSERT_THAT(node->Put(session.record), IsOk());
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_tokens"), "1");
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_tokens WHERE position(convert_to('" +
                session.token + "', 'UTF8') IN hash) > 0 OR strpos(user_id || scopes, '" +
                session.token + "') > 0"),
            "0");
  EXPECT_EQ(Sql("SELECT length(hash) FROM identity_tokens"), "32");
}

TEST_F(PostgresIdentityStoreTest, BadOptionsAreRefused) {
  PostgresIdentityOptions options = options_;
  options.url = "sqlite:var/identity.db";
  EXPECT_THAT(PostgresIdentityStore::Open(options),
              HasDetail("url", "bad-identity-store-option"));
  options = options_;
  options.connections = 0;
  EXPECT_THAT(PostgresIdentityStore::Open(options),
              HasDetail("connections", "bad-identity-store-option"));
  options.connections = 65;
  EXPECT_THAT(PostgresIdentityStore::Open(options),
              HasDetail("connections", "bad-identity-store-option"));
}

TEST_F(PostgresIdentityStoreTest, UnreachableServerIsUnavailableAndHidesThePassword) {
  PostgresIdentityOptions options = options_;
  options.url = "postgres://clearway:s3cret-pw@127.0.0.1:1/clearway?connect_timeout=2";
  auto opened = PostgresIdentityStore::Open(options);
  EXPECT_THAT(opened, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(opened, HasReason("identity-store-failed"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().message.find("s3cret-pw"), std::string::npos) << opened.error();
}

TEST_F(PostgresIdentityStoreTest, ANewerSchemaIsRefused) {
  ASSERT_NE(Node(), nullptr);
  Sql("INSERT INTO identity_schema_migrations (version, applied_at) VALUES (99, 0)");
  auto opened = PostgresIdentityStore::Open(options_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(opened, HasReason("schema-too-new"));
}

TEST_F(PostgresIdentityStoreTest, TextPostgresCannotHoldIsRefusedAndChangesNothing) {
  auto node = Node();
  ASSERT_NE(node, nullptr);
  const std::string with_nul("Nord\0fleisch", 12);
  EXPECT_THAT(node->AddOrganisation(MakeOrganisation(kTrader, with_nul,
                                                     OrganisationKind::kTrader)),
              HasReason("unsupported-text"));
  EXPECT_THAT(node->AddOrganisation(MakeOrganisation(kTrader, "N\xff\xfe",
                                                     OrganisationKind::kTrader)),
              HasCode(ErrorCode::kInvalidArgument));
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_organisations"), "0");
}

TEST_F(PostgresIdentityStoreTest, AnUnreadableStoredValueIsDataLoss) {
  auto node = Node();
  ASSERT_NE(node, nullptr);
  ASSERT_THAT(node->AddOrganisation(MakeOrganisation(kTrader, "N", OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(node->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  Sql("UPDATE identity_users SET role = 'emperor'");
  EXPECT_THAT(node->GetUser("clerk"), HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(node->ListUsers(""), HasReason("identity-store-corrupt"));
}

TEST_F(PostgresIdentityStoreTest, ForeignKeysAndChecksAreEnforcedByTheDatabase) {
  auto node = Node();
  ASSERT_NE(node, nullptr);
  EXPECT_THAT(node->AddUser(MakeUser("clerk", "XX000", Role::kDeclarant)),
              HasReason("organisation-not-found"));
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_users"), "0");
  // A user row without a factor has no step either (the CHECK of both backends).
  ASSERT_THAT(node->AddOrganisation(MakeOrganisation(kTrader, "N", OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(node->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  EXPECT_EQ(Sql("SELECT totp_secret IS NULL AND totp_last_step IS NULL FROM identity_users"),
            "t");
}

}  // namespace
}  // namespace clearway::identity::postgres
