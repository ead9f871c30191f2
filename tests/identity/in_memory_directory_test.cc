// The directory's free functions (directory.cc) and what is particular to the in-memory store;
// the IdentityStore contract both backends keep is in tests/identity_sqlite.
#include "identity/in_memory_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "identity/directory.h"
#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using ::testing::ElementsAre;

const Timestamp kT0 = Timestamp(std::chrono::seconds(1'800'000'000));

Organisation Org(std::string id, OrganisationKind kind, bool require_mfa) {
  Organisation organisation;
  organisation.id = std::move(id);
  organisation.name = "Org";
  organisation.kind = kind;
  organisation.require_mfa = require_mfa;
  return organisation;
}

StoredUser User(std::string name, std::string organisation_id, Role role) {
  StoredUser user;
  user.username = std::move(name);
  user.organisation_id = std::move(organisation_id);
  user.role = role;
  return user;
}

TEST(OrganisationKindTest, NamesRoundTrip) {
  for (OrganisationKind kind :
       {OrganisationKind::kTrader, OrganisationKind::kBroker,
        OrganisationKind::kCustomsAdministration, OrganisationKind::kPartnerAdministration}) {
    auto parsed = ParseOrganisationKind(OrganisationKindName(kind));
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(OrganisationKindName(OrganisationKind::kCustomsAdministration), "customs");
  EXPECT_EQ(OrganisationKindName(OrganisationKind::kPartnerAdministration), "partner");
}

TEST(OrganisationKindTest, UnknownNamesAreRefused) {
  for (std::string_view name : {"", "Trader", "customs-administration", "brokers", "trader "}) {
    EXPECT_THAT(ParseOrganisationKind(name), HasCode(ErrorCode::kInvalidArgument)) << name;
    EXPECT_THAT(ParseOrganisationKind(name), HasReason("unknown-organisation-kind")) << name;
  }
}

struct MfaCase {
  Role role;
  bool when_org_requires;
  bool when_org_does_not;
};

TEST(MfaRequiredTest, EveryRoleAgainstTheOrganisationSetting) {
  const MfaCase cases[] = {
      {Role::kDeclarant, true, false},     {Role::kBroker, true, false},
      {Role::kOfficer, true, true},        {Role::kRiskAnalyst, true, true},
      {Role::kTariffManager, true, true},  {Role::kAuditor, true, true},
      {Role::kAdministrator, true, true},  {Role::kPartner, true, true},
  };
  for (const MfaCase& c : cases) {
    StoredUser user = User("someone", "ORG", c.role);
    EXPECT_EQ(MfaRequired(user, Org("ORG", OrganisationKind::kTrader, true)), c.when_org_requires)
        << RoleName(c.role);
    EXPECT_EQ(MfaRequired(user, Org("ORG", OrganisationKind::kTrader, false)),
              c.when_org_does_not)
        << RoleName(c.role);
  }
}

TEST(IsValidUsernameTest, AcceptsLowerCaseLettersDigitsAndSeparators) {
  const std::vector<std::string> names = {"abc", "a.b", "0day", "nordfleisch.clerk", "ci-bot_2",
                                         "a--", std::string(64, 'z')};
  for (const std::string& name : names) {
    EXPECT_TRUE(IsValidUsername(name)) << name;
  }
}

TEST(IsValidUsernameTest, RefusesEverythingElse) {
  std::string too_long(65, 'a');
  for (std::string_view name :
       {std::string_view(""), std::string_view("ab"), std::string_view(too_long),
        std::string_view("Alice"), std::string_view(".alice"), std::string_view("-alice"),
        std::string_view("_alice"), std::string_view("al ice"), std::string_view("al@ice"),
        std::string_view("al/ice"), std::string_view("al\0ce", 5), std::string_view("\xc3\xa4lice"),
        std::string_view("alice\n")}) {
    EXPECT_FALSE(IsValidUsername(name)) << name;
  }
}

// A store whose delegations cannot be read, to check PrincipalOf() passes the error on.
class DelegationsDownStore final : public IdentityStore {
 public:
  Status AddOrganisation(const Organisation& o) override { return base_.AddOrganisation(o); }
  Result<Organisation> GetOrganisation(std::string_view id) const override {
    return base_.GetOrganisation(id);
  }
  Result<std::vector<Organisation>> ListOrganisations() const override {
    return base_.ListOrganisations();
  }
  Status AddDelegation(const Delegation& d) override { return base_.AddDelegation(d); }
  Result<std::vector<Delegation>> DelegationsTo(std::string_view) const override {
    return Error::Unavailable("identity-store-failed", "down");
  }
  Status AddUser(const StoredUser& u) override { return base_.AddUser(u); }
  Result<StoredUser> GetUser(std::string_view n) const override { return base_.GetUser(n); }
  Result<std::vector<StoredUser>> ListUsers(std::string_view o) const override {
    return base_.ListUsers(o);
  }
  Status SetDisabled(std::string_view n, bool d) override { return base_.SetDisabled(n, d); }
  Status SetPasswordHash(std::string_view n, const std::string& h) override {
    return base_.SetPasswordHash(n, h);
  }
  Status SetRole(std::string_view n, Role r, const std::vector<std::string>& o) override {
    return base_.SetRole(n, r, o);
  }
  Status SetTotp(std::string_view n, const std::optional<TotpFactor>& t) override {
    return base_.SetTotp(n, t);
  }
  Status ConfirmTotp(std::string_view n, int64_t s) override { return base_.ConfirmTotp(n, s); }
  Status AdvanceTotpStep(std::string_view n, int64_t s) override {
    return base_.AdvanceTotpStep(n, s);
  }
  Status SetRecoveryCodes(std::string_view n,
                          const std::vector<StoredRecoveryCode>& c) override {
    return base_.SetRecoveryCodes(n, c);
  }
  Status ConsumeRecoveryCode(std::string_view n, size_t i) override {
    return base_.ConsumeRecoveryCode(n, i);
  }
  Status Put(const TokenRecord& r) override { return base_.Put(r); }
  Result<TokenRecord> FindByHash(const TokenHash& h) const override { return base_.FindByHash(h); }
  Status SetExpiry(const TokenHash& h, Timestamp t) override { return base_.SetExpiry(h, t); }
  Status Revoke(const TokenHash& h) override { return base_.Revoke(h); }
  Result<size_t> RevokeAllForUser(std::string_view u) override {
    return base_.RevokeAllForUser(u);
  }
  Result<size_t> PurgeSessions(Timestamp before, bool dry_run) override {
    return base_.PurgeSessions(before, dry_run);
  }

 private:
  InMemoryIdentityStore base_;
};

TEST(PrincipalOfTest, BrokersPassOnAStoreFailure) {
  DelegationsDownStore store;
  auto principal = PrincipalOf(store, User("agent", "B1", Role::kBroker), kT0);
  EXPECT_THAT(principal, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(principal, HasReason("identity-store-failed"));
  // Users who act only for themselves do not need the delegations.
  EXPECT_THAT(PrincipalOf(store, User("clerk", "T1", Role::kDeclarant), kT0), IsOk());
}

TEST(PrincipalOfTest, NonBrokersNeverReadDelegations) {
  InMemoryIdentityStore store;
  auto principal = PrincipalOf(store, User("clerk", "ORG", Role::kDeclarant), kT0);
  ASSERT_THAT(principal, IsOk());
  EXPECT_EQ(principal->organisation_id, "ORG");
  EXPECT_TRUE(principal->represented.empty());
}

TEST(PrincipalOfTest, OverlappingDelegationsNameATraderOnce) {
  InMemoryIdentityStore store;
  ASSERT_THAT(store.AddOrganisation(Org("T1", OrganisationKind::kTrader, false)), IsOk());
  ASSERT_THAT(store.AddOrganisation(Org("B1", OrganisationKind::kBroker, false)), IsOk());
  Delegation first;
  first.trader_id = "T1";
  first.broker_id = "B1";
  first.valid_from = kT0 - std::chrono::hours(2);
  Delegation second = first;
  second.valid_from = kT0 - std::chrono::hours(1);
  ASSERT_THAT(store.AddDelegation(first), IsOk());
  ASSERT_THAT(store.AddDelegation(second), IsOk());
  auto principal = PrincipalOf(store, User("agent", "B1", Role::kBroker), kT0);
  ASSERT_THAT(principal, IsOk());
  EXPECT_THAT(principal->represented, ElementsAre("T1"));
}

TEST(InMemoryIdentityStoreTest, ReturnsCopiesNotReferencesIntoTheStore) {
  InMemoryIdentityStore store;
  ASSERT_THAT(store.AddOrganisation(Org("T1", OrganisationKind::kTrader, false)), IsOk());
  ASSERT_THAT(store.AddUser(User("clerk", "T1", Role::kDeclarant)), IsOk());
  auto copy = store.GetUser("clerk");
  ASSERT_THAT(copy, IsOk());
  copy->disabled = true;
  copy->offices.push_back("DE1");
  EXPECT_FALSE(store.GetUser("clerk")->disabled);
  EXPECT_TRUE(store.GetUser("clerk")->offices.empty());
}

}  // namespace
}  // namespace clearway::identity
