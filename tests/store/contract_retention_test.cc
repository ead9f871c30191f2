// Store contract (both backends): legal holds and retention purges. A purge removes every row of
// its declarations (key, versions, salts, transitions, assessments, idempotency answers, blind
// indexes) and its security events in one unit with its ledger leaf, leaves a tombstone that
// reads answer with "declaration-purged", and is refused whole under an active hold. The
// write-once triggers let only this path delete.
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

class RetentionContractTest : public StoreContractTest {
 protected:
  // Filed() stores declaration `id` (version 1) closed by a transition at `closed`, with its
  // assessment, data key, blind index and idempotency answer.
  void Filed(const std::string& id, int64_t closed, const std::string& status = "released") {
    UnitOfWork work = NewVersion(MakeRow(id, 1, At(0)));
    work.declarations[0].status = status;
    TransitionRow transition;
    transition.declaration_id = id;
    transition.sequence = 1;
    transition.from_status = "accepted";
    transition.to_status = status;
    transition.actor = "officer";
    transition.at = At(closed);
    work.transitions.push_back(transition);
    AssessmentRow assessment;
    assessment.declaration_id = id;
    assessment.at = At(0);
    assessment.quote = "{}";
    assessment.risk = "{}";
    work.assessments.push_back(assessment);
    work.data_keys.push_back(DataKeyRow{id, "clearway", 1, "wrapped-" + id, At(0)});
    work.blind_indexes.push_back(BlindIndexEntry{id, 1, "invoice-number", "0123" + id});
    IdempotencyRow answer;
    answer.principal = "clerk";
    answer.key = "key-" + id;
    answer.request_hash = "h";
    answer.status_code = 201;
    answer.response_body = "{}";
    answer.resource_id = id;
    work.idempotency = answer;
    ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  }

  Result<CommitReceipt> Purge(const std::string& purge_id, std::vector<std::string> ids,
                              std::vector<std::string> events = {}) {
    UnitOfWork work;
    PurgeRow purge;
    purge.id = purge_id;
    purge.purged_at = At(100);
    purge.actor = "system";
    for (const std::string& id : ids) purge.declarations.push_back({id, At(5)});
    purge.security_event_ids = std::move(events);
    work.purge = purge;
    return store_->Commit(Sealed(std::move(work)));
  }

  Result<CommitReceipt> PlaceHold(const std::string& hold_id, const std::string& scope,
                                  const std::string& target) {
    UnitOfWork work;
    work.legal_holds.push_back(
        LegalHoldRow{hold_id, scope, target, "LG-1", "court order", "admin", At(50), {}});
    return store_->Commit(Sealed(std::move(work)));
  }
};

TEST_P(RetentionContractTest, ClosedDeclarationsAreListedByClosingDate) {
  Filed("B", 7);
  Filed("A", 5);
  Filed("C", 9, "rejected");
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("OPEN", 1, At(0))))), IsOk());
  auto closed = store_->ListClosedDeclarations({"released", "rejected"}, At(9), std::nullopt, 10);
  ASSERT_THAT(closed, IsOk());
  ASSERT_EQ(closed->size(), 2u);  // C closed at 9, not before it
  EXPECT_EQ((*closed)[0].id, "A");
  EXPECT_EQ((*closed)[0].closed_at, At(5));
  EXPECT_EQ((*closed)[1].id, "B");
  auto next = store_->ListClosedDeclarations({"released", "rejected"}, At(10),
                                             std::make_pair(At(5), std::string("A")), 1);
  ASSERT_THAT(next, IsOk());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].id, "B");
}

