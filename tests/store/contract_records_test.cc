// Store contract (both backends): assessments and the security event log: written once with
// their ledger leaves, read back, filtered and paged, and refused when changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/ledger_records.h"
#include "store/store_contract.h"

namespace clearway::store::contract {
namespace {

using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::testing::ElementsAre;

AssessmentRow Assessment(const std::string& id, int64_t version) {
  AssessmentRow row;
  row.declaration_id = id;
  row.version = version;
  row.at = At(10);
  row.quote = R"({"total":"12.50"})";
  row.risk = R"({"channel":"green","score":0.1})";
  return row;
}

SecurityEventRow Event(const std::string& id, int64_t at, const std::string& type,
                       const std::string& actor, const std::string& outcome = "failure") {
  SecurityEventRow row;
  row.id = id;
  row.at = At(at);
  row.type = type;
  row.outcome = outcome;
  row.actor = actor;
  row.event = R"({"id":")" + id + R"("})";
  return row;
}

UnitOfWork Events(std::vector<SecurityEventRow> events) {
  UnitOfWork work;
  work.security_events = std::move(events);
  SealUnit(work);
  return work;
}

std::vector<std::string> Ids(const SecurityEventPage& page) {
  std::vector<std::string> ids;
  for (const SecurityEventRow& row : page.items) ids.push_back(row.id);
  return ids;
}

// Changes made behind the store's back, straight in the database, are refused by the database.
class RecordsContractTest : public StoreContractTest {
 protected:
  void ExpectRefused(const std::string& sql) { EXPECT_FALSE(ExecRaw(sql)) << sql; }
};

TEST_P(RecordsContractTest, AssessmentIsCommittedWithItsVersionAndLeaf) {
  UnitOfWork work = NewVersion(MakeRow("A", 1, At(0)));
  work.assessments.push_back(Assessment("A", 1));
  SealUnit(work);
  ASSERT_EQ(work.leaves.size(), 2u);
  EXPECT_EQ(work.leaves[1].kind, "declaration.assessment");
  EXPECT_EQ(work.leaves[1].record_id, "A@v1/assessment");
  const ledger::LeafEntry leaf = work.leaves[1];
  auto receipt = store_->Commit(std::move(work));
  ASSERT_THAT(receipt, IsOk());
  EXPECT_EQ(receipt->leaf_indices, (std::vector<uint64_t>{0, 1}));

  auto stored = store_->GetAssessment("A", 1);
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->quote, R"({"total":"12.50"})");
  EXPECT_EQ(stored->risk, R"({"channel":"green","score":0.1})");
  EXPECT_EQ(stored->at, At(10));
  EXPECT_EQ(AssessmentLeaf(*stored), leaf);  // recomputed from what the store holds
  EXPECT_EQ(store_->FindLeaf("A@v1/assessment")->index, 1u);
}

TEST_P(RecordsContractTest, AssessmentIsWrittenOnceAndOnlyForAStoredVersion) {
  UnitOfWork first = NewVersion(MakeRow("A", 1, At(0)));
  first.assessments.push_back(Assessment("A", 1));
  ASSERT_THAT(store_->Commit(Sealed(std::move(first))), IsOk());
  const uint64_t size = store_->LedgerTree().LeafCount().value();

  UnitOfWork again;
  again.assessments.push_back(Assessment("A", 1));
  EXPECT_THAT(store_->Commit(Sealed(std::move(again))), HasReason("duplicate-assessment"));
  UnitOfWork unknown;
  unknown.assessments.push_back(Assessment("A", 2));
  EXPECT_THAT(store_->Commit(Sealed(std::move(unknown))),
              HasReason("unknown-declaration-version"));
  EXPECT_EQ(store_->LedgerTree().LeafCount().value(), size);  // refused units append nothing
  EXPECT_THAT(store_->GetAssessment("A", 2), HasReason("assessment-not-found"));
  EXPECT_THAT(store_->GetAssessment("B", 1), HasReason("assessment-not-found"));
}

TEST_P(RecordsContractTest, AssessmentsCannotBeChangedOrDeleted) {
  UnitOfWork work = NewVersion(MakeRow("A", 1, At(0)));
  work.assessments.push_back(Assessment("A", 1));
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  ResetStore();
  ExpectRefused("UPDATE assessments SET risk = '{}'");
  ExpectRefused("DELETE FROM assessments");
  Reopen();
  EXPECT_EQ(store_->GetAssessment("A", 1)->risk, R"({"channel":"green","score":0.1})");
}

TEST_P(RecordsContractTest, SecurityEventsAreAppendedToTheLogWithLeaves) {
  auto receipt = store_->Commit(Events({Event("E1", 1, "login-failed", "anonymous"),
                                        Event("E2", 2, "login-succeeded", "u1", "success")}));
  ASSERT_THAT(receipt, IsOk());
  EXPECT_EQ(receipt->leaf_indices, (std::vector<uint64_t>{0, 1}));
  auto leaf = store_->GetLeaf(1);
  ASSERT_THAT(leaf, IsOk());
  EXPECT_EQ(leaf->kind, "security.event");
  EXPECT_EQ(leaf->record_id, "security/E2");

  auto page = store_->ListSecurityEvents({}, PageRequest{});
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Ids(*page), ElementsAre("E2", "E1"));  // newest first
  EXPECT_EQ(page->next_cursor, "");
  EXPECT_EQ(SecurityEventLeaf(page->items[0]), ledger::DecodeLeafEntry(leaf->entry).value());

