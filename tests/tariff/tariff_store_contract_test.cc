// The TariffStore contract: every test runs on SQLite and on PostgreSQL
// (tariff_fixture.h), and the PostgreSQL-only tests at the end open several stores on one
// database, as several nodes do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "tariff/tariff_fixture.h"

namespace clearway::tariff {
namespace {

using ::clearway::testing::HasCode;
using ::clearway::testing::HasDetail;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using namespace ::clearway::tariff::testing;  // NOLINT: test helpers
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Ids(const std::vector<Measure>& measures) {
  std::vector<std::string> out;
  for (const auto& m : measures) out.push_back(m.id);
  return out;
}

class StoreTest : public TariffStoreTest {
 protected:
  Result<std::vector<Measure>> Find(std::string code, std::string origin, std::string date,
                                    Timestamp as_of) {
    return FindMeasures(*store_, MeasureQuery{code, origin, Day(date), as_of});
  }
};

TEST_P(StoreTest, LookupCoversTheHierarchyTheAreaAndItsExclusions) {
  auto gsp = Upsert("PREF-GSP", "preference", "6109", "GSP", "0 %");
  gsp["agreement"] = "GSP";
  gsp["excluded"] = boost::json::array{"IN"};
  std::string text = UpdateText(
      "f1",
      {Upsert("TC-61", "third-country-duty", "61", "1011", "12 %"),
       Upsert("TC-6109", "third-country-duty", "6109", "1011", "10 %"), gsp,
       Upsert("TC-0202", "third-country-duty", "0202", "1011", "12.8 %")},
      {{"groups", boost::json::array{{{"code", "GSP"}, {"members", {"BD", "IN"}}}}}});
  ASSERT_THAT(Apply(text, At("2026-01-01T00:00:00Z")), IsOk());
  Timestamp now = At("2026-06-01T00:00:00Z");
  EXPECT_THAT(Ids(*Find("6109100010", "BD", "2026-05-01", now)),
              ElementsAre("TC-6109", "TC-61", "PREF-GSP"));
  EXPECT_THAT(Ids(*Find("6109100010", "IN", "2026-05-01", now)), ElementsAre("TC-6109", "TC-61"));
  EXPECT_THAT(Ids(*Find("6109100010", "CN", "2026-05-01", now)), ElementsAre("TC-6109", "TC-61"));
  EXPECT_THAT(Ids(*Find("610120", "BD", "2026-05-01", now)), ElementsAre("TC-61"));
  EXPECT_THAT(Find("61091", "BD", "2026-05-01", now), HasDetail("code", "bad-commodity-code"));
  EXPECT_THAT(Find("610910", "XX", "2026-05-01", now), HasDetail("origin", "unknown-country"));
}

TEST_P(StoreTest, MeasuresStartingAndEndingOnTheDateAreHalfOpen) {
  auto ending = Upsert("OLD", "third-country-duty", "0901", "1011", "9 %");
  ending["validTo"] = "2026-07-01";
  std::string text = UpdateText(
      "f1", {ending, Upsert("NEW", "third-country-duty", "0901", "1011", "7.5 %", "2026-07-01")});
  ASSERT_THAT(Apply(text, At("2026-01-01T00:00:00Z")), IsOk());
  Timestamp now = At("2026-08-01T00:00:00Z");
  EXPECT_THAT(Ids(*Find("090121", "CO", "2026-06-30", now)), ElementsAre("OLD"));
  EXPECT_THAT(Ids(*Find("090121", "CO", "2026-07-01", now)), ElementsAre("NEW"));
  EXPECT_THAT(Ids(*Find("090121", "CO", "2019-12-31", now)), IsEmpty());
}

TEST_P(StoreTest, AChangeRecordedLaterLeavesTheOldViewIntact) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  auto report = Apply(UpdateText("f2", {Upsert("TC", "third-country-duty", "0901", "1011", "6 %")}),
                      At("2026-03-01T00:00:00Z"));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->modified_measures, 1);
  auto before = Find("090121", "CO", "2026-02-01", At("2026-02-01T00:00:00Z"));
  auto after = Find("090121", "CO", "2026-02-01", At("2026-03-01T00:00:00Z"));
  ASSERT_THAT(before, IsOk());
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(before->at(0).duty, "7.5 %");
  EXPECT_EQ(after->at(0).duty, "6 %");
  EXPECT_THAT(Find("090121", "CO", "2026-02-01", At("2025-12-31T00:00:00Z")).value(), IsEmpty());
}

