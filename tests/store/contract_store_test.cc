// Store contract (both backends): single-unit behaviour: round trips, versions, status updates,
// transitions, idempotency records and the compare-and-set refusals.
#include <gtest/gtest.h>

#include "store/store_contract.h"

namespace clearway::store::contract {
namespace {

using ::testing::ElementsAre;
using testing::HasCode;
using testing::HasDetail;
using testing::HasReason;
using testing::IsOk;

void ExpectSameRow(const DeclarationRow& got, const DeclarationRow& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.version, want.version);
  EXPECT_EQ(got.organisation_id, want.organisation_id);
  EXPECT_EQ(got.declarant_id, want.declarant_id);
  EXPECT_EQ(got.office, want.office);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.channel, want.channel);
  EXPECT_EQ(got.hs_chapters, want.hs_chapters);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
  EXPECT_EQ(got.payload, want.payload);
}

TEST_P(StoreContractTest, RoundTripsEveryDeclarationField) {
  DeclarationRow row = MakeRow("D1", 1, At(10) + std::chrono::microseconds(123456));
  row.organisation_id = "org-Ω";
  row.declarant_id = "user-7";
  row.office = "FR000730";
  row.type = "export";
  row.status = "accepted";
  row.channel = "yellow";
  row.hs_chapters = "01,27,84";
  row.updated_at = At(99) + std::chrono::microseconds(1);
  const char kBytes[] = "{\"bin\":\"\0\xff\x01\"}";  // NULs and high bytes survive
  row.payload.assign(kBytes, sizeof(kBytes) - 1);
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(row))), IsOk());

  auto latest = store_->GetDeclaration("D1", std::nullopt);
  ASSERT_THAT(latest, IsOk());
  ExpectSameRow(*latest, row);
  auto exact = store_->GetDeclaration("D1", 1);
  ASSERT_THAT(exact, IsOk());
  ExpectSameRow(*exact, row);
}

TEST_P(StoreContractTest, EmptyStringsAndEmptyPayloadRoundTrip) {
  DeclarationRow row = MakeRow("D1", 1, At(0));
  row.channel = "";
  row.hs_chapters = "";
  row.payload = "";
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(row))), IsOk());
  auto got = store_->GetDeclaration("D1", std::nullopt);
  ASSERT_THAT(got, IsOk());
  ExpectSameRow(*got, row);
}

TEST_P(StoreContractTest, VersionsAndLatest) {
  DeclarationRow v1 = MakeRow("D1", 1, At(0));
  DeclarationRow v2 = MakeRow("D1", 2, At(0));
  v2.office = "DE001234";
  v2.hs_chapters = "84";
  DeclarationRow v3 = MakeRow("D1", 3, At(0));
  for (const auto& row : {v1, v2, v3}) ASSERT_THAT(store_->Commit(Sealed(NewVersion(row))), IsOk());

  EXPECT_EQ(store_->GetDeclaration("D1", std::nullopt)->version, 3);
  ExpectSameRow(*store_->GetDeclaration("D1", 2), v2);
  auto versions = store_->ListVersions("D1");
  ASSERT_THAT(versions, IsOk());
  ASSERT_EQ(versions->size(), 3u);
  for (size_t idx = 0; idx < 3; ++idx) EXPECT_EQ((*versions)[idx].version, int64_t(idx + 1));
  EXPECT_THAT(store_->CountDeclarations(), testing::IsOk());
  EXPECT_EQ(*store_->CountDeclarations(), 1);
}

TEST_P(StoreContractTest, MissingDeclarationsAreNotFound) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  EXPECT_THAT(store_->GetDeclaration("nope", std::nullopt), HasReason("declaration-not-found"));
  EXPECT_THAT(store_->GetDeclaration("D1", 2), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(store_->GetDeclaration("D1", 0), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(store_->ListVersions("nope"), HasCode(ErrorCode::kNotFound));
  auto transitions = store_->ListTransitions("nope");
  ASSERT_THAT(transitions, IsOk());
  EXPECT_TRUE(transitions->empty());
  EXPECT_THAT(store_->GetIdempotency("p", "k"), HasCode(ErrorCode::kNotFound));
}

TEST_P(StoreContractTest, StatusUpdateChangesCurrentVersionAndRecordsTransition) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork work;
  work.expected_current_versions.emplace_back("D1", 1);
  work.status_updates.push_back({"D1", 1, "accepted", "green", At(50), std::nullopt, ""});
  work.transitions.push_back(
      {"D1", 1, 1, "submitted", "accepted", "green", "system", "ok", At(50)});
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());

  auto got = store_->GetDeclaration("D1", std::nullopt);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->status, "accepted");
  EXPECT_EQ(got->channel, "green");
  EXPECT_EQ(got->updated_at, At(50));
  auto transitions = store_->ListTransitions("D1");
  ASSERT_THAT(transitions, IsOk());
  ASSERT_EQ(transitions->size(), 1u);
  const TransitionRow& t = (*transitions)[0];
  EXPECT_EQ(t.declaration_id, "D1");
  EXPECT_EQ(t.sequence, 1);
  EXPECT_EQ(t.version, 1);
  EXPECT_EQ(t.from_status, "submitted");
  EXPECT_EQ(t.to_status, "accepted");
  EXPECT_EQ(t.channel, "green");
  EXPECT_EQ(t.actor, "system");
  EXPECT_EQ(t.reason, "ok");
  EXPECT_EQ(t.at, At(50));
}