  EXPECT_THAT(store_->Commit(Events({Event("E1", 3, "login-failed", "anonymous")})),
              HasReason("duplicate-security-event"));
  EXPECT_EQ(store_->LedgerTree().LeafCount().value(), 2u);
}

TEST_P(RecordsContractTest, SecurityEventsAreFilteredAndPaged) {
  ASSERT_THAT(store_->Commit(Events({
                  Event("E1", 1, "login-failed", "anonymous"),
                  Event("E2", 2, "permission-denied", "u1", "denied"),
                  Event("E3", 3, "login-failed", "anonymous"),
                  Event("E4", 4, "login-succeeded", "u1", "success"),
                  Event("E5", 5, "permission-denied", "u2", "denied"),
              })),
              IsOk());
  auto list = [&](const SecurityEventFilter& filter, int limit = 50,
                  const std::string& cursor = "") {
    auto page = store_->ListSecurityEvents(filter, PageRequest{limit, cursor});
    EXPECT_THAT(page, IsOk());
    return page.ok() ? *page : SecurityEventPage{};
  };
  SecurityEventFilter by_type;
  by_type.type = "login-failed";
  EXPECT_THAT(Ids(list(by_type)), ElementsAre("E3", "E1"));
  SecurityEventFilter by_actor;
  by_actor.actor = "u1";
  EXPECT_THAT(Ids(list(by_actor)), ElementsAre("E4", "E2"));
  SecurityEventFilter by_outcome;
  by_outcome.outcome = "denied";
  EXPECT_THAT(Ids(list(by_outcome)), ElementsAre("E5", "E2"));
  SecurityEventFilter by_time;
  by_time.from = At(2);
  by_time.to = At(4);
  EXPECT_THAT(Ids(list(by_time)), ElementsAre("E3", "E2"));

  SecurityEventPage first = list({}, 2);
  EXPECT_THAT(Ids(first), ElementsAre("E5", "E4"));
  ASSERT_NE(first.next_cursor, "");
  SecurityEventPage second = list({}, 2, first.next_cursor);
  EXPECT_THAT(Ids(second), ElementsAre("E3", "E2"));
  SecurityEventPage third = list({}, 2, second.next_cursor);
  EXPECT_THAT(Ids(third), ElementsAre("E1"));
  EXPECT_EQ(third.next_cursor, "");

  EXPECT_THAT(store_->ListSecurityEvents({}, PageRequest{0, ""}), HasReason("bad-limit"));
  EXPECT_THAT(store_->ListSecurityEvents({}, PageRequest{10, "not a cursor"}),
              HasReason("bad-cursor"));
}

TEST_P(RecordsContractTest, TheSecurityEventLogIsAppendOnly) {
  ASSERT_THAT(store_->Commit(Events({Event("E1", 1, "login-failed", "anonymous")})), IsOk());
  ResetStore();
  ExpectRefused("UPDATE security_events SET actor = 'someone-else'");
  ExpectRefused("DELETE FROM security_events");
  Reopen();
  auto page = store_->ListSecurityEvents({}, PageRequest{});
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].actor, "anonymous");
}

TEST_P(RecordsContractTest, UnitWithoutTheLeavesOfItsNewRecordsIsRefused) {
  UnitOfWork work = Events({Event("E1", 1, "login-failed", "anonymous")});
  work.leaves.clear();
  EXPECT_THAT(store_->Commit(std::move(work)), HasReason("ledger-leaf-mismatch"));
  UnitOfWork assessed = NewVersion(MakeRow("A", 1, At(0)));
  SealUnit(assessed);  // sealed before the assessment was added: one leaf short
  assessed.assessments.push_back(Assessment("A", 1));
  EXPECT_THAT(store_->Commit(std::move(assessed)), HasReason("ledger-leaf-mismatch"));
  EXPECT_EQ(store_->LedgerTree().LeafCount().value(), 0u);
}

TEST_P(RecordsContractTest, SnapshotShowsAssessmentsAndSecurityEventsWithSalts) {
  UnitOfWork work = NewVersion(MakeRow("A", 1, At(0)));
  work.assessments.push_back(Assessment("A", 1));
  work.security_events.push_back(Event("E1", 1, "login-failed", "anonymous"));
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  std::vector<std::string> seen;
  Status read = store_->ReadLedgerSnapshot([&](LedgerSnapshot& snapshot) -> Status {
    CW_RETURN_IF_ERROR(snapshot.ForEachAssessment([&](const AssessmentRow& row, bool salted) {
      seen.push_back(AssessmentRecordId(row.declaration_id, row.version) +
                     (salted ? " salted" : " unsalted"));
      return OkStatus();
    }));
    return snapshot.ForEachSecurityEvent([&](const SecurityEventRow& row, bool salted) {
      seen.push_back(SecurityEventRecordId(row.id) + (salted ? " salted" : " unsalted"));
      return OkStatus();
    });
  });
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(seen, ElementsAre("A@v1/assessment salted", "security/E1 salted"));
}

CW_STORE_CONTRACT(RecordsContractTest);

}  // namespace
}  // namespace clearway::store::contract
