// What only PostgresTariffStore does: several stores on one database — several nodes — draw on
// one balance per quota without ever over-drawing it, see each other's imports at once, and
// import a file once between them; its migrations and refusals. (Everything both backends
// share is in the contract suite, tariff_store_contract_test.cc.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tariff/postgres/postgres_tariff_store.h"
#include "tariff/tariff_fixture.h"

namespace clearway::tariff {
namespace {

using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::clearway::testing::PgQuery;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using namespace ::clearway::tariff::testing;  // NOLINT: test helpers

class PostgresTariffStoreTest : public TariffStoreTest {
 protected:
  void SetUp() override {
    TariffStoreTest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    other_ = OpenAnotherNode();
    ASSERT_NE(other_, nullptr);
  }

  Status ApplyQuota(TariffStore& node, std::string file_id, std::string volume) {
    auto update = ParseTariffUpdate(UpdateText(
        std::move(file_id), {},
        {{"quotas", boost::json::array{{{"orderNumber", "09.4450"}, {"volume", volume},
                                        {"unit", "kg"}}}}}));
    if (!update.ok()) return std::move(update).error();
    auto applied = node.Apply(*update, At("2026-01-01T00:00:00Z"));
    if (!applied.ok()) return std::move(applied).error();
    return OkStatus();
  }

  int64_t DrawnAsSeenBy(TariffStore& node) {
    auto state = node.QuotaOf("09.4450", Timestamp::max());
    EXPECT_THAT(state, IsOk());
    return state.ok() && *state ? (*state)->drawn_thousandths : -1;
  }

