// CachingTariffStore: what the cache adds over the backend. That it answers exactly as the
// backend does is tested by running the store and duty engine tests through it
// (CLEARWAY_TARIFF_BACKENDS in tariff_store_contract_test.cc and duty_engine_test.cc).
#include "tariff/caching_tariff_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tariff/tariff_fixture.h"

namespace clearway::tariff {
namespace {

using ::clearway::testing::IsOk;
using namespace ::clearway::tariff::testing;  // NOLINT: test helpers
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class CacheTest : public TariffStoreTest {
 protected:
  std::vector<std::string> Duties(std::string code, Timestamp as_of) {
    std::vector<std::string> out;
    auto found = FindMeasures(*store_, MeasureQuery{code, "CO", Day("2026-06-01"), as_of});
    EXPECT_THAT(found, IsOk());
    if (found.ok()) {
      for (const auto& m : *found) out.push_back(m.duty);
    }
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Cached, CacheTest, ::testing::Values(Backend::kCached), BackendName);

TEST_P(CacheTest, LookUpsAreServedFromOneBuildUntilTheTariffChanges) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("7.5 %"));
  }
  CachingTariffStore::Stats stats = cached_->stats();
  EXPECT_EQ(stats.builds, 1);
  EXPECT_EQ(stats.served, 10);  // MeasuresFor and GroupsOf, five times
  EXPECT_EQ(stats.passed, 0);
}

TEST_P(CacheTest, AMeasureImportedThroughAnotherHandleIsSeenByTheNextLookUp) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("7.5 %"));
  auto other = OtherHandle();
  ASSERT_NE(other, nullptr);
  auto update = ParseTariffUpdate(UpdateText(
      "f2", {Upsert("TC", "third-country-duty", "0901", "1011", "6 %"),
             Upsert("SUS", "suspension", "090121", "1011", "0 %")}));
  ASSERT_THAT(update, IsOk());
  ASSERT_THAT(other->Apply(*update, At("2026-03-01T00:00:00Z")), IsOk());
  std::vector<std::string> duties = Duties("0901210000", At("2026-06-01T00:00:00Z"));
  EXPECT_THAT(duties, ElementsAre("6 %", "0 %"));
  EXPECT_EQ(cached_->stats().builds, 2);
  // The view as of before the change is the backend's, unchanged.
  EXPECT_THAT(Duties("0901210000", At("2026-02-01T00:00:00Z")), ElementsAre("7.5 %"));
  EXPECT_GT(cached_->stats().passed, 0);
}

TEST_P(CacheTest, GroupsAndRatesChangedByAnotherHandleAreSeen) {
  std::string groups = UpdateText(
      "f1", {}, {{"groups", boost::json::array{{{"code", "GSP"}, {"members", {"BD", "KH"}}}}},
                 {"rates", boost::json::array{{{"currency", "USD"}, {"perUnit", "1.10"},
                                               {"validFrom", "2026-01-01"}}}}});
  ASSERT_THAT(Apply(groups, At("2026-01-01T00:00:00Z")), IsOk());
  EXPECT_THAT(store_->GroupsOf("KH", At("2026-06-01T00:00:00Z")).value(), ElementsAre("GSP"));
  EXPECT_EQ(store_->RateOn("USD", Day("2026-06-01"), At("2026-06-01T00:00:00Z")).value()->per_unit,
            Decimal{1'100'000});
  auto other = OtherHandle();
  ASSERT_NE(other, nullptr);
  auto update = ParseTariffUpdate(UpdateText(
      "f2", {}, {{"groups", boost::json::array{{{"code", "GSP"}, {"members", {"BD"}}}}},
                 {"rates", boost::json::array{{{"currency", "USD"}, {"perUnit", "1.20"},
                                               {"validFrom", "2026-05-01"}}}}}));
  ASSERT_THAT(update, IsOk());
  ASSERT_THAT(other->Apply(*update, At("2026-04-01T00:00:00Z")), IsOk());
  EXPECT_THAT(store_->GroupsOf("KH", At("2026-06-01T00:00:00Z")).value(), IsEmpty());
  EXPECT_EQ(store_->RateOn("USD", Day("2026-06-01"), At("2026-06-01T00:00:00Z")).value()->per_unit,
            Decimal{1'200'000});
  EXPECT_EQ(store_->RateOn("USD", Day("2026-02-01"), At("2026-06-01T00:00:00Z")).value()->per_unit,
            Decimal{1'100'000});
  EXPECT_FALSE(store_->RateOn("GBP", Day("2026-06-01"), At("2026-06-01T00:00:00Z")).value());
}