TEST_P(StoreTest, AnImportFailingHalfWayChangesNothing) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  // The first entry modifies TC, the second adds a measure, the third ends one that does not
  // exist: the store refuses it inside the transaction, after writing the first two.
  std::string text = UpdateText(
      "f2", {Upsert("TC", "third-country-duty", "0901", "1011", "1 %"),
             Upsert("PREF", "third-country-duty", "0902", "1011", "3 %"),
             boost::json::object{{"op", "end"}, {"id", "NO-SUCH"}, {"validTo", "2026-09-01"}}},
      {{"rates", boost::json::array{{{"currency", "USD"}, {"perUnit", "1.1"}, {"validFrom", "2026-01-01"}}}}});
  EXPECT_THAT(Apply(text, At("2026-02-01T00:00:00Z")), HasReason("measure-not-found"));
  Timestamp now = At("2026-03-01T00:00:00Z");
  EXPECT_EQ(Find("090121", "CO", "2026-02-15", now)->at(0).duty, "7.5 %");
  EXPECT_THAT(Find("090210", "CO", "2026-02-15", now).value(), IsEmpty());
  EXPECT_FALSE(store_->RateOn("USD", Day("2026-02-15"), now).value().has_value());
  EXPECT_THAT(store_->ChangesSince(At("2026-01-15T00:00:00Z"), 100).value(), IsEmpty());
  // The file id was not consumed: a corrected file with the same id applies.
  EXPECT_THAT(Apply(UpdateText("f2", {Upsert("TC", "third-country-duty", "0901", "1011", "1 %")}),
                    At("2026-02-02T00:00:00Z")),
              IsOk());
}

TEST_P(StoreTest, ReimportingTheSameFileChangesNothing) {
  std::string text =
      UpdateText("daily-1", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")});
  auto first = Apply(text, At("2026-01-01T00:00:00Z"));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->new_measures, 1);
  auto again = Apply(text, At("2026-01-02T00:00:00Z"));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->already_imported);
  EXPECT_EQ(again->new_measures, 0);
  EXPECT_EQ(store_->ChangesSince(At("2025-01-01T00:00:00Z"), 100)->size(), 1u);
  std::string other =
      UpdateText("daily-1", {Upsert("TC", "third-country-duty", "0901", "1011", "1 %")});
  EXPECT_THAT(Apply(other, At("2026-01-03T00:00:00Z")), HasReason("update-file-conflict"));
  // A new file repeating the same content records no new version.
  auto same = Apply(UpdateText("daily-2", {Upsert("TC", "third-country-duty", "0901", "1011", "7.5 %")}),
                    At("2026-01-04T00:00:00Z"));
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(same->unchanged_measures, 1);
}