TEST_P(StoreContractTest, TransitionsComeBackInSequenceOrder) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork work;
  for (int64_t seq : {3, 1, 2}) {
    work.transitions.push_back({"D1", seq, 1, "a", "b", "", "u", "r", At(seq)});
  }
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  auto transitions = store_->ListTransitions("D1");
  ASSERT_THAT(transitions, IsOk());
  std::vector<int64_t> sequences;
  for (const auto& t : *transitions) sequences.push_back(t.sequence);
  EXPECT_THAT(sequences, ElementsAre(1, 2, 3));
}

TEST_P(StoreContractTest, IdempotencyRecordRoundTrips) {
  UnitOfWork work = NewVersion(MakeRow("D1", 1, At(0)));
  work.idempotency =
      IdempotencyRow{"user-1", "key-1", std::string(64, 'a'), 201, R"({"id":"D1"})", "D1", At(5)};
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  auto got = store_->GetIdempotency("user-1", "key-1");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->principal, "user-1");
  EXPECT_EQ(got->key, "key-1");
  EXPECT_EQ(got->request_hash, std::string(64, 'a'));
  EXPECT_EQ(got->status_code, 201);
  EXPECT_EQ(got->response_body, R"({"id":"D1"})");
  EXPECT_EQ(got->resource_id, "D1");
  EXPECT_EQ(got->created_at, At(5));
  // Keys are scoped to the principal.
  EXPECT_THAT(store_->GetIdempotency("user-2", "key-1"), HasCode(ErrorCode::kNotFound));
}

TEST_P(StoreContractTest, VersionMismatchIsAbortedAndWritesNothing) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork stale = NewVersion(MakeRow("D1", 2, At(0)));
  stale.expected_current_versions = {{"D1", 0}};  // believes D1 does not exist yet
  stale.transitions.push_back({"D1", 1, 1, "", "submitted", "", "u", "", At(1)});
  stale.idempotency = IdempotencyRow{"user-1", "k", "h", 201, "{}", "D1", At(1)};
  EXPECT_THAT(store_->Commit(Sealed(std::move(stale))), HasReason("version-conflict"));

  EXPECT_EQ(store_->GetDeclaration("D1", std::nullopt)->version, 1);
  EXPECT_THAT(store_->GetDeclaration("D1", 2), HasCode(ErrorCode::kNotFound));
  EXPECT_TRUE(store_->ListTransitions("D1")->empty());
  EXPECT_THAT(store_->GetIdempotency("user-1", "k"), HasCode(ErrorCode::kNotFound));
}

TEST_P(StoreContractTest, ExpectationOnUnknownDeclarationMustBeZero) {
  UnitOfWork work;
  work.expected_current_versions.emplace_back("ghost", 1);
  EXPECT_THAT(store_->Commit(Sealed(std::move(work))), HasCode(ErrorCode::kAborted));
}

TEST_P(StoreContractTest, StatusUpdateFromAStaleStatusIsAborted) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork stale;
  stale.status_updates.push_back({"D1", 1, "released", "green", At(9), "accepted", ""});
  EXPECT_THAT(store_->Commit(Sealed(std::move(stale))), HasReason("status-conflict"));
  EXPECT_EQ(store_->GetDeclaration("D1", 1)->status, "submitted");
  UnitOfWork current;
  current.status_updates.push_back({"D1", 1, "accepted", "", At(9), "submitted", ""});
  EXPECT_THAT(store_->Commit(Sealed(std::move(current))), IsOk());
  EXPECT_EQ(store_->GetDeclaration("D1", 1)->status, "accepted");
}

TEST_P(StoreContractTest, StaleStatusUpdateIsAborted) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 2, At(0))))), IsOk());
  UnitOfWork work;
  work.status_updates.push_back({"D1", 1, "released", "green", At(9), std::nullopt, ""});
  auto committed = store_->Commit(Sealed(std::move(work)));
  EXPECT_THAT(committed, HasCode(ErrorCode::kAborted));
  EXPECT_THAT(committed, HasReason("version-conflict"));
  EXPECT_EQ(store_->GetDeclaration("D1", 1)->status, "submitted");

  UnitOfWork ghost;
  ghost.status_updates.push_back({"ghost", 1, "released", "green", At(9), std::nullopt, ""});
  EXPECT_THAT(store_->Commit(Sealed(std::move(ghost))), HasReason("version-conflict"));
}