// Inside a read scope (a quote) the look-ups answer at the revision of the scope's start, one
// build; an import committed by another handle meanwhile is seen by the next scope, and by
// look-ups outside any scope at once.
TEST_P(CacheTest, AReadScopePinsTheRevisionUntilItEnds) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  auto other = OtherHandle();
  ASSERT_NE(other, nullptr);
  auto update = ParseTariffUpdate(UpdateText(
      "f2", {Upsert("TC", "third-country-duty", "0901", "1011", "6 %")}));
  ASSERT_THAT(update, IsOk());
  {
    std::unique_ptr<TariffStore::ReadScope> scope = store_->BeginReads();
    ASSERT_NE(scope, nullptr);
    EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("7.5 %"));
    ASSERT_THAT(other->Apply(*update, At("2026-03-01T00:00:00Z")), IsOk());
    EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("7.5 %"));
    {
      std::unique_ptr<TariffStore::ReadScope> inner = store_->BeginReads();  // nested: sees it
      EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("6 %"));
    }
    EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("7.5 %"));
    // Another thread is not pinned by this thread's scope.
    std::vector<std::string> elsewhere;
    std::thread([&] { elsewhere = Duties("0901210000", At("2026-06-01T00:00:00Z")); }).join();
    EXPECT_THAT(elsewhere, ElementsAre("6 %"));
    // As of an instant before the pinned revision the backend answers, as without a scope.
    EXPECT_THAT(Duties("0901210000", At("2025-06-01T00:00:00Z")), IsEmpty());
  }
  EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("6 %"));
  EXPECT_EQ(cached_->stats().builds, 2);
}

// A quote opens a scope: an import by another process before the quote is seen by it.
TEST_P(CacheTest, AQuoteSeesAnImportCommittedBeforeIt) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("7.5 %"));
  int64_t builds = cached_->stats().builds;
  auto other = OtherHandle();
  ASSERT_NE(other, nullptr);
  auto update = ParseTariffUpdate(UpdateText(
      "f2", {Upsert("TC", "third-country-duty", "0901", "1011", "6 %")}));
  ASSERT_THAT(update, IsOk());
  ASSERT_THAT(other->Apply(*update, At("2026-03-01T00:00:00Z")), IsOk());
  std::unique_ptr<TariffStore::ReadScope> scope = store_->BeginReads();
  EXPECT_EQ(cached_->stats().builds, builds + 1);  // the scope's start rebuilt the index
  EXPECT_THAT(Duties("0901210000", At("2026-06-01T00:00:00Z")), ElementsAre("6 %"));
}

// Look-ups racing an import see the old tariff or the new one, never a mixture and never an
// error; once the import has committed every look-up sees it.
TEST_P(CacheTest, LookUpsDuringAnImportSeeOneTariffOrTheOther) {
  ASSERT_THAT(Apply(UpdateText("f0", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  std::atomic<bool> imported{false};
  std::atomic<int> mixed{0};
  std::atomic<int> stale_after{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        bool done_before = imported.load();
        auto found = store_->MeasuresFor("0901210000", Day("2026-06-01"), At("2027-01-01T00:00:00Z"));
        if (!found.ok()) {
          ++mixed;
          continue;
        }
        // The new tariff changes TC and adds SUS in one file: both or neither.
        bool new_tc = false;
        bool sus = false;
        for (const auto& m : *found) {
          new_tc = new_tc || (m.id == "TC" && m.duty == "6 %");
          sus = sus || m.id == "SUS";
        }
        if (new_tc != sus || found->size() != (sus ? 2u : 1u)) ++mixed;
        if (done_before && !sus) ++stale_after;
      }
    });
  }
  auto other = OtherHandle();
  ASSERT_NE(other, nullptr);
  auto update = ParseTariffUpdate(UpdateText(
      "f1", {Upsert("TC", "third-country-duty", "0901", "1011", "6 %"),
             Upsert("SUS", "suspension", "090121", "1011", "0 %")}));
  ASSERT_THAT(update, IsOk());
  ASSERT_THAT(other->Apply(*update, At("2026-03-01T00:00:00Z")), IsOk());
  imported = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_EQ(stale_after.load(), 0);
}

}  // namespace
}  // namespace clearway::tariff