TEST_P(StoreTest, ChangesListNewModifiedAndEndedSinceADate) {
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert("A", "third-country-duty", "0901", "1011", "7.5 %"),
                                      Upsert("B", "third-country-duty", "0902", "1011", "3 %")}),
                    At("2026-01-01T10:00:00Z")),
              IsOk());
  ASSERT_THAT(Apply(UpdateText("f2", {Upsert("A", "third-country-duty", "0901", "1011", "6 %"),
                                      boost::json::object{{"op", "end"}, {"id", "B"},
                                                          {"validTo", "2026-04-01"}}}),
                    At("2026-02-01T10:00:00Z")),
              IsOk());
  auto changes = store_->ChangesSince(At("2026-02-01T00:00:00Z"), 100);
  ASSERT_THAT(changes, IsOk());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ(changes->at(0).kind, MeasureChange::Kind::kModified);
  EXPECT_EQ(changes->at(0).measure.id, "A");
  EXPECT_EQ(changes->at(1).kind, MeasureChange::Kind::kEnded);
  EXPECT_EQ(changes->at(1).measure.valid_to, Day("2026-04-01"));
  EXPECT_EQ(changes->at(1).file_id, "f2");
  EXPECT_EQ(store_->ChangesSince(At("2026-01-01T00:00:00Z"), 100)->size(), 4u);
}

TEST_P(StoreTest, ChangesOfOneMeasureWithinOneUpdateApplyInOrder) {
  // Update files name a measure once, but an update built in code may name it again: each
  // entry sees the version the one before recorded, as with a statement per entry.
  auto first = ParseTariffUpdate(
      UpdateText("f1", {Upsert("A", "third-country-duty", "0901", "1011", "7.5 %")}));
  ASSERT_THAT(first, IsOk());
  TariffUpdate update = *first;
  update.upserts.push_back(update.upserts[0]);
  update.upserts[1].duty = "6 %";
  update.upserts.push_back(update.upserts[1]);  // unchanged
  update.ends.push_back(MeasureEnd{"A", Day("2026-06-01")});
  auto report = store_->Apply(update, At("2026-01-01T00:00:00Z"));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->new_measures, 1);
  EXPECT_EQ(report->modified_measures, 1);
  EXPECT_EQ(report->unchanged_measures, 1);
  EXPECT_EQ(report->ended_measures, 1);
  auto changes = store_->ChangesSince(At("2025-01-01T00:00:00Z"), 100);
  ASSERT_THAT(changes, IsOk());
  ASSERT_EQ(changes->size(), 3u);
  EXPECT_EQ(changes->at(0).kind, MeasureChange::Kind::kNew);
  EXPECT_EQ(changes->at(1).kind, MeasureChange::Kind::kModified);
  EXPECT_EQ(changes->at(2).kind, MeasureChange::Kind::kEnded);
  auto now = Find("090121", "CO", "2026-02-01", At("2026-03-01T00:00:00Z"));
  ASSERT_THAT(now, IsOk());
  ASSERT_EQ(now->size(), 1u);
  EXPECT_EQ(now->at(0).duty, "6 %");
  EXPECT_EQ(now->at(0).valid_to, Day("2026-06-01"));
  EXPECT_THAT(Find("090121", "CO", "2026-07-01", At("2026-03-01T00:00:00Z")).value(), IsEmpty());
}

TEST_P(StoreTest, MeasureIdsWithQuotesAndBracesAreMatchedExactly) {
  const std::string odd = "Q\"1\\{b},c";  // Q"1\{b},c
  const std::string plain = "Q1\\{b}";    // a neighbour, left as it is: Q1\{b}
  ASSERT_THAT(Apply(UpdateText("f1", {Upsert(odd, "third-country-duty", "0901", "1011", "7.5 %"),
                                      Upsert(plain, "third-country-duty", "0902", "1011", "2 %")}),
                    At("2026-01-01T00:00:00Z")),
              IsOk());
  auto report = Apply(UpdateText("f2", {Upsert(odd, "third-country-duty", "0901", "1011", "6 %")}),
                      At("2026-02-01T00:00:00Z"));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->modified_measures, 1);
  auto coffee = Find("090121", "CO", "2026-03-01", At("2026-03-01T00:00:00Z"));
  ASSERT_THAT(coffee, IsOk());
  ASSERT_EQ(coffee->size(), 1u);
  EXPECT_EQ(coffee->at(0).id, odd);
  EXPECT_EQ(coffee->at(0).duty, "6 %");
  auto tea = Find("090210", "CO", "2026-03-01", At("2026-03-01T00:00:00Z"));
  ASSERT_THAT(tea, IsOk());
  ASSERT_EQ(tea->size(), 1u);
  EXPECT_EQ(tea->at(0).duty, "2 %");
}

