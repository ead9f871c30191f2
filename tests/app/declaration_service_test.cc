#include "app/declaration_service.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "app_test_util.h"
#include "common/json.h"

namespace clearway::app {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using namespace clearway::app::testing;
namespace decl = clearway::declaration;

Renderer Render(int status = 201) {
  return [status](const DeclarationRecord& r) {
    return StoredResponse{status, r.row.id + "@" + std::to_string(r.row.version) + ":" + r.row.status,
                          r.row.id};
  };
}

class DeclarationServiceTest : public RuntimeFixture {
 protected:
  DeclarationService& service() { return runtime_->declarations(); }
  int64_t Count() { return runtime_->store().CountDeclarations().value(); }

  std::string FileOne(const identity::Principal& who, const boost::json::value& body) {
    auto outcome = service().File(who, body, false, nullptr, Render());
    EXPECT_THAT(outcome, IsOk());
    return outcome.ok() ? outcome->response.resource_id : "";
  }
};

TEST_F(DeclarationServiceTest, FilingStoresAnAcceptedVersionWithItsTransitions) {
  std::string id = FileOne(Clerk(), NordfleischBody());
  auto record = service().Get(Clerk(), id, std::nullopt);
  ASSERT_THAT(record, IsOk());
  EXPECT_EQ(record->row.status, "accepted");
  EXPECT_EQ(record->row.version, 1);
  EXPECT_EQ(record->row.organisation_id, Nordfleisch().id);
  EXPECT_EQ(record->row.office, "DE004700");
  ASSERT_EQ(record->transitions.size(), 2u);
  EXPECT_EQ(record->transitions[0].from_status, "");
  EXPECT_EQ(record->transitions[0].to_status, "submitted");
  EXPECT_EQ(record->transitions[0].actor, "nordfleisch.clerk");
  EXPECT_EQ(record->transitions[1].to_status, "accepted");
  EXPECT_EQ(record->transitions[1].actor, "system");
  EXPECT_EQ(FormatTimestamp(record->transitions[1].at), "2026-11-24T10:00:00Z");
  // The payload is the canonical form of the validated declaration.
  auto payload = ParseJson(record->row.payload);
  ASSERT_THAT(payload, IsOk());
  EXPECT_EQ(CanonicalJson(*payload), record->row.payload);
}

TEST_F(DeclarationServiceTest, InvalidDeclarationIsRefusedAndNothingIsStored) {
  auto body = NordfleischBody();
  body.as_object()["goodsItems"].as_array()[0].as_object()["origin"] = "XX";
  body.as_object()["invoice"].as_object()["currency"] = "EURO";
  auto outcome = service().File(Clerk(), body, false, nullptr, Render());
  EXPECT_THAT(outcome, HasReason("validation-failed"));
  EXPECT_THAT(outcome, HasDetail("goodsItems[0].origin", "unknown-country"));
  EXPECT_EQ(Count(), 0);
}

TEST_F(DeclarationServiceTest, FilingForAnotherOrganisationIsForbidden) {
  EXPECT_THAT(service().File(LyonClerk(), NordfleischBody(), false, nullptr, Render()),
              HasCode(ErrorCode::kPermissionDenied));
  EXPECT_THAT(service().File(HamburgOfficer(), NordfleischBody(), false, nullptr, Render()),
              HasReason("forbidden"));
  EXPECT_THAT(service().File(Auditor(), NordfleischBody(), false, nullptr, Render()),
              HasReason("forbidden"));
  EXPECT_EQ(Count(), 0);
}

TEST_F(DeclarationServiceTest, BrokerFilesOnlyForTradersThatDelegated) {
  SampleSpec spec;
  spec.declarant = HanseBrokers();
  spec.importer = Nordfleisch();
  EXPECT_THAT(service().File(Broker(), MakeSampleDeclaration(spec), false, nullptr, Render()),
              IsOk());
  spec.importer = SoieriesDeLyon();
  EXPECT_THAT(service().File(Broker(), MakeSampleDeclaration(spec), false, nullptr, Render()),
              HasReason("forbidden"));
  // A broker cannot lodge in another declarant's name.
  spec.declarant = Nordfleisch();
  spec.importer = Nordfleisch();
  EXPECT_THAT(service().File(Broker(), MakeSampleDeclaration(spec), false, nullptr, Render()),
              HasReason("declarant-mismatch"));
  EXPECT_EQ(Count(), 1);
}

TEST_F(DeclarationServiceTest, IdempotentRetryReplaysTheFirstAnswer) {
  IdempotencyContext idem{"order-42", "hash-a"};
  auto first = service().File(Clerk(), NordfleischBody(), false, &idem, Render());
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->replayed);
  auto second = service().File(Clerk(), NordfleischBody(), false, &idem, Render());
  ASSERT_THAT(second, IsOk());
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->response.body, first->response.body);
  EXPECT_EQ(second->response.status_code, 201);
  EXPECT_EQ(Count(), 1);
}

