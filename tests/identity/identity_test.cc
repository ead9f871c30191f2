#include "identity/identity.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

TEST(PolicyTest, DeclarantSeesOnlyItsOrganisation) {
  Principal p{"u", "DE1", Role::kDeclarant, {}, {}};
  EXPECT_THAT(Policy::CanRead(p, {"DE1", "DE004700"}), IsOk());
  EXPECT_THAT(Policy::CanRead(p, {"DE2", "DE004700"}), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanFile(p, "DE1"), IsOk());
  EXPECT_THAT(Policy::CanFile(p, "DE2"), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanDecide(p, {"DE1", "DE004700"}), HasReason("forbidden"));
}

TEST(PolicyTest, BrokerActsForTheOrganisationsThatDelegated) {
  Principal p{"b", "BR1", Role::kBroker, {}, {"DE1"}};
  EXPECT_THAT(Policy::CanFile(p, "DE1"), IsOk());
  EXPECT_THAT(Policy::CanRead(p, {"DE1", "X"}), IsOk());
  EXPECT_THAT(Policy::CanFile(p, "DE2"), HasCode(ErrorCode::kPermissionDenied));
  EXPECT_THAT(Policy::CanRead(p, {"DE2", "X"}), HasCode(ErrorCode::kPermissionDenied));
}

TEST(PolicyTest, OfficerActsOnlyOnItsOffices) {
  Principal p{"o", "CUSTOMS", Role::kOfficer, {"DE004700"}, {}};
  EXPECT_THAT(Policy::CanDecide(p, {"DE1", "DE004700"}), IsOk());
  EXPECT_THAT(Policy::CanRead(p, {"DE1", "DE004700"}), IsOk());
  EXPECT_THAT(Policy::CanDecide(p, {"DE1", "FR693000"}), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanRead(p, {"DE1", "FR693000"}), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanFile(p, "DE1"), HasReason("forbidden"));
}

TEST(PolicyTest, AuditorReadsButNeverWrites) {
  Principal p{"a", "CUSTOMS", Role::kAuditor, {}, {}};
  EXPECT_THAT(Policy::CanRead(p, {"DE1", "DE004700"}), IsOk());
  EXPECT_THAT(Policy::CanFile(p, "DE1"), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanDecide(p, {"DE1", "DE004700"}), HasReason("forbidden"));
}

TEST(PolicyTest, VisibilityForLists) {
  EXPECT_EQ(Policy::VisibleOrganisations({"u", "DE1", Role::kDeclarant, {}, {}}),
            std::vector<std::string>{"DE1"});
  EXPECT_FALSE(Policy::VisibleOrganisations({"a", "C", Role::kAuditor, {}, {}}).has_value());
  EXPECT_EQ(Policy::VisibleOffices({"o", "C", Role::kOfficer, {"DE004700"}, {}}),
            std::vector<std::string>{"DE004700"});
  EXPECT_TRUE(Policy::VisibleOrganisations({"r", "C", Role::kRiskAnalyst, {}, {}})->empty());
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : {Role::kDeclarant, Role::kBroker, Role::kOfficer, Role::kRiskAnalyst,
                 Role::kTariffManager, Role::kAuditor, Role::kAdministrator}) {
    EXPECT_EQ(*ParseRole(RoleName(r)), r);
  }
  EXPECT_THAT(ParseRole("root"), HasReason("unknown-role"));
}

}  // namespace
}  // namespace clearway::identity