TEST_P(StoreTest, ANomenclatureLineRepeatedInOneImportKeepsTheLastText) {
  std::vector<NomenclatureNode> nodes = {{"0901", "09", "Coffee", Day("2022-01-01"), {}},
                                         {"0902", "09", "Tea", Day("2022-01-01"), {}},
                                         {"0901", "09", "Coffee, roasted", Day("2023-01-01"), {}}};
  ASSERT_THAT(store_->ImportNomenclature(nodes), IsOk());
  auto coffee = store_->Node("0901");
  ASSERT_THAT(coffee, IsOk());
  ASSERT_TRUE(coffee->has_value());
  EXPECT_EQ(coffee->value().description, "Coffee, roasted");
  EXPECT_EQ(coffee->value().valid_from, Day("2023-01-01"));
  auto hits = store_->Search("roasted", 5);
  ASSERT_THAT(hits, IsOk());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->at(0).code, "0901");
  EXPECT_EQ(store_->Node("0902").value().value().description, "Tea");
}

TEST_P(StoreTest, UpdateFileErrorsNameTheField) {
  EXPECT_THAT(ParseTariffUpdate(UpdateText("f", {Upsert("A", "third-country-duty", "0901", "1011",
                                                        "7.5 % + ")})),
              HasDetail("measures[0].duty", "bad-duty-expression"));
  EXPECT_THAT(ParseTariffUpdate(UpdateText("f", {Upsert("A", "vat", "0901", "1011", "1 GBP / % vol")})),
              HasDetail("measures[0].duty", "unknown-duty-unit"));
  EXPECT_THAT(ParseTariffUpdate(UpdateText("f", {Upsert("A", "duty", "0901", "1011", "1 %")})),
              HasDetail("measures[0].type", "unknown-measure-type"));
  EXPECT_THAT(ParseTariffUpdate(UpdateText("f", {Upsert("A", "vat", "090", "1011", "1 %")})),
              HasDetail("measures[0].code", "bad-commodity-code"));
  EXPECT_THAT(ParseTariffUpdate(UpdateText("f", {Upsert("A", "vat", "09", "1011", "")})),
              HasDetail("measures[0].duty", "required"));
  EXPECT_THAT(ParseTariffUpdate(UpdateText("f", {Upsert("A", "vat", "09", "1011", "1 %"),
                                                 Upsert("A", "vat", "10", "1011", "1 %")})),
              HasDetail("measures[1].id", "duplicate-measure"));
  EXPECT_THAT(ParseTariffUpdate(UpdateText("bad id", {})), HasDetail("fileId", "bad-file-id"));
  EXPECT_THAT(ParseTariffUpdate("{\"fileId\":\"f\",\"extra\":1}"), HasDetail("extra", "unknown-field"));
  EXPECT_THAT(ParseTariffUpdate("{"), HasCode(ErrorCode::kInvalidArgument));
}