TEST_P(StoreContractTest, DuplicateVersionIsAlreadyExists) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork again;
  again.declarations.push_back(MakeRow("D1", 1, At(0)));  // no expectation: the key catches it
  auto committed = store_->Commit(Sealed(std::move(again)));
  EXPECT_THAT(committed, HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(committed, HasReason("duplicate-version"));
  EXPECT_EQ(*store_->CountDeclarations(), 1);
}

TEST_P(StoreContractTest, VersionGapIsRefused) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork skip;
  skip.declarations.push_back(MakeRow("D1", 3, At(0)));
  EXPECT_THAT(store_->Commit(Sealed(std::move(skip))),
              HasDetail("declarations[0].version", "version-gap"));
  UnitOfWork starts_at_two;
  starts_at_two.declarations.push_back(MakeRow("D2", 2, At(0)));
  EXPECT_THAT(store_->Commit(Sealed(std::move(starts_at_two))),
              HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(store_->GetDeclaration("D2", std::nullopt), HasCode(ErrorCode::kNotFound));
}

TEST_P(StoreContractTest, TwoVersionsInOneUnit) {
  UnitOfWork work;
  work.expected_current_versions.emplace_back("D1", 0);
  work.declarations.push_back(MakeRow("D1", 1, At(0)));
  work.declarations.push_back(MakeRow("D1", 2, At(0)));
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  EXPECT_EQ(store_->GetDeclaration("D1", std::nullopt)->version, 2);
}

TEST_P(StoreContractTest, DuplicateTransitionRollsBackTheWholeUnit) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork first;
  first.transitions.push_back({"D1", 1, 1, "", "submitted", "", "u", "", At(1)});
  ASSERT_THAT(store_->Commit(Sealed(std::move(first))), IsOk());

  UnitOfWork second = NewVersion(MakeRow("D1", 2, At(0)));  // written, then rolled back
  second.transitions.push_back({"D1", 1, 2, "submitted", "amended", "", "u", "", At(2)});
  EXPECT_THAT(store_->Commit(Sealed(std::move(second))), HasReason("duplicate-transition"));
  EXPECT_EQ(store_->GetDeclaration("D1", std::nullopt)->version, 1);
  EXPECT_THAT(store_->GetDeclaration("D1", 2), HasCode(ErrorCode::kNotFound));
}

TEST_P(StoreContractTest, TransitionForUnknownVersionIsRefused) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D1", 1, At(0))))), IsOk());
  UnitOfWork work;
  work.transitions.push_back({"D1", 1, 7, "", "submitted", "", "u", "", At(1)});
  auto committed = store_->Commit(Sealed(std::move(work)));
  EXPECT_THAT(committed, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(committed, HasReason("unknown-declaration-version"));
  UnitOfWork ghost;
  ghost.transitions.push_back({"ghost", 1, 1, "", "submitted", "", "u", "", At(1)});
  EXPECT_THAT(store_->Commit(Sealed(std::move(ghost))), HasReason("unknown-declaration-version"));
  EXPECT_TRUE(store_->ListTransitions("D1")->empty());
}

TEST_P(StoreContractTest, DuplicateIdempotencyKeyIsAlreadyExistsAndWritesNothing) {
  UnitOfWork first = NewVersion(MakeRow("D1", 1, At(0)));
  first.idempotency = IdempotencyRow{"user-1", "k", "h1", 201, "{\"first\":1}", "D1", At(0)};
  ASSERT_THAT(store_->Commit(Sealed(std::move(first))), IsOk());

  UnitOfWork retry = NewVersion(MakeRow("D2", 1, At(1)));
  retry.idempotency = IdempotencyRow{"user-1", "k", "h2", 201, "{\"second\":1}", "D2", At(1)};
  auto committed = store_->Commit(Sealed(std::move(retry)));
  EXPECT_THAT(committed, HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(committed, HasReason("duplicate-idempotency-key"));
  EXPECT_THAT(store_->GetDeclaration("D2", std::nullopt), HasCode(ErrorCode::kNotFound));
  EXPECT_EQ(store_->GetIdempotency("user-1", "k")->response_body, "{\"first\":1}");
}

TEST_P(StoreContractTest, EmptyUnitCommits) {
  EXPECT_THAT(store_->Commit(Sealed(UnitOfWork{})), IsOk());
}

CW_STORE_CONTRACT(StoreContractTest);

}  // namespace
}  // namespace clearway::store::contract