TEST_P(RetentionContractTest, PurgeRemovesEveryRowOfTheDeclarationAndLeavesATombstone) {
  Filed("A", 5);
  Filed("B", 6);
  UnitOfWork events;
  SecurityEventRow event;
  event.id = "E1";
  event.at = At(1);
  event.type = "login-failed";
  event.outcome = "failure";
  event.actor = "x";
  event.event = R"({"id":"E1"})";
  events.security_events.push_back(event);
  ASSERT_THAT(store_->Commit(Sealed(std::move(events))), IsOk());
  auto receipt = Purge("P1", {"A"}, {"E1"});
  ASSERT_THAT(receipt, IsOk());
  ASSERT_EQ(receipt->leaf_indices.size(), 1u);
  auto leaf = store_->GetLeaf(receipt->leaf_indices[0]);
  ASSERT_THAT(leaf, IsOk());
  EXPECT_EQ(leaf->kind, "retention.purge");
  EXPECT_EQ(leaf->record_id, "retention/purge/P1");

  EXPECT_THAT(store_->GetDeclaration("A", std::nullopt), HasReason("declaration-purged"));
  EXPECT_THAT(store_->ListVersions("A"), HasReason("declaration-purged"));
  EXPECT_THAT(store_->GetDataKey("A"), HasReason("data-key-not-found"));
  EXPECT_THAT(store_->GetAssessment("A", 1), HasReason("assessment-not-found"));
  EXPECT_THAT(store_->GetIdempotency("clerk", "key-A"), ::clearway::testing::HasCode(
                                                            ErrorCode::kNotFound));
  EXPECT_TRUE(store_->ListTransitions("A")->empty());
  EXPECT_THAT(store_->GetDeclaration("B", std::nullopt), IsOk());
  EXPECT_THAT(store_->GetDeclaration("NEVER", std::nullopt), HasReason("declaration-not-found"));
  EXPECT_TRUE(store_->ListSecurityEvents({}, {})->items.empty());
  auto tombstone = store_->GetPurgedDeclaration("A");
  ASSERT_THAT(tombstone, IsOk());
  EXPECT_EQ(tombstone->purge_id, "P1");
  auto purges = store_->ListPurges();
  ASSERT_THAT(purges, IsOk());
  ASSERT_EQ(purges->size(), 1u);
  EXPECT_EQ((*purges)[0].declarations, (std::vector<PurgedDeclaration>{{"A", At(5)}}));
  EXPECT_EQ((*purges)[0].security_event_ids, std::vector<std::string>{"E1"});
  auto entry = ledger::DecodeLeafEntry(leaf->entry);
  ASSERT_THAT(entry, IsOk());
  EXPECT_EQ(PurgeLeaf((*purges)[0]).commitment, entry->commitment);
  EXPECT_THAT(Purge("P2", {"A"}), HasReason("already-purged"));
}

TEST_P(RetentionContractTest, ActiveHoldRefusesThePurgeWholeUntilReleased) {
  Filed("A", 5);
  Filed("B", 5);
  ASSERT_THAT(PlaceHold("H1", "declaration", "B"), IsOk());
  EXPECT_THAT(Purge("P1", {"A", "B"}), HasReason("legal-hold"));
  EXPECT_THAT(store_->GetDeclaration("A", std::nullopt), IsOk());  // nothing of it applied
  UnitOfWork release;
  release.hold_releases.push_back(HoldReleaseRow{"H1", "admin", "case closed", At(60), {}});
  ASSERT_THAT(store_->Commit(Sealed(std::move(release))), IsOk());
  auto hold = store_->GetLegalHold("H1");
  ASSERT_THAT(hold, IsOk());
  EXPECT_FALSE(hold->active());
  EXPECT_EQ(hold->release->reason, "case closed");
  EXPECT_TRUE(store_->ListLegalHolds(false)->empty());
  EXPECT_EQ(store_->ListLegalHolds(true)->size(), 1u);
  UnitOfWork again;
  again.hold_releases.push_back(HoldReleaseRow{"H1", "admin", "twice", At(61), {}});
  EXPECT_THAT(store_->Commit(Sealed(std::move(again))), HasReason("hold-already-released"));
  UnitOfWork unknown;
  unknown.hold_releases.push_back(HoldReleaseRow{"H9", "admin", "x", At(61), {}});
  EXPECT_THAT(store_->Commit(Sealed(std::move(unknown))), HasReason("hold-not-found"));
  ASSERT_THAT(PlaceHold("H2", "organisation", MakeRow("A", 1, At(0)).organisation_id), IsOk());
  EXPECT_THAT(Purge("P1", {"A"}), HasReason("legal-hold"));
}

TEST_P(RetentionContractTest, OnlyThePurgePathDeletes) {
  Filed("A", 5);
  ASSERT_THAT(PlaceHold("H1", "declaration", "A"), IsOk());
  ResetStore();
  EXPECT_FALSE(ExecRaw("DELETE FROM data_keys"));
  EXPECT_FALSE(ExecRaw("DELETE FROM assessments"));
  EXPECT_FALSE(ExecRaw("DELETE FROM declaration_blind_indexes"));
  EXPECT_FALSE(ExecRaw("DELETE FROM idempotency"));
  EXPECT_FALSE(ExecRaw("DELETE FROM legal_holds"));
  EXPECT_FALSE(ExecRaw("UPDATE legal_holds SET reason = 'nothing'"));
  Reopen();
  UnitOfWork release;
  release.hold_releases.push_back(HoldReleaseRow{"H1", "admin", "closed", At(60), {}});
  ASSERT_THAT(store_->Commit(Sealed(std::move(release))), IsOk());
  ASSERT_THAT(Purge("P1", {"A"}), IsOk());
  ResetStore();
  EXPECT_FALSE(ExecRaw("DELETE FROM purged_declarations"));
  EXPECT_FALSE(ExecRaw("DELETE FROM retention_purges"));
  EXPECT_FALSE(ExecRaw("UPDATE retention_purges SET actor = 'someone'"));
  Reopen();
  EXPECT_THAT(store_->GetPurgedDeclaration("A"), IsOk());
}

CW_STORE_CONTRACT(RetentionContractTest);

}  // namespace
}  // namespace clearway::store::contract