TEST_P(StoreTest, QuotaDrawsReduceTheBalanceAsRecorded) {
  std::string text = UpdateText(
      "f1", {}, {{"quotas", boost::json::array{{{"orderNumber", "09.4450"}, {"volume", "1000"}, {"unit", "kg"}}}}});
  ASSERT_THAT(Apply(text, At("2026-01-01T00:00:00Z")), IsOk());
  ASSERT_THAT(store_->DrawQuota("09.4450", 600'000, "decl-1", At("2026-02-01T00:00:00Z")), IsOk());
  EXPECT_THAT(store_->DrawQuota("09.4450", 500'000, "decl-2", At("2026-02-02T00:00:00Z")),
              HasReason("quota-exhausted"));
  EXPECT_THAT(store_->DrawQuota("09.9999", 1, "decl-3", At("2026-02-02T00:00:00Z")),
              HasReason("quota-not-found"));
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-01-15T00:00:00Z")).value()->drawn_thousandths, 0);
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-03-01T00:00:00Z")).value()->drawn_thousandths, 600'000);
}

// Draws that arrive together share a transaction (group commit); each still gets its own
// answer, the balance is never overdrawn, a declaration draws once, and quotes read the
// balance on their own connections meanwhile.
TEST_P(StoreTest, ConcurrentQuotaDrawsAreExactAndEachGetsItsAnswer) {
  std::string text = UpdateText(
      "f1", {}, {{"quotas", boost::json::array{{{"orderNumber", "09.4450"}, {"volume", "100"}, {"unit", "kg"}}}}});
  ASSERT_THAT(Apply(text, At("2026-01-01T00:00:00Z")), IsOk());
  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  std::atomic<int> drawn{0};
  std::atomic<int> exhausted{0};
  std::atomic<int> other{0};
  std::atomic<int> bad_reads{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every declaration twice (a retry): the second finds the first's draw.
        const std::string reference = "decl-" + std::to_string(t) + "-" + std::to_string(i / 2);
        Status status = store_->DrawQuota("09.4450", 2'000, reference, At("2026-02-01T00:00:00Z"));
        if (status.ok()) {
          ++drawn;
        } else if (status.error().reason == "quota-exhausted") {
          ++exhausted;
        } else {
          ++other;
        }
        auto state = store_->QuotaOf("09.4450", Timestamp::max());
        if (!state.ok() || !*state || (*state)->drawn_thousandths > 100'000) ++bad_reads;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  // 40 declarations of 2 kg on a 100 kg quota: all fit; each was filed twice.
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(bad_reads.load(), 0);
  EXPECT_EQ(exhausted.load(), 0);
  EXPECT_EQ(drawn.load(), kThreads * kEach);
  EXPECT_EQ(store_->QuotaOf("09.4450", Timestamp::max()).value()->drawn_thousandths, 80'000);
  if (sqlite_ != nullptr) {
    EXPECT_GE(sqlite_->DrawBatchesForTesting(), 1);
    EXPECT_LE(sqlite_->DrawBatchesForTesting(), kThreads * kEach);
  }

  // Now 20 kg are left: of 8 concurrent draws of 3 kg, exactly 6 are granted.
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Status status = store_->DrawQuota("09.4450", 3'000, "late-" + std::to_string(t),
                                        At("2026-03-01T00:00:00Z"));
      if (status.ok()) {
        ++granted;
      } else if (status.error().reason == "quota-exhausted") {
        ++refused;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 6);
  EXPECT_EQ(refused.load(), 2);
  EXPECT_EQ(store_->QuotaOf("09.4450", Timestamp::max()).value()->drawn_thousandths, 98'000);
}

// Quota balances are read from the store every time (never cached), draws through either of
// two handles (two processes on one tariff.db, or two nodes on one PostgreSQL database) see each other's, and a draw after an import by the other handle succeeds (a
// statement left open on the writer connection used to pin it to a stale snapshot).
TEST_P(StoreTest, QuotaStateIsSharedWithAnotherHandle) {
  std::string text = UpdateText(
      "f1", {}, {{"quotas", boost::json::array{{{"orderNumber", "09.4450"}, {"volume", "1000"}, {"unit", "kg"}}}}});
  ASSERT_THAT(Apply(text, At("2026-01-01T00:00:00Z")), IsOk());
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-03-01T00:00:00Z")).value()->drawn_thousandths, 0);
  auto other = AnotherHandle();
  ASSERT_NE(other, nullptr);
  ASSERT_THAT(other->DrawQuota("09.4450", 250'000, "decl-1", At("2026-02-01T00:00:00Z")), IsOk());
  auto more = ParseTariffUpdate(UpdateText("f2", {Upsert("TC", "third-country-duty", "0901", "1011", "6 %")}));
  ASSERT_THAT(more, IsOk());
  ASSERT_THAT(other->Apply(*more, At("2026-01-02T00:00:00Z")), IsOk());
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-03-01T00:00:00Z")).value()->drawn_thousandths,
            250'000);
  ASSERT_THAT(store_->DrawQuota("09.4450", 750'000, "decl-2", At("2026-02-02T00:00:00Z")), IsOk());
  EXPECT_EQ(other->QuotaOf("09.4450", At("2026-03-01T00:00:00Z")).value()->drawn_thousandths,
            1'000'000);
}

// The balance as of an instant between draws counts the draws recorded by then only (the
// running balance answers "now"; an old quote is reproduced from the draws).
TEST_P(StoreTest, QuotaBalanceAsOfAnEarlierInstantCountsTheDrawsRecordedByThen) {
  std::string text = UpdateText(
      "f1", {}, {{"quotas", boost::json::array{{{"orderNumber", "09.4450"}, {"volume", "1000"}, {"unit", "kg"}}}}});
  ASSERT_THAT(Apply(text, At("2026-01-01T00:00:00Z")), IsOk());
  ASSERT_THAT(store_->DrawQuota("09.4450", 100'000, "decl-1", At("2026-02-01T00:00:00Z")), IsOk());
  ASSERT_THAT(store_->DrawQuota("09.4450", 200'000, "decl-2", At("2026-03-01T00:00:00Z")), IsOk());
  ASSERT_THAT(store_->DrawQuota("09.4450", 200'000, "decl-2", At("2026-03-02T00:00:00Z")), IsOk());
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-02-15T00:00:00Z")).value()->drawn_thousandths,
            100'000);
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-03-01T00:00:00Z")).value()->drawn_thousandths,
            300'000);
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-04-01T00:00:00Z")).value()->drawn_thousandths,
            300'000);  // decl-2's retry drew nothing
  EXPECT_THAT(store_->DrawQuota("09.4450", 700'001, "decl-3", At("2026-04-01T00:00:00Z")),
              HasReason("quota-exhausted"));
  ASSERT_THAT(store_->DrawQuota("09.4450", 700'000, "decl-3", At("2026-04-01T00:00:00Z")), IsOk());
  EXPECT_EQ(store_->QuotaOf("09.4450", At("2026-05-01T00:00:00Z")).value()->drawn_thousandths,
            1'000'000);
}

TEST_P(StoreTest, SearchFindsFrozenBonelessBovineMeatInTheRealNomenclature) {
  std::string csv = ReadAll(SourceData("hs/harmonized-system.csv"));
  ASSERT_FALSE(csv.empty()) << "missing " << SourceData("hs/harmonized-system.csv");
  auto nodes = ParseHsCsv(csv);
  ASSERT_THAT(nodes, IsOk());
  EXPECT_EQ(nodes->size(), 96u + 1228u + 5612u);  // the README's legal counts
  ASSERT_THAT(store_->ImportNomenclature(*nodes), IsOk());
  auto hits = store_->Search("frozen boneless bovine meat", 5);
  ASSERT_THAT(hits, IsOk());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->at(0).code, "020230");
  EXPECT_GT(hits->at(0).score, 0.0);
  auto node = store_->Node("020230");
  ASSERT_THAT(node, IsOk());
  EXPECT_EQ(node->value().parent, "0202");
  // Query syntax is taken literally, and a query without words is refused.
  EXPECT_THAT(store_->Search("coffee\" OR NEAR(", 5), IsOk());
  EXPECT_THAT(store_->Search("  ;; ", 5), HasReason("empty-query"));
}

TEST_P(StoreTest, ImportsTheRealUkGlobalTariff) {
  std::string csv = ReadAll(SourceData("tariff/uk-ukgt/ukgt_2021-01-01.csv"));
  ASSERT_FALSE(csv.empty());
  auto converted = DetectAndParseImport(csv);
  ASSERT_THAT(converted, IsOk());
  EXPECT_GT(converted->update.upserts.size(), 11'500u);
  EXPECT_GT(converted->skipped, 0);
  auto report = store_->Apply(converted->update, At("2026-01-01T00:00:00Z"));
  ASSERT_THAT(report, IsOk());
  auto tshirts = FindMeasures(*store_, {"6109100010", "BD", Day("2026-05-01"), At("2026-06-01T00:00:00Z")});
  ASSERT_THAT(tshirts, IsOk());
  ASSERT_FALSE(tshirts->empty());
  EXPECT_EQ(tshirts->at(0).id, "UKGT-61091000");
  EXPECT_EQ(tshirts->at(0).duty, "12 %");
  EXPECT_THAT(DetectAndParseImport("a,b\n1,2\n"), HasReason("unknown-import-format"));
}

CLEARWAY_TARIFF_BACKENDS(StoreTest);

// A tariff.db written before the running balances existed (quotas and draws only): opening it
// sums the earlier draws into the balances once, and draws after that keep them exact.
TEST(SqliteQuotaBalanceTest, ADatabaseWithDrawsFromBeforeTheBalancesIsMigrated) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("clearway-tariff-balance-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "tariff.db").string();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const char* old_schema =
        "CREATE TABLE quotas(order_number TEXT NOT NULL, volume INTEGER NOT NULL, unit TEXT NOT "
        "NULL, recorded_at INTEGER NOT NULL, PRIMARY KEY(order_number, recorded_at));"
        "CREATE TABLE quota_draws(id INTEGER PRIMARY KEY, order_number TEXT NOT NULL, "
        "thousandths INTEGER NOT NULL, reference TEXT NOT NULL, recorded_at INTEGER NOT NULL);"
        "INSERT INTO quotas VALUES ('09.4450', 1000000, 'kg', 0), ('09.4451', 50000, 'kg', 0);"
        "INSERT INTO quota_draws(order_number, thousandths, reference, recorded_at) VALUES "
        "('09.4450', 400000, 'decl-1', 1), ('09.4450', 500000, 'decl-2', 2), "
        "('09.4451', 50000, 'decl-3', 3);";
    EXPECT_EQ(sqlite3_exec(raw, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  for (int open = 0; open < 2; ++open) {  // migrated once: a second open adds nothing
    auto store = sqlite::SqliteTariffStore::Open(path);
    ASSERT_THAT(store, IsOk());
    EXPECT_EQ((*store)->QuotaOf("09.4450", At("2027-01-01T00:00:00Z")).value()->drawn_thousandths,
              900'000);
    EXPECT_EQ((*store)->QuotaOf("09.4451", At("2027-01-01T00:00:00Z")).value()->drawn_thousandths,
              50'000);
  }
  auto store = sqlite::SqliteTariffStore::Open(path);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->DrawQuota("09.4450", 100'001, "decl-4", At("2027-01-01T00:00:00Z")),
              HasReason("quota-exhausted"));
  EXPECT_THAT((*store)->DrawQuota("09.4451", 1, "decl-4", At("2027-01-01T00:00:00Z")),
              HasReason("quota-exhausted"));
  EXPECT_THAT((*store)->DrawQuota("09.4450", 100'000, "decl-2", At("2027-01-01T00:00:00Z")),
              IsOk());  // decl-2 drew before the migration: nothing more is drawn
  ASSERT_THAT((*store)->DrawQuota("09.4450", 100'000, "decl-4", At("2027-01-01T00:00:00Z")),
              IsOk());
  EXPECT_EQ((*store)->QuotaOf("09.4450", At("2027-02-01T00:00:00Z")).value()->drawn_thousandths,
            1'000'000);
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace clearway::tariff
