// Sign-in, second factors, sessions and API tokens over an in-memory directory with a fake
// clock: the refusal paths (no enumeration, replayed codes, lockout, expiry, revocation) as
// carefully as the happy ones, and the security events each outcome leaves.
#include "app/identity_service.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "app/security_log.h"
#include "crypto/crypto.h"
#include "identity/in_memory_directory.h"
#include "identity/totp.h"
#include "testing/matchers.h"

namespace clearway::app {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using identity::Role;
using identity::SecurityEventType;

constexpr char kPassword[] = "correct horse battery staple";

class IdentityServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hash_ = crypto::HashPassword(kPassword).value();
    const Timestamp now = clock_.Now();
    ASSERT_THAT(directory_.AddOrganisation({"DE987654321000001", "Nordfleisch Import AG",
                                            identity::OrganisationKind::kTrader, false, now}),
                IsOk());
    ASSERT_THAT(directory_.AddOrganisation({"DE123456789012345", "Hanse Brokers",
                                            identity::OrganisationKind::kBroker, false, now}),
                IsOk());
    ASSERT_THAT(directory_.AddOrganisation({"DE-CUSTOMS", "Zoll",
                                            identity::OrganisationKind::kCustomsAdministration,
                                            false, now}),
                IsOk());
    ASSERT_THAT(directory_.AddDelegation({"DE987654321000001", "DE123456789012345", now, {}}),
                IsOk());
    Add("clerk", "DE987654321000001", Role::kDeclarant);
    Add("broker", "DE123456789012345", Role::kBroker);
    Add("officer", "DE-CUSTOMS", Role::kOfficer, {"DE004700"});
    Add("admin", "DE-CUSTOMS", Role::kAdministrator);
    Add("newcomer", "DE-CUSTOMS", Role::kAuditor);  // must use MFA, has none
    identity::StoredUser machine;
    machine.username = "partner.fr";
    machine.organisation_id = "DE-CUSTOMS";
    machine.role = Role::kAuditor;
    machine.service_account = true;
    ASSERT_THAT(directory_.AddUser(machine), IsOk());
    for (const std::string user : {"officer", "admin"}) {
      identity::TotpFactor factor;
      factor.secret = identity::GenerateTotpSecret(identity::TotpAlgorithm::kSha1);
      factor.confirmed = true;
      secrets_[user] = factor.secret;
      ASSERT_THAT(directory_.SetTotp(user, factor), IsOk());
    }
  }

  void Add(const std::string& name, const std::string& org, Role role,
           std::vector<std::string> offices = {}) {
    identity::StoredUser user;
    user.username = name;
    user.organisation_id = org;
    user.role = role;
    user.offices = std::move(offices);
    user.password_hash = hash_;
    user.created_at = clock_.Now();
    ASSERT_THAT(directory_.AddUser(user), IsOk());
  }

  std::string Code(const std::string& user, int steps_ahead = 0) {
    auto totp = identity::Totp::New(secrets_[user], {}).value();
    return totp.Generate(identity::TotpStepAt(clock_.Now()) + steps_ahead);
  }

  Result<SignedIn> SignIn(const std::string& user, const std::string& password,
                          const std::string& totp = "", const std::string& recovery = "") {
    return service_.SignIn({user, password, totp, recovery}, context_);
  }

  size_t EventsOf(SecurityEventType type) {
    auto events = log_.Recent(1000);
    return static_cast<size_t>(std::count_if(events.begin(), events.end(),
                                             [&](const auto& e) { return e.type == type; }));
  }

  FakeClock clock_{*ParseTimestamp("2026-11-24T10:00:00Z")};
  identity::InMemoryIdentityStore directory_;
  SecurityLog log_;
  IdentityService service_{directory_, clock_, log_};
  RequestContext context_{"203.0.113.7", "req-1"};
  std::string hash_;
  std::map<std::string, std::vector<uint8_t>> secrets_;
};

TEST_F(IdentityServiceTest, PasswordSignInIssuesASessionThatAuthenticates) {
  auto in = SignIn("clerk", kPassword);
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->token.token.rfind("cws_", 0), 0u);
  EXPECT_EQ(in->principal.organisation_id, "DE987654321000001");
  auto who = service_.Authenticate("Bearer " + in->token.token, context_);
  ASSERT_THAT(who, IsOk());
  EXPECT_EQ(who->user_id, "clerk");
  EXPECT_EQ(EventsOf(SecurityEventType::kLoginSucceeded), 1u);
  EXPECT_EQ(EventsOf(SecurityEventType::kTokenIssued), 1u);
  for (const auto& event : log_.Recent(100)) {
    EXPECT_EQ(event.source_address, "203.0.113.7");
    EXPECT_EQ(event.request_id, "req-1");
  }
}

TEST_F(IdentityServiceTest, BrokersActForTheTradersThatDelegatedToThem) {
  auto in = SignIn("broker", kPassword);
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->principal.represented, std::vector<std::string>{"DE987654321000001"});
}