TEST_F(DeclarationServiceTest, IdempotencyKeyReusedForAnotherRequestIsRefused) {
  IdempotencyContext idem{"order-42", "hash-a"};
  ASSERT_THAT(service().File(Clerk(), NordfleischBody(1), false, &idem, Render()), IsOk());
  IdempotencyContext other{"order-42", "hash-b"};
  EXPECT_THAT(service().File(Clerk(), NordfleischBody(2), false, &other, Render()),
              HasReason("idempotency-key-reused"));
  // Keys are per caller: another user may use the same key.
  IdempotencyContext lyon{"order-42", "hash-c"};
  EXPECT_THAT(service().File(LyonClerk(), LyonBody(), false, &lyon, Render()), IsOk());
  EXPECT_EQ(Count(), 2);
}

TEST_F(DeclarationServiceTest, ConcurrentRetriesWithOneKeyFileOnce) {
  IdempotencyContext idem{"race", "hash-race"};
  constexpr int kThreads = 8;
  std::vector<std::string> bodies(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto outcome = service().File(Clerk(), NordfleischBody(), false, &idem, Render());
      bodies[static_cast<size_t>(i)] = outcome.ok() ? outcome->response.body : outcome.error().ToString();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(bodies.begin(), bodies.end()).size(), 1u) << bodies[0];
  EXPECT_EQ(Count(), 1);
}

TEST_F(DeclarationServiceTest, AmendmentMakesANewVersionAndKeepsTheOld) {
  std::string id = FileOne(Clerk(), NordfleischBody(1));
  auto amended = service().Amend(Clerk(), id, NordfleischBody(7), 1, nullptr, Render(200));
  ASSERT_THAT(amended, IsOk());
  auto record = service().Get(Clerk(), id, std::nullopt);
  EXPECT_EQ(record->row.version, 2);
  EXPECT_EQ(record->row.status, "accepted");
  EXPECT_EQ(record->transitions.back().reason, "amended to version 2");
  auto v1 = service().Get(Clerk(), id, 1);
  ASSERT_THAT(v1, IsOk());
  EXPECT_NE(v1->row.payload, record->row.payload);
  EXPECT_EQ(service().Versions(Clerk(), id)->size(), 2u);
  EXPECT_THAT(service().Get(Clerk(), id, 9), HasReason("version-not-found"));
}

TEST_F(DeclarationServiceTest, StaleAmendmentIsRefused) {
  std::string id = FileOne(Clerk(), NordfleischBody(1));
  ASSERT_THAT(service().Amend(Clerk(), id, NordfleischBody(2), 1, nullptr, Render()), IsOk());
  EXPECT_THAT(service().Amend(Clerk(), id, NordfleischBody(3), 1, nullptr, Render()),
              HasReason("version-mismatch"));
  EXPECT_EQ(service().Get(Clerk(), id, std::nullopt)->row.version, 2);
}

TEST_F(DeclarationServiceTest, AmendmentCannotMoveADeclarationToAnotherTrader) {
  std::string id = FileOne(Broker(), [] {
    SampleSpec spec;
    spec.declarant = HanseBrokers();
    spec.importer = Nordfleisch();
    return MakeSampleDeclaration(spec);
  }());
  identity::Principal broker = Broker();
  broker.represented.push_back(SoieriesDeLyon().id);
  SampleSpec spec;
  spec.declarant = HanseBrokers();
  spec.importer = SoieriesDeLyon();
  EXPECT_THAT(service().Amend(broker, id, MakeSampleDeclaration(spec), std::nullopt, nullptr,
                              Render()),
              HasReason("organisation-change"));
}

TEST_F(DeclarationServiceTest, OfficerRoutesHoldsAndReleases) {
  std::string id = FileOne(Clerk(), NordfleischBody());
  ASSERT_THAT(service().Act(HamburgOfficer(), id, decl::Action::kRouteRed, "inspect", nullptr,
                            Render(200)),
              IsOk());
  EXPECT_THAT(service().Act(HamburgOfficer(), id, decl::Action::kHold, "", nullptr, Render()),
              HasReason("reason-required"));
  ASSERT_THAT(service().Act(HamburgOfficer(), id, decl::Action::kHold, "seal broken", nullptr,
                            Render()),
              IsOk());
  ASSERT_THAT(service().Act(HamburgOfficer(), id, decl::Action::kRelease, "", nullptr, Render()),
              IsOk());
  auto record = service().Get(Clerk(), id, std::nullopt);
  EXPECT_EQ(record->row.status, "released");
  EXPECT_EQ(record->row.channel, "red");
  ASSERT_EQ(record->transitions.size(), 5u);
  EXPECT_EQ(record->transitions[3].reason, "seal broken");
  EXPECT_EQ(record->transitions[3].actor, "officer.hamburg");
  // Released is final: nothing more, not even an amendment.
  EXPECT_THAT(service().Act(HamburgOfficer(), id, decl::Action::kSeize, "late", nullptr, Render()),
              HasReason("illegal-transition"));
  EXPECT_THAT(service().Amend(Clerk(), id, NordfleischBody(), std::nullopt, nullptr, Render()),
              HasReason("illegal-transition"));
  EXPECT_THAT(service().Act(Clerk(), id, decl::Action::kInvalidate, "oops", nullptr, Render()),
              HasReason("illegal-transition"));
}

