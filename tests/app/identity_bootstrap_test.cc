// BootstrapUsers() run again — by a restarted node, or by a second node sharing the directory
// on PostgreSQL — adds nothing twice.
#include "app/identity_bootstrap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "identity/in_memory_directory.h"
#include "testing/matchers.h"

namespace clearway::app {
namespace {

using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;

const Timestamp kT0 = Timestamp(std::chrono::seconds(1'800'000'000));

std::vector<identity::UserRecord> BrokerForTwoTraders() {
  identity::UserRecord broker;
  broker.principal.user_id = "hanse.broker";
  broker.principal.organisation_id = "DE111111111000009";
  broker.principal.role = identity::Role::kBroker;
  broker.principal.represented = {"DE987654321000001", "FR123456789000002"};
  broker.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA";
  return {broker};
}

TEST(IdentityBootstrapTest, RunTwiceAddsEachUserAndDelegationOnce) {
  identity::InMemoryIdentityStore directory;
  ASSERT_THAT(BootstrapUsers(directory, BrokerForTwoTraders(), kT0), IsOk());
  // Again, as a restarted node or a second node on a shared directory does: nothing is added.
  ASSERT_THAT(BootstrapUsers(directory, BrokerForTwoTraders(), kT0), IsOk());
  auto delegations = directory.DelegationsTo("DE111111111000009");
  ASSERT_THAT(delegations, IsOk());
  EXPECT_EQ(delegations->size(), 2u);
  auto users = directory.ListUsers("");
  ASSERT_THAT(users, IsOk());
  EXPECT_EQ(users->size(), 1u);
}

TEST(IdentityBootstrapTest, AnOpenDelegationAlreadyGivenIsNotGivenAgain) {
  identity::InMemoryIdentityStore directory;
  ASSERT_THAT(EnsureOrganisation(directory, {"DE987654321000001", "Nordfleisch",
                                             identity::OrganisationKind::kTrader, false, kT0}),
              IsOk());
  ASSERT_THAT(EnsureOrganisation(directory, {"DE111111111000009", "Hansa",
                                             identity::OrganisationKind::kBroker, false, kT0}),
              IsOk());
  // An ended delegation does not count; an open one does.
  ASSERT_THAT(directory.AddDelegation({"FR123456789000002", "DE111111111000009", kT0,
                                       std::nullopt}),
              HasReason("organisation-not-found"));  // no such trader yet
  ASSERT_THAT(directory.AddDelegation({"DE987654321000001", "DE111111111000009",
                                       kT0 - std::chrono::hours(48), kT0 - std::chrono::hours(24)}),
              IsOk());
  ASSERT_THAT(directory.AddDelegation({"DE987654321000001", "DE111111111000009", kT0,
                                       std::nullopt}),
              IsOk());
  ASSERT_THAT(BootstrapUsers(directory, BrokerForTwoTraders(), kT0), IsOk());
  auto delegations = directory.DelegationsTo("DE111111111000009");
  ASSERT_THAT(delegations, IsOk());
  int open_from_nordfleisch = 0;
  int from_vins = 0;
  for (const auto& delegation : *delegations) {
    if (delegation.trader_id == "DE987654321000001" && !delegation.valid_to) {
      ++open_from_nordfleisch;
    }
    if (delegation.trader_id == "FR123456789000002") ++from_vins;
  }
  EXPECT_EQ(open_from_nordfleisch, 1);
  EXPECT_EQ(from_vins, 1);
  EXPECT_EQ(delegations->size(), 3u);
}

}  // namespace
}  // namespace clearway::app
