#include "identity/identity.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

std::string Basic(std::string_view user_pass) {
  // Base64 of the few fixed strings the tests use, computed with coreutils `base64`.
  if (user_pass == "alice:correct horse") return "Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==";
  if (user_pass == "alice:wrong") return "Basic YWxpY2U6d3Jvbmc=";
  if (user_pass == "mallory:correct horse") return "Basic bWFsbG9yeTpjb3JyZWN0IGhvcnNl";
  if (user_pass == "bob:pw") return "Basic Ym9iOnB3";
  return "";
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto hash = crypto::HashPassword("correct horse", {1, 8u * 1024u * 1024u});
    ASSERT_THAT(hash, IsOk());
    auto bob_hash = crypto::HashPassword("pw", {1, 8u * 1024u * 1024u});
    ASSERT_THAT(bob_hash, IsOk());
    UserRecord alice{{"alice", "DE1", Role::kDeclarant, {}, {}}, *hash, false};
    UserRecord bob{{"bob", "DE2", Role::kOfficer, {"DE004700"}, {}}, *bob_hash, true};
    directory_ = std::make_unique<StaticUserDirectory>(std::vector<UserRecord>{alice, bob});
    auth_ = std::make_unique<Authenticator>(*directory_);
  }
  std::unique_ptr<StaticUserDirectory> directory_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, AcceptsTheRightPasswordTwice) {
  auto p = auth_->AuthenticateBasic(Basic("alice:correct horse"));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->user_id, "alice");
  EXPECT_EQ(p->organisation_id, "DE1");
  // The second time comes from the verified cache and must give the same principal.
  EXPECT_EQ(auth_->AuthenticateBasic(Basic("alice:correct horse"))->user_id, "alice");
}

TEST_F(AuthenticatorTest, WrongPasswordAfterCachedSuccessIsStillRefused) {
  ASSERT_THAT(auth_->AuthenticateBasic(Basic("alice:correct horse")), IsOk());
  EXPECT_THAT(auth_->AuthenticateBasic(Basic("alice:wrong")), HasReason("bad-credentials"));
}

TEST_F(AuthenticatorTest, UnknownUserAndWrongPasswordLookTheSame) {
  auto unknown = auth_->AuthenticateBasic(Basic("mallory:correct horse"));
  auto wrong = auth_->AuthenticateBasic(Basic("alice:wrong"));
  ASSERT_THAT(unknown, HasCode(ErrorCode::kUnauthenticated));
  ASSERT_THAT(wrong, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_EQ(unknown.error(), wrong.error());
}

TEST_F(AuthenticatorTest, DisabledUserIsRefused) {
  EXPECT_THAT(auth_->AuthenticateBasic(Basic("bob:pw")), HasReason("bad-credentials"));
}

TEST_F(AuthenticatorTest, MalformedHeadersAreRefused) {
  EXPECT_THAT(auth_->AuthenticateBasic(""), HasReason("missing-credentials"));
  EXPECT_THAT(auth_->AuthenticateBasic("Bearer abc"), HasReason("missing-credentials"));
  EXPECT_THAT(auth_->AuthenticateBasic("Basic !!!!"), HasReason("bad-credentials"));
  EXPECT_THAT(auth_->AuthenticateBasic("Basic YWxpY2U="), HasReason("bad-credentials"));  // "alice"
  EXPECT_THAT(auth_->AuthenticateBasic("Basic YWxpY2U6Y29ycmVjdCBob3JzZQ"),
              HasReason("bad-credentials"));   // unpadded
}

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