TEST_F(DeclarationServiceTest, DecisionsOutsideTheOfficersOfficeOrRoleAreForbidden) {
  std::string id = FileOne(Clerk(), NordfleischBody());
  EXPECT_THAT(service().Act(LyonOfficer(), id, decl::Action::kRouteGreen, "", nullptr, Render()),
              HasReason("forbidden"));
  EXPECT_THAT(service().Act(Clerk(), id, decl::Action::kRouteGreen, "", nullptr, Render()),
              HasReason("forbidden"));
  EXPECT_THAT(service().Act(Auditor(), id, decl::Action::kRelease, "", nullptr, Render()),
              HasReason("forbidden"));
  EXPECT_EQ(service().Get(Clerk(), id, std::nullopt)->row.status, "accepted");
}

TEST_F(DeclarationServiceTest, GreenRouteReleasesAtOnce) {
  std::string id = FileOne(Clerk(), NordfleischBody());
  ASSERT_THAT(service().Act(HamburgOfficer(), id, decl::Action::kRouteGreen, "", nullptr, Render()),
              IsOk());
  auto record = service().Get(HamburgOfficer(), id, std::nullopt);
  EXPECT_EQ(record->row.status, "released");
  EXPECT_EQ(record->row.channel, "green");
}

TEST_F(DeclarationServiceTest, DeclarantInvalidatesBeforeRelease) {
  std::string id = FileOne(Clerk(), NordfleischBody());
  EXPECT_THAT(service().Act(Clerk(), id, decl::Action::kInvalidate, "", nullptr, Render()),
              HasReason("reason-required"));
  ASSERT_THAT(service().Act(Clerk(), id, decl::Action::kInvalidate, "filed twice", nullptr, Render()),
              IsOk());
  EXPECT_EQ(service().Get(Clerk(), id, std::nullopt)->row.status, "invalidated");
  EXPECT_THAT(service().Act(LyonClerk(), id, decl::Action::kInvalidate, "x", nullptr, Render()),
              HasReason("forbidden"));
}

TEST_F(DeclarationServiceTest, DraftIsSubmittedAndAccepted) {
  auto draft = service().File(Clerk(), NordfleischBody(), true, nullptr, Render());
  ASSERT_THAT(draft, IsOk());
  std::string id = draft->response.resource_id;
  EXPECT_EQ(service().Get(Clerk(), id, std::nullopt)->row.status, "draft");
  ASSERT_THAT(service().Act(Clerk(), id, decl::Action::kSubmit, "", nullptr, Render()), IsOk());
  auto record = service().Get(Clerk(), id, std::nullopt);
  EXPECT_EQ(record->row.status, "accepted");
  ASSERT_EQ(record->transitions.size(), 3u);
  EXPECT_EQ(record->transitions[1].to_status, "submitted");
  EXPECT_THAT(service().Act(Clerk(), id, decl::Action::kSubmit, "", nullptr, Render()),
              HasReason("illegal-transition"));
}

TEST_F(DeclarationServiceTest, ReadingIsScopedByPolicy) {
  std::string nord = FileOne(Clerk(), NordfleischBody());
  std::string lyon = FileOne(LyonClerk(), LyonBody());
  EXPECT_THAT(service().Get(LyonClerk(), nord, std::nullopt), HasReason("forbidden"));
  EXPECT_THAT(service().Get(LyonOfficer(), nord, std::nullopt), HasReason("forbidden"));
  EXPECT_THAT(service().Get(Auditor(), nord, std::nullopt), IsOk());
  EXPECT_THAT(service().Get(Clerk(), "01JAAAAAAAAAAAAAAAAAAAAAAA", std::nullopt),
              HasReason("declaration-not-found"));
  store::PageRequest page;
  auto mine = service().List(Clerk(), {}, page);
  ASSERT_THAT(mine, IsOk());
  ASSERT_EQ(mine->items.size(), 1u);
  EXPECT_EQ(mine->items[0].id, nord);
  auto officer = service().List(LyonOfficer(), {}, page);
  ASSERT_EQ(officer->items.size(), 1u);
  EXPECT_EQ(officer->items[0].id, lyon);
  ListQuery other_office;
  other_office.office = "DE004700";
  EXPECT_TRUE(service().List(LyonOfficer(), other_office, page)->items.empty());
  EXPECT_EQ(service().List(Auditor(), {}, page)->items.size(), 2u);
}

TEST_F(DeclarationServiceTest, ConcurrentDecisionsOnOneDeclarationApplyOnce) {
  std::string id = FileOne(Clerk(), NordfleischBody());
  constexpr int kThreads = 6;
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto r = service().Act(HamburgOfficer(), id, decl::Action::kRouteRed, "inspect", nullptr,
                             Render());
      if (r.ok()) {
        ++ok;
      } else if (r.error().reason == "concurrent-change" ||
                 r.error().reason == "illegal-transition") {
        ++conflicts;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  EXPECT_EQ(service().Get(Clerk(), id, std::nullopt)->transitions.size(), 3u);
}

}  // namespace
}  // namespace clearway::app