  std::unique_ptr<postgres::PostgresTariffStore> other_;  // a second node on the same database
};

// Two nodes, eight threads each, draw 3 kg at a time on a 100 kg quota: exactly 33 draws are
// granted whatever the interleaving, and both nodes read the same balance.
TEST_P(PostgresTariffStoreTest, TwoNodesDrawingAtOnceNeverOverdrawAQuota) {
  ASSERT_THAT(ApplyQuota(*store_, "f1", "100"), IsOk());
  constexpr int kThreadsPerNode = 8;
  constexpr int kDrawsPerThread = 5;
  std::atomic<int> granted{0};
  std::atomic<int> exhausted{0};
  std::atomic<int> other{0};
  std::latch start(2 * kThreadsPerNode);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerNode; ++t) {
    TariffStore* node = t % 2 == 0 ? store_.get() : other_.get();
    threads.emplace_back([&, node, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kDrawsPerThread; ++i) {
        Status status = node->DrawQuota("09.4450", 3'000,
                                        "decl-" + std::to_string(t) + "-" + std::to_string(i),
                                        At("2026-02-01T00:00:00Z"));
        if (status.ok()) {
          ++granted;
        } else if (status.error().reason == "quota-exhausted") {
          ++exhausted;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(granted.load(), 33);
  EXPECT_EQ(exhausted.load(), 2 * kThreadsPerNode * kDrawsPerThread - 33);
  EXPECT_EQ(DrawnAsSeenBy(*store_), 99'000);
  EXPECT_EQ(DrawnAsSeenBy(*other_), 99'000);
  // The balance row agrees with the draws recorded.
  EXPECT_EQ(PgQuery(pg_options_.url,
                    "SELECT drawn - (SELECT SUM(thousandths) FROM tariff_quota_draws)"
                    " FROM tariff_quota_balances"),
            "0");
}

// The same declaration filed through both nodes at once (a client retrying on another node)
// draws once.
TEST_P(PostgresTariffStoreTest, ADeclarationRetriedOnAnotherNodeDrawsOnce) {
  ASSERT_THAT(ApplyQuota(*store_, "f1", "100"), IsOk());
  for (int round = 0; round < 10; ++round) {
    const std::string reference = "decl-" + std::to_string(round);
    std::latch start(2);
    std::atomic<int> ok{0};
    auto draw = [&](TariffStore* node) {
      start.arrive_and_wait();
      if (node->DrawQuota("09.4450", 1'000, reference, At("2026-02-01T00:00:00Z")).ok()) ++ok;
    };
    std::thread a(draw, store_.get());
    std::thread b(draw, other_.get());
    a.join();
    b.join();
    EXPECT_EQ(ok.load(), 2) << reference;  // both answered ok …
  }
  EXPECT_EQ(DrawnAsSeenBy(*other_), 10'000);  // … and each declaration drew once
}

// A tariff update imported through one node is quoted by the other at once; the same file
// imported through both at once is applied once.
TEST_P(PostgresTariffStoreTest, AnImportThroughOneNodeIsSeenByTheOtherAndAppliedOnce) {
  auto update = ParseTariffUpdate(
      UpdateText("daily-1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}));
  ASSERT_THAT(update, IsOk());
  std::latch start(2);
  std::vector<Result<ImportReport>> reports(2, Error::Internal("not-run", "not run"));
  std::thread a([&] {
    start.arrive_and_wait();
    reports[0] = store_->Apply(*update, At("2026-01-01T00:00:00Z"));
  });
  std::thread b([&] {
    start.arrive_and_wait();
    reports[1] = other_->Apply(*update, At("2026-01-01T00:00:00Z"));
  });
  a.join();
  b.join();
  ASSERT_THAT(reports[0], IsOk());
  ASSERT_THAT(reports[1], IsOk());
  EXPECT_NE(reports[0]->already_imported, reports[1]->already_imported);
  EXPECT_EQ(reports[0]->new_measures + reports[1]->new_measures, 1);
  auto seen = FindMeasures(*other_, {"0901210000", "CO", Day("2026-05-01"),
                                     At("2026-06-01T00:00:00Z")});
  ASSERT_THAT(seen, IsOk());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ(seen->at(0).duty, "7.5 %");
  EXPECT_EQ(other_->ChangesSince(At("2025-01-01T00:00:00Z"), 10)->size(), 1u);
}

// Each node's cache (CachingTariffStore over its own PostgresTariffStore) serves quotes from
// memory until an import commits on any node: the revision both nodes read moves, and the
// next look-up rebuilds from a snapshot that holds the import.
TEST_P(PostgresTariffStoreTest, AnImportThroughAnotherNodeReachesThisNodesCache) {
  auto empty = store_->Revision();
  ASSERT_THAT(empty, IsOk());
  ASSERT_TRUE(empty->has_value());
  EXPECT_EQ((*empty)->imports, 0);
  EXPECT_EQ((*empty)->latest, Timestamp::min());
  CachingTariffStore cached(OpenAnotherNode());
  auto duties = [&cached](std::string code, std::string origin, Timestamp as_of) {
    std::vector<std::string> out;
    auto found =
        FindMeasures(cached, {std::move(code), std::move(origin), Day("2026-06-01"), as_of});
    EXPECT_THAT(found, IsOk());
    if (found.ok()) {
      for (const Measure& m : *found) out.push_back(m.duty);
    }
    return out;
  };
  const Timestamp june = At("2026-06-01T00:00:00Z");
  ASSERT_THAT(
      Apply(UpdateText(
                "f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")},
                {{"groups", boost::json::array{{{"code", "GSP"}, {"members", {"BD", "KH"}}}}},
                 {"rates",
                  boost::json::array{
                      {{"currency", "USD"}, {"perUnit", "1.10"}, {"validFrom", "2026-01-01"}}}}}),
            At("2026-01-01T00:00:00Z")),
      IsOk());
  for (int i = 0; i < 3; ++i) EXPECT_THAT(duties("0901210000", "CO", june), ElementsAre("7.5 %"));
  EXPECT_THAT(cached.GroupsOf("KH", june).value(), ElementsAre("GSP"));
  EXPECT_EQ(cached.stats().builds, 1);
  EXPECT_EQ(cached.stats().passed, 0);
  auto before = store_->Revision();
  ASSERT_THAT(before, IsOk());
  EXPECT_EQ(**before, *other_->Revision().value());
  EXPECT_EQ((*before)->latest, At("2026-01-01T00:00:00Z"));

  auto update = ParseTariffUpdate(UpdateText(
      "f2",
      {Upsert("TC", "third-country-duty", "0901", "1011", "6 %"),
       Upsert("SUS", "suspension", "090121", "1011", "0 %")},
      {{"groups", boost::json::array{{{"code", "GSP"}, {"members", {"BD"}}}}},
       {"rates", boost::json::array{
                     {{"currency", "USD"}, {"perUnit", "1.20"}, {"validFrom", "2026-05-01"}}}}}));
  ASSERT_THAT(update, IsOk());
  ASSERT_THAT(other_->Apply(*update, At("2026-03-01T00:00:00Z")), IsOk());
  auto after = store_->Revision();
  ASSERT_THAT(after, IsOk());
  EXPECT_NE(**after, **before);
  EXPECT_EQ((*after)->latest, At("2026-03-01T00:00:00Z"));
  EXPECT_THAT(duties("0901210000", "CO", june), ElementsAre("6 %", "0 %"));
  EXPECT_THAT(cached.GroupsOf("KH", june).value(), IsEmpty());
  EXPECT_EQ(cached.stats().builds, 2);
  EXPECT_EQ(cached.RateOn("USD", Day("2026-06-01"), june).value()->per_unit, Decimal{1'200'000});
  EXPECT_EQ(cached.RateOn("USD", Day("2026-02-01"), june).value()->per_unit, Decimal{1'100'000});
  EXPECT_EQ(cached.stats().passed, 0);
  // The view as of before the import is the backend's, unchanged.
  EXPECT_THAT(duties("0901210000", "CO", At("2026-02-01T00:00:00Z")), ElementsAre("7.5 %"));
  EXPECT_GT(cached.stats().passed, 0);
  // Two rates of one day recorded together: the cache answers the row RateOn() answers.
  TariffUpdate twice = *update;
  twice.file_id = "f3";
  twice.upserts.clear();
  twice.groups.clear();
  twice.rates = {update->rates[0], update->rates[0]};
  twice.rates[1].per_unit = Decimal{1'300'000};
  ASSERT_THAT(other_->Apply(twice, At("2026-04-01T00:00:00Z")), IsOk());
  auto direct = other_->RateOn("USD", Day("2026-06-01"), june);
  ASSERT_THAT(direct, IsOk());
  ASSERT_TRUE(direct->has_value());
  EXPECT_EQ(cached.RateOn("USD", Day("2026-06-01"), june).value()->per_unit, (*direct)->per_unit);
  after = store_->Revision();
  ASSERT_THAT(after, IsOk());
  // A file applied again records nothing: the revision stays, and so does the cache.
  ASSERT_THAT(store_->Apply(*update, At("2026-04-01T00:00:00Z")), IsOk());
  EXPECT_EQ(*store_->Revision().value(), **after);
  EXPECT_THAT(duties("0901210000", "CO", june), ElementsAre("6 %", "0 %"));
  EXPECT_EQ(cached.stats().builds, 3);
}

// A snapshot's revision is the one its data belongs to, and it holds the current versions only.
TEST_P(PostgresTariffStoreTest, ASnapshotHoldsTheCurrentVersionsOfItsRevision) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %"),
                                      Upsert("B", "third-country-duty", "0902", "1011", "3 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  ASSERT_THAT(Apply(UpdateText("f2", {Upsert("TC", "third-country-duty", "0901", "1011", "6 %")}),
                    At("2026-02-01T00:00:00Z")),
              IsOk());
  auto snapshot = other_->Snapshot();
  ASSERT_THAT(snapshot, IsOk());
  ASSERT_TRUE(snapshot->has_value());
  EXPECT_EQ((*snapshot)->revision, *store_->Revision().value());
  EXPECT_EQ((*snapshot)->revision.latest, At("2026-02-01T00:00:00Z"));
  std::vector<std::string> current;
  for (const Measure& m : (*snapshot)->measures) current.push_back(m.id + " " + m.duty);
  EXPECT_THAT(current, UnorderedElementsAre("TC 6 %", "B 3 %"));
}

// A quota whose volume an import changes keeps what was drawn: the new volume applies to the
// next draw on every node.
TEST_P(PostgresTariffStoreTest, ANewVolumeKeepsTheDrawsAndAppliesEverywhere) {
  ASSERT_THAT(ApplyQuota(*store_, "f1", "10"), IsOk());
  ASSERT_THAT(store_->DrawQuota("09.4450", 9'000, "a", At("2026-02-01T00:00:00Z")), IsOk());
  EXPECT_THAT(other_->DrawQuota("09.4450", 2'000, "b", At("2026-02-01T00:00:00Z")),
              HasReason("quota-exhausted"));
  ASSERT_THAT(ApplyQuota(*other_, "f2", "20"), IsOk());
  EXPECT_THAT(store_->DrawQuota("09.4450", 2'000, "b", At("2026-02-02T00:00:00Z")), IsOk());
  auto state = other_->QuotaOf("09.4450", Timestamp::max());
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ((*state)->quota.volume_thousandths, 20'000);
  EXPECT_EQ((*state)->drawn_thousandths, 11'000);
}

TEST_P(PostgresTariffStoreTest, TextPostgresCannotHoldNamesNothing) {
  const std::string nul("09\0" "4450", 7);
  EXPECT_THAT(store_->DrawQuota(nul, 1, "x", At("2026-02-01T00:00:00Z")),
              HasReason("quota-not-found"));
  auto quota = store_->QuotaOf(nul, Timestamp::max());
  ASSERT_THAT(quota, IsOk());
  EXPECT_FALSE(quota->has_value());
  auto node = store_->Node(std::string("02\0" "02", 5));
  ASSERT_THAT(node, IsOk());
  EXPECT_FALSE(node->has_value());
  auto hits = store_->Search("caf\xff", 5);
  ASSERT_THAT(hits, IsOk());
  EXPECT_TRUE(hits->empty());
}

TEST_P(PostgresTariffStoreTest, RefusesADatabaseMigratedByANewerBuildAndBadOptions) {
  PgQuery(pg_options_.url, "INSERT INTO tariff_schema_migrations VALUES (99, 0)");
  EXPECT_THAT(postgres::PostgresTariffStore::Open(pg_options_), HasReason("schema-too-new"));
  postgres::PostgresTariffOptions options;
  options.url = "sqlite:/tmp/tariff.db";
  EXPECT_THAT(postgres::PostgresTariffStore::Open(options), HasReason("bad-tariff-store-option"));
  options.url = pg_options_.url;
  options.connections = 0;
  EXPECT_THAT(postgres::PostgresTariffStore::Open(options), HasReason("bad-tariff-store-option"));
  // An unreachable server is the tariff's own error, without the URL's password.
  options.connections = 1;
  options.url = "postgres://clearway:s3cret@127.0.0.1:1/none?connect_timeout=2";
  auto unreachable = postgres::PostgresTariffStore::Open(options);
  ASSERT_THAT(unreachable, HasReason("tariff-store-failed"));
  EXPECT_EQ(unreachable.error().message.find("s3cret"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresTariffStoreTest, ::testing::Values(Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace clearway::tariff
