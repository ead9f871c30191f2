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
  // Risk analysts read every declaration (pseudonymised: app/data_views.h); tariff managers none.
  EXPECT_FALSE(Policy::VisibleOrganisations({"r", "C", Role::kRiskAnalyst, {}, {}}).has_value());
  EXPECT_TRUE(Policy::VisibleOrganisations({"t", "C", Role::kTariffManager, {}, {}})->empty());
  // Partners: every organisation, at the offices of their agreement.
  const Principal partner{"p", "FR-DGDDI", Role::kPartner, {"DE004700"}, {}};
  EXPECT_FALSE(Policy::VisibleOrganisations(partner).has_value());
  EXPECT_EQ(Policy::VisibleOffices(partner), std::vector<std::string>{"DE004700"});
}

TEST(PolicyTest, PartnerReadsItsAgreedOfficesAndNeverWrites) {
  Principal p{"p", "FR-DGDDI", Role::kPartner, {"DE004700"}, {}};
  EXPECT_THAT(Policy::CanRead(p, {"DE1", "DE004700"}), IsOk());
  EXPECT_THAT(Policy::CanRead(p, {"DE1", "DE002000"}), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanFile(p, "FR-DGDDI"), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanDecide(p, {"DE1", "DE004700"}), HasReason("forbidden"));
  EXPECT_THAT(Policy::CanReadSecurityEvents(p), HasReason("forbidden"));
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : {Role::kDeclarant, Role::kBroker, Role::kOfficer, Role::kRiskAnalyst,
                 Role::kTariffManager, Role::kAuditor, Role::kAdministrator, Role::kPartner}) {
    EXPECT_EQ(*ParseRole(RoleName(r)), r);
  }
  EXPECT_THAT(ParseRole("root"), HasReason("unknown-role"));
}

}  // namespace
}  // namespace clearway::identity