TEST_F(IdentityServiceTest, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  auto unknown = SignIn("ghost", kPassword);
  auto wrong = SignIn("clerk", "not the password at all");
  EXPECT_THAT(unknown, HasReason("bad-credentials"));
  EXPECT_THAT(wrong, HasReason("bad-credentials"));
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_THAT(SignIn("partner.fr", ""), HasReason("bad-credentials"));  // no password at all
  ASSERT_THAT(directory_.SetDisabled("clerk", true), IsOk());
  EXPECT_THAT(SignIn("clerk", kPassword), HasReason("bad-credentials"));
  EXPECT_EQ(EventsOf(SecurityEventType::kLoginFailed), 4u);
  for (const auto& event : log_.Recent(100)) {
    for (const auto& [key, value] : event.details.entries()) {
      EXPECT_EQ(value.find(kPassword), std::string::npos);
    }
  }
}

TEST_F(IdentityServiceTest, MfaUsersNeedTheirCurrentCodeAndEachCodeWorksOnce) {
  EXPECT_THAT(SignIn("officer", kPassword), HasReason("mfa-required"));
  EXPECT_THAT(SignIn("officer", kPassword, "000000"), HasReason("mfa-invalid"));
  const std::string code = Code("officer");
  ASSERT_THAT(SignIn("officer", kPassword, code), IsOk());
  EXPECT_THAT(SignIn("officer", kPassword, code), HasReason("mfa-invalid"));  // replayed
  // The next step's code is in the window and later than the one used: accepted once.
  ASSERT_THAT(SignIn("officer", kPassword, Code("officer", 1)), IsOk());
  EXPECT_GE(EventsOf(SecurityEventType::kMfaFailed), 2u);
  // A wrong password never reaches the second factor.
  EXPECT_THAT(SignIn("officer", "wrong", Code("officer", 1)), HasReason("bad-credentials"));
}

TEST_F(IdentityServiceTest, MandatoryMfaWithoutAFactorIsRefusedUntilEnrolled) {
  EXPECT_THAT(SignIn("newcomer", kPassword), HasReason("mfa-enrolment-required"));
  auto enrolled = service_.EnrolOffline("newcomer");
  ASSERT_THAT(enrolled, IsOk());
  EXPECT_EQ(enrolled->second.size(), 10u);
  EXPECT_EQ(enrolled->first.otpauth_uri.rfind("otpauth://totp/Clearway:newcomer?", 0), 0u);
  EXPECT_EQ(enrolled->first.qr_svg.rfind("<svg", 0), 0u);
  // A recovery code signs in once.
  const std::string recovery = enrolled->second[0];
  ASSERT_THAT(SignIn("newcomer", kPassword, "", recovery), IsOk());
  EXPECT_THAT(SignIn("newcomer", kPassword, "", recovery), HasReason("mfa-invalid"));
  EXPECT_EQ(EventsOf(SecurityEventType::kRecoveryCodeUsed), 1u);
}

TEST_F(IdentityServiceTest, SelfEnrolmentConfirmsWithAFirstCode) {
  auto in = SignIn("clerk", kPassword);
  ASSERT_THAT(in, IsOk());
  auto offer = service_.BeginMfaEnrolment(in->principal, context_);
  ASSERT_THAT(offer, IsOk());
  auto secret = identity::Base32Decode(offer->secret_base32).value();
  auto totp = identity::Totp::New(secret, {}).value();
  EXPECT_THAT(service_.ConfirmMfaEnrolment(in->principal, "123", context_),
              HasReason("mfa-invalid"));
  auto codes = service_.ConfirmMfaEnrolment(in->principal, totp.GenerateAt(clock_.Now()), context_);
  ASSERT_THAT(codes, IsOk());
  EXPECT_EQ(codes->size(), 10u);
  EXPECT_THAT(service_.BeginMfaEnrolment(in->principal, context_),
              HasReason("mfa-already-enrolled"));
  // From now on the clerk's sign-in asks for the code too.
  EXPECT_THAT(SignIn("clerk", kPassword), HasReason("mfa-required"));
  EXPECT_EQ(EventsOf(SecurityEventType::kMfaEnrolled), 1u);
}

TEST_F(IdentityServiceTest, RepeatedFailuresBackOffThenLockTheAccount) {
  for (int i = 0; i < 3; ++i) EXPECT_THAT(SignIn("clerk", "bad"), HasReason("bad-credentials"));
  // The 4th attempt comes too soon: refused before the password is looked at.
  EXPECT_THAT(SignIn("clerk", kPassword), HasReason("backoff"));
  for (int i = 0; i < 7; ++i) {
    clock_.Advance(std::chrono::seconds(61));
    (void)SignIn("clerk", "bad");
  }
  clock_.Advance(std::chrono::seconds(61));
  auto locked = SignIn("clerk", kPassword);
  EXPECT_THAT(locked, HasReason("locked-out"));
  EXPECT_THAT(locked, HasCode(ErrorCode::kResourceExhausted));
  EXPECT_GE(EventsOf(SecurityEventType::kLockedOut), 1u);
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_THAT(SignIn("clerk", kPassword), IsOk());
}

