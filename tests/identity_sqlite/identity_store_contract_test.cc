// The IdentityStore contract, run against every backend (in memory, SQLite and PostgreSQL).
#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "identity/directory.h"
#include "identity/tokens.h"
#include "identity_sqlite/identity_store_fixture.h"
#include "testing/matchers.h"

namespace clearway::identity::testing {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using std::chrono::days;
using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kTrader = "DE987654321000001";
constexpr const char* kTrader2 = "FR123456789000002";
constexpr const char* kBroker = "DE111111111000009";
constexpr const char* kCustoms = "DE-CUSTOMS";

template <class Backend>
class IdentityStoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Backend().Make(dir_.path());
    ASSERT_NE(store_, nullptr);
    ASSERT_THAT(store_->AddOrganisation(
                    MakeOrganisation(kTrader, "Nordfleisch Import AG", OrganisationKind::kTrader)),
                IsOk());
    ASSERT_THAT(store_->AddOrganisation(
                    MakeOrganisation(kTrader2, "Vins du Sud SA", OrganisationKind::kTrader)),
                IsOk());
    ASSERT_THAT(store_->AddOrganisation(MakeOrganisation(kBroker, "Hansa Zoll GmbH",
                                                         OrganisationKind::kBroker, true)),
                IsOk());
    ASSERT_THAT(store_->AddOrganisation(MakeOrganisation(
                    kCustoms, "Zoll", OrganisationKind::kCustomsAdministration, true)),
                IsOk());
  }

  // Counts how many of `threads` concurrent calls of `call` succeed.
  template <class Call>
  int RaceSuccesses(int threads, Call call) {
    std::latch start(threads);
    std::atomic<int> successes{0};
    std::vector<std::thread> workers;
    for (int worker = 0; worker < threads; ++worker) {
      workers.emplace_back([&] {
        start.arrive_and_wait();
        if (call().ok()) ++successes;
      });
    }
    for (auto& worker : workers) worker.join();
    return successes.load();
  }

  TempDir dir_;
  std::unique_ptr<IdentityStore> store_;
};