TEST_F(IdentityServiceTest, SessionsExpireSlideAndEndAtTheAbsoluteLimit) {
  auto in = SignIn("clerk", kPassword);
  ASSERT_THAT(in, IsOk());
  const std::string bearer = "Bearer " + in->token.token;
  // Used every 10 minutes, the session slides past its 15-minute idle deadline...
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(std::chrono::minutes(10));
    ASSERT_THAT(service_.Authenticate(bearer, context_), IsOk()) << i;
  }
  // ...but idle for 16 minutes it expires.
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_THAT(service_.Authenticate(bearer, context_), HasReason("token-expired"));
  // And however active, it ends 12 hours after sign-in.
  auto again = SignIn("clerk", kPassword);
  ASSERT_THAT(again, IsOk());
  const std::string second = "Bearer " + again->token.token;
  for (int i = 0; i < 12 * 6; ++i) {
    clock_.Advance(std::chrono::minutes(10));
    if (!service_.Authenticate(second, context_).ok()) break;
  }
  EXPECT_THAT(service_.Authenticate(second, context_), HasReason("token-expired"));
}

TEST_F(IdentityServiceTest, SignOutAndAdministratorRevocationEndSessions) {
  auto first = SignIn("clerk", kPassword);
  auto second = SignIn("clerk", kPassword);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  ASSERT_THAT(service_.SignOut("Bearer " + first->token.token, context_), IsOk());
  EXPECT_THAT(service_.Authenticate("Bearer " + first->token.token, context_),
              HasReason("token-revoked"));
  ASSERT_THAT(service_.Authenticate("Bearer " + second->token.token, context_), IsOk());

  auto clerk = second->principal;
  EXPECT_THAT(service_.RevokeSessions(clerk, "clerk", context_), HasReason("forbidden"));
  EXPECT_EQ(EventsOf(SecurityEventType::kPermissionDenied), 1u);
  auto admin = SignIn("admin", kPassword, Code("admin"));
  ASSERT_THAT(admin, IsOk());
  auto revoked = service_.RevokeSessions(admin->principal, "clerk", context_);
  ASSERT_THAT(revoked, IsOk());
  EXPECT_EQ(*revoked, 1u);
  EXPECT_THAT(service_.Authenticate("Bearer " + second->token.token, context_),
              HasReason("token-revoked"));
  // A disabled account's tokens stop working at once.
  auto third = SignIn("broker", kPassword);
  ASSERT_THAT(third, IsOk());
  ASSERT_THAT(directory_.SetDisabled("broker", true), IsOk());
  EXPECT_THAT(service_.Authenticate("Bearer " + third->token.token, context_),
              HasReason("token-revoked"));
}

TEST_F(IdentityServiceTest, ApiTokensForServiceAccountsCarryScopes) {
  auto admin = SignIn("admin", kPassword, Code("admin"));
  ASSERT_THAT(admin, IsOk());
  auto issued = service_.IssueApiToken(admin->principal, "partner.fr",
                                       {identity::TokenScope::kLedgerRead}, std::chrono::hours(24),
                                       context_);
  ASSERT_THAT(issued, IsOk());
  EXPECT_EQ(issued->token.rfind("cwa_", 0), 0u);
  auto who = service_.AuthenticateToken("Bearer " + issued->token, context_);
  ASSERT_THAT(who, IsOk());
  EXPECT_EQ(who->first.user_id, "partner.fr");
  EXPECT_THAT(identity::RequireScope(who->second, identity::TokenScope::kLedgerRead), IsOk());
  EXPECT_THAT(identity::RequireScope(who->second, identity::TokenScope::kDeclarationsWrite),
              HasReason("token-scope-missing"));
  EXPECT_THAT(service_.IssueApiToken(admin->principal, "clerk",
                                     {identity::TokenScope::kLedgerRead}, std::chrono::hours(1),
                                     context_),
              HasReason("not-a-service-account"));
  auto clerk = SignIn("clerk", kPassword);
  ASSERT_THAT(clerk, IsOk());
  EXPECT_THAT(service_.IssueApiToken(clerk->principal, "partner.fr",
                                     {identity::TokenScope::kLedgerRead}, std::chrono::hours(1),
                                     context_),
              HasReason("forbidden"));
  clock_.Advance(std::chrono::hours(25));
  EXPECT_THAT(service_.Authenticate("Bearer " + issued->token, context_),
              HasReason("token-expired"));
}

TEST_F(IdentityServiceTest, MalformedBearerHeadersAreRefused) {
  EXPECT_THAT(service_.Authenticate("", context_), HasReason("missing-credentials"));
  EXPECT_THAT(service_.Authenticate("Basic Y2xlcms6eA==", context_),
              HasReason("missing-credentials"));
  EXPECT_THAT(service_.Authenticate("Bearer nonsense", context_), HasReason("token-invalid"));
  EXPECT_THAT(service_.Authenticate("Bearer cws_" + std::string(43, 'A'), context_),
              HasReason("token-invalid"));
}

}  // namespace
}  // namespace clearway::app