using Backends = ::testing::Types<InMemoryBackend, SqliteBackend, PostgresBackend>;
struct BackendNames {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(IdentityStoreContractTest, Backends, BackendNames);

// ---- Organisations --------------------------------------------------------------------------

TYPED_TEST(IdentityStoreContractTest, OrganisationsRoundTripAndListById) {
  auto broker = this->store_->GetOrganisation(kBroker);
  ASSERT_THAT(broker, IsOk());
  EXPECT_EQ(broker->name, "Hansa Zoll GmbH");
  EXPECT_EQ(broker->kind, OrganisationKind::kBroker);
  EXPECT_TRUE(broker->require_mfa);
  EXPECT_EQ(broker->created_at, kT0);
  auto all = this->store_->ListOrganisations();
  ASSERT_THAT(all, IsOk());
  std::vector<std::string> ids;
  for (const auto& organisation : *all) ids.push_back(organisation.id);
  EXPECT_THAT(ids, ElementsAre(kCustoms, kBroker, kTrader, kTrader2));  // byte order: "-" < "1"
}

TYPED_TEST(IdentityStoreContractTest, ANameNoBackendCouldHoldIsSimplyNotFound) {
  // A NUL byte or invalid UTF-8 (say, from a sign-in form) names nobody, on every backend.
  const std::string with_nul("clerk\0x", 7);
  EXPECT_THAT(this->store_->GetUser(with_nul), HasReason("user-not-found"));
  EXPECT_THAT(this->store_->GetUser("clerk\xff"), HasReason("user-not-found"));
  EXPECT_THAT(this->store_->GetOrganisation(std::string("DE\0", 3)),
              HasReason("organisation-not-found"));
}

TYPED_TEST(IdentityStoreContractTest, DuplicateOrUnknownOrganisationIsRefused) {
  auto again = MakeOrganisation(kTrader, "Someone else", OrganisationKind::kBroker);
  EXPECT_THAT(this->store_->AddOrganisation(again), HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(this->store_->AddOrganisation(again), HasReason("organisation-exists"));
  EXPECT_EQ(this->store_->GetOrganisation(kTrader)->name, "Nordfleisch Import AG");
  EXPECT_THAT(this->store_->GetOrganisation("XX000"), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(this->store_->GetOrganisation("XX000"), HasReason("organisation-not-found"));
}

// ---- Delegations ----------------------------------------------------------------------------

TYPED_TEST(IdentityStoreContractTest, DelegationsAreListedPerBrokerEndedOnesIncluded) {
  ASSERT_THAT(this->store_->AddDelegation(MakeDelegation(kTrader2, kBroker, kT0, std::nullopt)),
              IsOk());
  ASSERT_THAT(this->store_->AddDelegation(MakeDelegation(kTrader, kBroker, kT0 - days(30),
                                                         kT0 - days(1))),
              IsOk());
  auto delegations = this->store_->DelegationsTo(kBroker);
  ASSERT_THAT(delegations, IsOk());
  ASSERT_EQ(delegations->size(), 2u);
  EXPECT_EQ((*delegations)[0].trader_id, kTrader);
  EXPECT_EQ((*delegations)[0].valid_from, kT0 - days(30));
  EXPECT_EQ((*delegations)[0].valid_to, kT0 - days(1));
  EXPECT_EQ((*delegations)[1].trader_id, kTrader2);
  EXPECT_EQ((*delegations)[1].valid_to, std::nullopt);
  EXPECT_THAT(*this->store_->DelegationsTo(kTrader), IsEmpty());
}

TYPED_TEST(IdentityStoreContractTest, DelegationNeedsATraderABrokerAndAPositiveSpan) {
  auto& store = *this->store_;
  EXPECT_THAT(store.AddDelegation(MakeDelegation("XX000", kBroker, kT0, std::nullopt)),
              HasReason("organisation-not-found"));
  EXPECT_THAT(store.AddDelegation(MakeDelegation(kTrader, "XX000", kT0, std::nullopt)),
              HasCode(ErrorCode::kNotFound));
  // Kinds matter: a broker cannot delegate, a trader or customs cannot receive.
  EXPECT_THAT(store.AddDelegation(MakeDelegation(kBroker, kBroker, kT0, std::nullopt)),
              HasReason("organisation-not-found"));
  EXPECT_THAT(store.AddDelegation(MakeDelegation(kTrader, kTrader2, kT0, std::nullopt)),
              HasReason("organisation-not-found"));
  EXPECT_THAT(store.AddDelegation(MakeDelegation(kTrader, kCustoms, kT0, std::nullopt)),
              HasReason("organisation-not-found"));
  EXPECT_THAT(store.AddDelegation(MakeDelegation(kTrader, kBroker, kT0, kT0)),
              HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(store.AddDelegation(MakeDelegation(kTrader, kBroker, kT0, kT0 - hours(1))),
              HasReason("bad-delegation"));
  EXPECT_THAT(*store.DelegationsTo(kBroker), IsEmpty());
}

TYPED_TEST(IdentityStoreContractTest, BrokerPrincipalRepresentsOnlyTradersDelegatingNow) {
  auto& store = *this->store_;
  const Timestamp now = kT0;
  ASSERT_THAT(store.AddOrganisation(MakeOrganisation("AT1", "Expired", OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(store.AddOrganisation(MakeOrganisation("AT2", "Future", OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(store.AddOrganisation(MakeOrganisation("AT3", "EndsNow", OrganisationKind::kTrader)),
              IsOk());
  ASSERT_THAT(store.AddDelegation(MakeDelegation(kTrader, kBroker, now - days(10), std::nullopt)),
              IsOk());
  ASSERT_THAT(store.AddDelegation(MakeDelegation(kTrader2, kBroker, now, now + days(1))), IsOk());
  ASSERT_THAT(store.AddDelegation(MakeDelegation("AT1", kBroker, now - days(10), now - days(1))),
              IsOk());
  ASSERT_THAT(store.AddDelegation(MakeDelegation("AT2", kBroker, now + days(1), std::nullopt)),
              IsOk());
  ASSERT_THAT(store.AddDelegation(MakeDelegation("AT3", kBroker, now - days(1), now)), IsOk());

  StoredUser broker = MakeUser("hansa.agent", kBroker, Role::kBroker);
  auto principal = PrincipalOf(store, broker, now);
  ASSERT_THAT(principal, IsOk());
  EXPECT_EQ(principal->user_id, "hansa.agent");
  EXPECT_EQ(principal->organisation_id, kBroker);
  EXPECT_EQ(principal->role, Role::kBroker);
  // valid_from is inclusive (kTrader2 starts now); valid_to exclusive (AT3 ends now).
  EXPECT_THAT(principal->represented, ElementsAre(kTrader, kTrader2));
  EXPECT_THAT(PrincipalOf(store, broker, now + days(2))->represented, ElementsAre("AT2", kTrader));

  StoredUser clerk = MakeUser("hansa.clerk", kBroker, Role::kDeclarant);
  EXPECT_THAT(PrincipalOf(store, clerk, now)->represented, IsEmpty());
}

TYPED_TEST(IdentityStoreContractTest, OfficerPrincipalCarriesItsOffices) {
  StoredUser officer = MakeUser("officer.a", kCustoms, Role::kOfficer);
  officer.offices = {"DE004200", "DE004300"};
  auto principal = PrincipalOf(*this->store_, officer, kT0);
  ASSERT_THAT(principal, IsOk());
  EXPECT_THAT(principal->offices, ElementsAre("DE004200", "DE004300"));
  EXPECT_THAT(principal->represented, IsEmpty());
}

// ---- Users ----------------------------------------------------------------------------------

TYPED_TEST(IdentityStoreContractTest, UsersRoundTripEveryField) {
  StoredUser officer = MakeUser("officer.a", kCustoms, Role::kOfficer);
  officer.offices = {"DE004200", "DE004300"};
  officer.disabled = true;
  officer.totp = MakeFactor(61'000'000);
  officer.totp->confirmed = true;
  officer.totp->algorithm = TotpAlgorithm::kSha256;
  officer.recovery_codes = MakeCodes(3);
  officer.recovery_codes[1].used = true;
  ASSERT_THAT(this->store_->AddUser(officer), IsOk());
  StoredUser bot = MakeUser("partner-bot_1", kCustoms, Role::kAuditor);
  bot.service_account = true;
  bot.password_hash = "";
  ASSERT_THAT(this->store_->AddUser(bot), IsOk());

  auto found = this->store_->GetUser("officer.a");
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->organisation_id, kCustoms);
  EXPECT_EQ(found->role, Role::kOfficer);
  EXPECT_THAT(found->offices, ElementsAre("DE004200", "DE004300"));
  EXPECT_TRUE(found->disabled);
  EXPECT_FALSE(found->service_account);
  EXPECT_EQ(found->password_hash, officer.password_hash);
  ASSERT_TRUE(found->totp.has_value());
  EXPECT_EQ(found->totp->secret, officer.totp->secret);
  EXPECT_EQ(found->totp->algorithm, TotpAlgorithm::kSha256);
  EXPECT_TRUE(found->totp->confirmed);
  EXPECT_EQ(found->totp->last_used_step, 61'000'000);
  EXPECT_EQ(found->recovery_codes, officer.recovery_codes);
  EXPECT_EQ(found->created_at, kT0);

  auto found_bot = this->store_->GetUser("partner-bot_1");
  ASSERT_THAT(found_bot, IsOk());
  EXPECT_TRUE(found_bot->service_account);
  EXPECT_EQ(found_bot->password_hash, "");
  EXPECT_FALSE(found_bot->totp.has_value());
  EXPECT_THAT(found_bot->offices, IsEmpty());
  EXPECT_THAT(found_bot->recovery_codes, IsEmpty());
}

TYPED_TEST(IdentityStoreContractTest, UsernamesAreUniqueAndNeedAnExistingOrganisation) {
  ASSERT_THAT(this->store_->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  auto again = MakeUser("clerk", kTrader2, Role::kDeclarant);
  EXPECT_THAT(this->store_->AddUser(again), HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(this->store_->AddUser(again), HasReason("user-exists"));
  EXPECT_EQ(this->store_->GetUser("clerk")->organisation_id, kTrader);
  auto orphan = MakeUser("orphan", "XX000", Role::kDeclarant);
  EXPECT_THAT(this->store_->AddUser(orphan), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(this->store_->AddUser(orphan), HasReason("organisation-not-found"));
  EXPECT_THAT(this->store_->GetUser("orphan"), HasReason("user-not-found"));
}

TYPED_TEST(IdentityStoreContractTest, ListUsersByOrganisationOrAllByUsername) {
  for (const char* name : {"zed", "amy", "max"}) {
    ASSERT_THAT(this->store_->AddUser(MakeUser(name, kTrader, Role::kDeclarant)), IsOk());
  }
  ASSERT_THAT(this->store_->AddUser(MakeUser("bob", kBroker, Role::kBroker)), IsOk());
  auto names = [](const std::vector<StoredUser>& users) {
    std::vector<std::string> out;
    for (const auto& user : users) out.push_back(user.username);
    return out;
  };
  EXPECT_THAT(names(*this->store_->ListUsers(kTrader)), ElementsAre("amy", "max", "zed"));
  EXPECT_THAT(names(*this->store_->ListUsers(kBroker)), ElementsAre("bob"));
  EXPECT_THAT(names(*this->store_->ListUsers("")), ElementsAre("amy", "bob", "max", "zed"));
  EXPECT_THAT(*this->store_->ListUsers(kTrader2), IsEmpty());
}

TYPED_TEST(IdentityStoreContractTest, SettersChangeOneUserAndRefuseUnknownOnes) {
  auto& store = *this->store_;
  ASSERT_THAT(store.AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(store.AddUser(MakeUser("other", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(store.SetDisabled("clerk", true), IsOk());
  ASSERT_THAT(store.SetPasswordHash("clerk", "$argon2id$new"), IsOk());
  ASSERT_THAT(store.SetRole("clerk", Role::kOfficer, {"DE1", "DE2"}), IsOk());
  ASSERT_THAT(store.SetRole("clerk", Role::kOfficer, {"DE3"}), IsOk());
  auto clerk = store.GetUser("clerk");
  ASSERT_THAT(clerk, IsOk());
  EXPECT_TRUE(clerk->disabled);
  EXPECT_EQ(clerk->password_hash, "$argon2id$new");
  EXPECT_EQ(clerk->role, Role::kOfficer);
  EXPECT_THAT(clerk->offices, ElementsAre("DE3"));
  ASSERT_THAT(store.SetDisabled("clerk", false), IsOk());
  EXPECT_FALSE(store.GetUser("clerk")->disabled);
  auto other = store.GetUser("other");
  EXPECT_FALSE(other->disabled);
  EXPECT_EQ(other->role, Role::kDeclarant);

  EXPECT_THAT(store.SetDisabled("ghost", true), HasReason("user-not-found"));
  EXPECT_THAT(store.SetPasswordHash("ghost", "x"), HasReason("user-not-found"));
  EXPECT_THAT(store.SetRole("ghost", Role::kAuditor, {}), HasReason("user-not-found"));
  EXPECT_THAT(store.SetTotp("ghost", MakeFactor(-1)), HasReason("user-not-found"));
  EXPECT_THAT(store.ConfirmTotp("ghost", 5), HasReason("user-not-found"));
  EXPECT_THAT(store.AdvanceTotpStep("ghost", 5), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(store.SetRecoveryCodes("ghost", MakeCodes(2)), HasReason("user-not-found"));
  EXPECT_THAT(store.ConsumeRecoveryCode("ghost", 0), HasReason("user-not-found"));
}

// ---- TOTP -----------------------------------------------------------------------------------

TYPED_TEST(IdentityStoreContractTest, TotpIsEnrolledConfirmedAndRemoved) {
  auto& store = *this->store_;
  ASSERT_THAT(store.AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  EXPECT_THAT(store.ConfirmTotp("clerk", 100), HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(store.AdvanceTotpStep("clerk", 100), HasReason("mfa-not-enrolled"));
  ASSERT_THAT(store.SetTotp("clerk", MakeFactor(-1)), IsOk());
  EXPECT_FALSE(store.GetUser("clerk")->totp->confirmed);
  ASSERT_THAT(store.ConfirmTotp("clerk", 100), IsOk());
  auto factor = store.GetUser("clerk")->totp;
  ASSERT_TRUE(factor.has_value());
  EXPECT_TRUE(factor->confirmed);
  EXPECT_EQ(factor->last_used_step, 100);
  ASSERT_THAT(store.SetTotp("clerk", std::nullopt), IsOk());
  EXPECT_FALSE(store.GetUser("clerk")->totp.has_value());
  EXPECT_THAT(store.ConfirmTotp("clerk", 101), HasReason("mfa-not-enrolled"));
}

TYPED_TEST(IdentityStoreContractTest, AdvanceTotpStepRefusesTheSameOrAnOlderStep) {
  auto& store = *this->store_;
  ASSERT_THAT(store.AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(store.SetTotp("clerk", MakeFactor(-1)), IsOk());
  ASSERT_THAT(store.ConfirmTotp("clerk", 100), IsOk());
  EXPECT_THAT(store.AdvanceTotpStep("clerk", 100), HasCode(ErrorCode::kAborted));
  EXPECT_THAT(store.AdvanceTotpStep("clerk", 99), HasReason("totp-replayed"));
  ASSERT_THAT(store.AdvanceTotpStep("clerk", 101), IsOk());
  EXPECT_THAT(store.AdvanceTotpStep("clerk", 101), HasReason("totp-replayed"));
  ASSERT_THAT(store.AdvanceTotpStep("clerk", 105), IsOk());
  EXPECT_THAT(store.AdvanceTotpStep("clerk", 103), HasReason("totp-replayed"));
  EXPECT_EQ(store.GetUser("clerk")->totp->last_used_step, 105);
  // Confirming again never moves the used step backwards.
  ASSERT_THAT(store.ConfirmTotp("clerk", 50), IsOk());
  EXPECT_EQ(store.GetUser("clerk")->totp->last_used_step, 105);
}

TYPED_TEST(IdentityStoreContractTest, ConcurrentAdvanceOfOneStepSucceedsExactlyOnce) {
  auto& store = *this->store_;
  ASSERT_THAT(store.AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(store.SetTotp("clerk", MakeFactor(0)), IsOk());
  for (int64_t step = 1; step <= 20; ++step) {
    EXPECT_EQ(this->RaceSuccesses(2, [&] { return store.AdvanceTotpStep("clerk", step); }), 1)
        << "step " << step;
  }
  EXPECT_EQ(store.GetUser("clerk")->totp->last_used_step, 20);
}

// ---- Recovery codes -------------------------------------------------------------------------

TYPED_TEST(IdentityStoreContractTest, RecoveryCodeIsConsumedOnce) {
  auto& store = *this->store_;
  ASSERT_THAT(store.AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  EXPECT_THAT(store.ConsumeRecoveryCode("clerk", 0), HasReason("recovery-code-invalid"));
  ASSERT_THAT(store.SetRecoveryCodes("clerk", MakeCodes(4)), IsOk());
  ASSERT_THAT(store.ConsumeRecoveryCode("clerk", 2), IsOk());
  EXPECT_THAT(store.ConsumeRecoveryCode("clerk", 2), HasCode(ErrorCode::kAborted));
  EXPECT_THAT(store.ConsumeRecoveryCode("clerk", 2), HasReason("recovery-code-used"));
  EXPECT_THAT(store.ConsumeRecoveryCode("clerk", 4), HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(store.ConsumeRecoveryCode("clerk", static_cast<size_t>(-1)),
              HasReason("recovery-code-invalid"));
  auto codes = store.GetUser("clerk")->recovery_codes;
  ASSERT_EQ(codes.size(), 4u);
  EXPECT_FALSE(codes[0].used);
  EXPECT_TRUE(codes[2].used);
  EXPECT_EQ(RemainingRecoveryCodes(codes), 3u);
  // A new set replaces the old one entirely.
  ASSERT_THAT(store.SetRecoveryCodes("clerk", MakeCodes(2)), IsOk());
  EXPECT_EQ(store.GetUser("clerk")->recovery_codes, MakeCodes(2));
  ASSERT_THAT(store.ConsumeRecoveryCode("clerk", 1), IsOk());
  EXPECT_THAT(store.ConsumeRecoveryCode("clerk", 2), HasReason("recovery-code-invalid"));
}

TYPED_TEST(IdentityStoreContractTest, ConcurrentConsumeOfOneCodeSucceedsExactlyOnce) {
  auto& store = *this->store_;
  ASSERT_THAT(store.AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(store.SetRecoveryCodes("clerk", MakeCodes(10)), IsOk());
  for (size_t index = 0; index < 10; ++index) {
    EXPECT_EQ(this->RaceSuccesses(3, [&] { return store.ConsumeRecoveryCode("clerk", index); }),
              1)
        << "index " << index;
  }
  EXPECT_EQ(RemainingRecoveryCodes(store.GetUser("clerk")->recovery_codes), 0u);
}

// ---- Tokens ---------------------------------------------------------------------------------

TYPED_TEST(IdentityStoreContractTest, TokensAreFoundByHashAndExpire) {
  auto& store = *this->store_;
  IssuedToken session = IssueSessionToken("clerk", kT0);
  auto api = IssueApiToken("bot", {TokenScope::kLedgerRead, TokenScope::kDeclarationsRead}, kT0,
                           days(30));
  ASSERT_THAT(api, IsOk());
  ASSERT_THAT(store.Put(session.record), IsOk());
  ASSERT_THAT(store.Put(api->record), IsOk());
  EXPECT_THAT(store.Put(session.record), HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(store.Put(session.record), HasReason("token-exists"));
  EXPECT_EQ(*store.FindByHash(session.record.hash), session.record);
  EXPECT_EQ(*store.FindByHash(api->record.hash), api->record);
  EXPECT_THAT(store.FindByHash(HashToken("cws_nope")), HasReason("token-unknown"));

  EXPECT_THAT(AuthenticateToken(store, session.token, kT0 + hours(0)), IsOk());
  EXPECT_THAT(AuthenticateToken(store, session.token, session.record.expires_at),
              HasReason("token-expired"));
  ASSERT_THAT(store.SetExpiry(session.record.hash, kT0 + hours(1)), IsOk());
  EXPECT_EQ(store.FindByHash(session.record.hash)->expires_at, kT0 + hours(1));
  EXPECT_THAT(AuthenticateToken(store, session.token, kT0 + std::chrono::minutes(59)), IsOk());
  EXPECT_THAT(store.SetExpiry(HashToken("cws_nope"), kT0), HasCode(ErrorCode::kNotFound));
}

TYPED_TEST(IdentityStoreContractTest, TokensAreRevokedOneOrAllOfAUser) {
  auto& store = *this->store_;
  IssuedToken first = IssueSessionToken("clerk", kT0);
  IssuedToken second = IssueSessionToken("clerk", kT0);
  IssuedToken third = IssueSessionToken("clerk", kT0);
  IssuedToken others = IssueSessionToken("other", kT0);
  for (const auto* issued : {&first, &second, &third, &others}) {
    ASSERT_THAT(store.Put(issued->record), IsOk());
  }
  ASSERT_THAT(store.Revoke(first.record.hash), IsOk());
  ASSERT_THAT(store.Revoke(first.record.hash), IsOk());  // idempotent
  EXPECT_THAT(AuthenticateToken(store, first.token, kT0), HasReason("token-revoked"));
  EXPECT_THAT(store.Revoke(HashToken("cws_nope")), HasReason("token-unknown"));
  auto revoked = store.RevokeAllForUser("clerk");
  ASSERT_THAT(revoked, IsOk());
  EXPECT_EQ(*revoked, 2u);  // first was already revoked
  EXPECT_TRUE(store.FindByHash(third.record.hash)->revoked);
  EXPECT_FALSE(store.FindByHash(others.record.hash)->revoked);
  EXPECT_EQ(*store.RevokeAllForUser("clerk"), 0u);
  EXPECT_EQ(*store.RevokeAllForUser("nobody"), 0u);
}

// Session retention (issue 5): sessions whose end (the idle deadline) is before the cut are
// deleted — expired and revoked ones alike; a dry run only counts; live sessions stay and
// still authenticate; API tokens are never touched.
TYPED_TEST(IdentityStoreContractTest, PurgeSessionsDeletesEndedSessionsOnly) {
  auto& store = *this->store_;
  IssuedToken expired = IssueSessionToken("clerk", kT0);                 // ends kT0 + 15 min
  IssuedToken revoked = IssueSessionToken("clerk", kT0 + hours(1));      // revoked, ends +1h15
  IssuedToken live = IssueSessionToken("clerk", kT0 + hours(3));         // ends +3h15
  auto api = IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, hours(1));
  ASSERT_THAT(api, IsOk());
  for (const TokenRecord* record :
       {&expired.record, &revoked.record, &live.record, &api->record}) {
    ASSERT_THAT(store.Put(*record), IsOk());
  }
  ASSERT_THAT(store.Revoke(revoked.record.hash), IsOk());
  const Timestamp cut = kT0 + hours(2);

  auto counted = store.PurgeSessions(cut, /*dry_run=*/true);
  ASSERT_THAT(counted, IsOk());
  EXPECT_EQ(*counted, 2u);
  EXPECT_THAT(store.FindByHash(expired.record.hash), IsOk());  // a dry run deletes nothing
  EXPECT_THAT(store.FindByHash(revoked.record.hash), IsOk());

  auto purged = store.PurgeSessions(cut, /*dry_run=*/false);
  ASSERT_THAT(purged, IsOk());
  EXPECT_EQ(*purged, 2u);
  EXPECT_THAT(store.FindByHash(expired.record.hash), HasReason("token-unknown"));
  EXPECT_THAT(store.FindByHash(revoked.record.hash), HasReason("token-unknown"));
  EXPECT_THAT(AuthenticateToken(store, expired.token, kT0), HasReason("token-invalid"));
  EXPECT_EQ(*store.FindByHash(live.record.hash), live.record);
  EXPECT_THAT(AuthenticateToken(store, live.token, kT0 + hours(3)), IsOk());
  EXPECT_THAT(store.FindByHash(api->record.hash), IsOk());
  EXPECT_EQ(*store.PurgeSessions(cut, /*dry_run=*/false), 0u);  // nothing left to purge
}

}  // namespace
}  // namespace clearway::identity::testing
