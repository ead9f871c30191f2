#include "identity/tokens.h"

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kT0 = Timestamp(std::chrono::seconds(1'800'000'000));

// A TokenStore whose every call fails, to check that store outages are not reported as a
// bad token.
class UnavailableTokenStore final : public TokenStore {
 public:
  Status Put(const TokenRecord&) override { return Down(); }
  Result<TokenRecord> FindByHash(const TokenHash&) const override { return Down(); }
  Status SetExpiry(const TokenHash&, Timestamp) override { return Down(); }
  Status Revoke(const TokenHash&) override { return Down(); }
  Result<size_t> RevokeAllForUser(std::string_view) override { return Down(); }
  Result<size_t> PurgeSessions(Timestamp, bool) override { return Down(); }

 private:
  static Error Down() { return Error::Unavailable("store-down", "store unavailable"); }
};

TEST(TokensTest, PurgeSessionsRemovesEndedSessionsOnly) {
  InMemoryTokenStore store;
  IssuedToken old_session = IssueSessionToken("alice", kT0);
  IssuedToken new_session = IssueSessionToken("alice", kT0 + std::chrono::hours(24));
  auto api = IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, std::chrono::hours(1));
  ASSERT_THAT(api, IsOk());
  for (const TokenRecord& record : {old_session.record, new_session.record, api->record}) {
    ASSERT_THAT(store.Put(record), IsOk());
  }
  const Timestamp cutoff = kT0 + std::chrono::hours(12);
  auto counted = store.PurgeSessions(cutoff, /*dry_run=*/true);
  ASSERT_THAT(counted, IsOk());
  EXPECT_EQ(*counted, 1u);
  EXPECT_EQ(store.size(), 3u);
  auto purged = store.PurgeSessions(cutoff, /*dry_run=*/false);
  ASSERT_THAT(purged, IsOk());
  EXPECT_EQ(*purged, 1u);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_THAT(store.FindByHash(old_session.record.hash), HasReason("token-unknown"));
  EXPECT_THAT(store.FindByHash(api->record.hash), IsOk());  // API tokens are never purged
}

TEST(TokensTest, SessionTokensArePrefixed256BitBase64Url) {
  IssuedToken issued = IssueSessionToken("alice", kT0);
  EXPECT_TRUE(std::regex_match(issued.token, std::regex("cws_[A-Za-z0-9_-]{43}"))) << "format";
  EXPECT_EQ(issued.record.hash, crypto::Sha256(issued.token));
  EXPECT_EQ(issued.record.user_id, "alice");
  EXPECT_EQ(issued.record.kind, TokenKind::kSession);
  EXPECT_TRUE(issued.record.scopes.empty());
  EXPECT_EQ(issued.record.issued_at, kT0);
  EXPECT_EQ(issued.record.expires_at, kT0 + minutes(15));
  EXPECT_EQ(issued.record.absolute_expires_at, kT0 + hours(12));
  EXPECT_FALSE(issued.record.revoked);
  EXPECT_EQ(TokenId(issued.record.hash), crypto::ToHex(crypto::Sha256(issued.token)));
}

TEST(TokensTest, TokensAreUnique) {
  std::set<std::string> seen;
  for (int count = 0; count < 200; ++count) seen.insert(IssueSessionToken("alice", kT0).token);
  EXPECT_EQ(seen.size(), 200u);
}

TEST(TokensTest, ApiTokensCarrySortedUniqueScopesAndAFixedExpiry) {
  auto issued = IssueApiToken(
      "ci-bot", {TokenScope::kLedgerRead, TokenScope::kDeclarationsRead, TokenScope::kLedgerRead},
      kT0, hours(24 * 30));
  ASSERT_THAT(issued, IsOk());
  EXPECT_TRUE(std::regex_match(issued->token, std::regex("cwa_[A-Za-z0-9_-]{43}")));
  EXPECT_EQ(issued->record.kind, TokenKind::kApi);
  EXPECT_EQ(issued->record.scopes,
            (std::vector<TokenScope>{TokenScope::kDeclarationsRead, TokenScope::kLedgerRead}));
  EXPECT_EQ(issued->record.expires_at, kT0 + hours(24 * 30));
  EXPECT_EQ(issued->record.absolute_expires_at, issued->record.expires_at);
  EXPECT_THAT(RequireScope(issued->record, TokenScope::kLedgerRead), IsOk());
  auto missing = RequireScope(issued->record, TokenScope::kDeclarationsWrite);
  EXPECT_THAT(missing, HasCode(ErrorCode::kPermissionDenied));
  EXPECT_THAT(missing, HasReason("token-scope-missing"));
  // Session tokens are governed by the role policy, not scopes.
  EXPECT_THAT(RequireScope(IssueSessionToken("alice", kT0).record, TokenScope::kTariffWrite),
              IsOk());
}

TEST(TokensTest, ApiTokenIssueRefusesNoScopeAndBadLifetimes) {
  EXPECT_THAT(IssueApiToken("bot", {}, kT0, hours(1)), HasReason("token-no-scope"));
  EXPECT_THAT(IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, seconds(0)),
              HasReason("token-bad-lifetime"));
  EXPECT_THAT(IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, seconds(-5)),
              HasReason("token-bad-lifetime"));
  EXPECT_THAT(
      IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, kMaxApiTokenLifetime + seconds(1)),
      HasReason("token-bad-lifetime"));
  EXPECT_THAT(IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, kMaxApiTokenLifetime), IsOk());
}

TEST(TokensTest, ScopesParseAndFormatRoundTrip) {
  auto scopes = ParseTokenScopes("ledger:read  declarations:write declarations:read ledger:read");
  ASSERT_THAT(scopes, IsOk());
  EXPECT_EQ(FormatTokenScopes(*scopes), "declarations:read declarations:write ledger:read");
  auto all = ParseTokenScopes(
      "declarations:read declarations:write ledger:read tariff:read tariff:write risk:read "
      "risk:write exchange:write security-events:read");
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 9u);
  EXPECT_EQ(*ParseTokenScopes(FormatTokenScopes(*all)), *all);
}

TEST(TokensTest, ScopeParserRefusesUnknownAndEmpty) {
  for (std::string_view bad : {"ledger:read admin", "LEDGER:READ", "ledger:*", "declarations",
                               "ledger:read,declarations:read", "*"}) {
    auto result = ParseTokenScopes(bad);
    EXPECT_THAT(result, HasCode(ErrorCode::kInvalidArgument)) << bad;
    EXPECT_THAT(result, HasReason("token-unknown-scope")) << bad;
  }
  EXPECT_THAT(ParseTokenScopes(""), HasReason("token-no-scope"));
  EXPECT_THAT(ParseTokenScopes("   "), HasReason("token-no-scope"));
}

TEST(TokensTest, CheckAcceptsTheTokenUntilJustBeforeExpiry) {
  IssuedToken issued = IssueSessionToken("alice", kT0);
  EXPECT_THAT(CheckToken(issued.token, issued.record, kT0), IsOk());
  EXPECT_THAT(
      CheckToken(issued.token, issued.record, kT0 + minutes(15) - std::chrono::microseconds(1)),
      IsOk());
  auto expired = CheckToken(issued.token, issued.record, kT0 + minutes(15));
  EXPECT_THAT(expired, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_THAT(expired, HasReason("token-expired"));
}

TEST(TokensTest, CheckRefusesRevokedAndForeignTokens) {
  IssuedToken issued = IssueSessionToken("alice", kT0);
  TokenRecord revoked = issued.record;
  revoked.revoked = true;
  EXPECT_THAT(CheckToken(issued.token, revoked, kT0), HasReason("token-revoked"));
  // Another valid-looking token against this record: invalid, and a revoked record's state is
  // not revealed to someone who does not hold its token.
  IssuedToken other = IssueSessionToken("alice", kT0);
  EXPECT_THAT(CheckToken(other.token, issued.record, kT0), HasReason("token-invalid"));
  EXPECT_THAT(CheckToken(other.token, revoked, kT0), HasReason("token-invalid"));
}

TEST(TokensTest, CheckRefusesEveryOneCharacterChangeAndMalformedText) {
  IssuedToken issued = IssueSessionToken("alice", kT0);
  for (size_t pos = 0; pos < issued.token.size(); ++pos) {
    std::string changed = issued.token;
    changed[pos] = changed[pos] == 'A' ? 'B' : 'A';
    EXPECT_THAT(CheckToken(changed, issued.record, kT0), HasReason("token-invalid")) << pos;
  }
  for (const std::string& bad :
       {std::string(""), std::string("cws_"), issued.token.substr(0, issued.token.size() - 1),
        issued.token + "A", "Bearer " + issued.token, "cwx_" + issued.token.substr(4),
        "cws_" + std::string(42, 'A') + "=", "cws_" + std::string(42, 'A') + "+"}) {
    EXPECT_THAT(CheckToken(bad, issued.record, kT0), HasReason("token-invalid")) << bad;
  }
  // The same body with the other prefix is a different token.
  EXPECT_THAT(CheckToken("cwa_" + issued.token.substr(4), issued.record, kT0),
              HasReason("token-invalid"));
}

TEST(TokensTest, RefreshExtendsTheIdleDeadlineWithinTheAbsoluteOne) {
  IssuedToken issued = IssueSessionToken("alice", kT0);
  auto refreshed = RefreshSession(issued.record, kT0 + minutes(10));
  ASSERT_THAT(refreshed, IsOk());
  EXPECT_EQ(refreshed->expires_at, kT0 + minutes(25));
  EXPECT_EQ(refreshed->absolute_expires_at, kT0 + hours(12));
  // Keep refreshing every 10 minutes: the deadline stops at 12 hours.
  TokenRecord record = *refreshed;
  Timestamp now = kT0 + minutes(10);
  while (now + minutes(10) < kT0 + hours(12)) {
    now += minutes(10);
    auto next = RefreshSession(record, now);
    ASSERT_THAT(next, IsOk());
    record = *next;
  }
  EXPECT_EQ(record.expires_at, kT0 + hours(12));
  EXPECT_THAT(CheckToken(issued.token, record, kT0 + hours(12)), HasReason("token-expired"));
  EXPECT_THAT(RefreshSession(record, kT0 + hours(12)), HasReason("token-expired"));
}

TEST(TokensTest, RefreshRefusesExpiredRevokedAndApiTokens) {
  IssuedToken issued = IssueSessionToken("alice", kT0);
  EXPECT_THAT(RefreshSession(issued.record, kT0 + minutes(15)), HasReason("token-expired"));
  TokenRecord revoked = issued.record;
  revoked.revoked = true;
  EXPECT_THAT(RefreshSession(revoked, kT0 + minutes(1)), HasReason("token-revoked"));
  auto api = IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, hours(1));
  ASSERT_THAT(api, IsOk());
  auto refused = RefreshSession(api->record, kT0);
  EXPECT_THAT(refused, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(refused, HasReason("token-not-refreshable"));
}

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = IssueSessionToken("alice", kT0);
    alice_api_ = *IssueApiToken("alice", {TokenScope::kLedgerRead}, kT0, hours(24));
    bob_ = IssueSessionToken("bob", kT0);
    ASSERT_THAT(store_.Put(alice_.record), IsOk());
    ASSERT_THAT(store_.Put(alice_api_.record), IsOk());
    ASSERT_THAT(store_.Put(bob_.record), IsOk());
  }
  InMemoryTokenStore store_;
  IssuedToken alice_;
  IssuedToken alice_api_;
  IssuedToken bob_;
};

TEST_F(TokenStoreTest, AuthenticatesAStoredToken) {
  auto record = AuthenticateToken(store_, alice_.token, kT0 + minutes(1));
  ASSERT_THAT(record, IsOk());
  EXPECT_EQ(*record, alice_.record);
}

TEST_F(TokenStoreTest, UnknownAndMalformedTokensAreInvalid) {
  auto unknown = AuthenticateToken(store_, IssueSessionToken("alice", kT0).token, kT0);
  EXPECT_THAT(unknown, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_THAT(unknown, HasReason("token-invalid"));
  EXPECT_THAT(AuthenticateToken(store_, "not a token", kT0), HasReason("token-invalid"));
  EXPECT_THAT(store_.FindByHash(HashToken("nope")), HasReason("token-unknown"));
}

TEST_F(TokenStoreTest, PutRefusesADuplicateHash) {
  EXPECT_THAT(store_.Put(alice_.record), HasCode(ErrorCode::kAlreadyExists));
  EXPECT_EQ(store_.size(), 3u);
}

TEST_F(TokenStoreTest, RevokeOneToken) {
  ASSERT_THAT(store_.Revoke(alice_.record.hash), IsOk());
  EXPECT_THAT(store_.Revoke(alice_.record.hash), IsOk());  // idempotent
  EXPECT_THAT(AuthenticateToken(store_, alice_.token, kT0), HasReason("token-revoked"));
  EXPECT_THAT(AuthenticateToken(store_, alice_api_.token, kT0), IsOk());
  EXPECT_THAT(store_.Revoke(HashToken("nope")), HasCode(ErrorCode::kNotFound));
}

TEST_F(TokenStoreTest, RevokeAllForUserLeavesOthersAlone) {
  auto count = store_.RevokeAllForUser("alice");
  ASSERT_THAT(count, IsOk());
  EXPECT_EQ(*count, 2u);
  EXPECT_EQ(*store_.RevokeAllForUser("alice"), 0u);
  EXPECT_THAT(AuthenticateToken(store_, alice_.token, kT0), HasReason("token-revoked"));
  EXPECT_THAT(AuthenticateToken(store_, alice_api_.token, kT0), HasReason("token-revoked"));
  EXPECT_THAT(AuthenticateToken(store_, bob_.token, kT0), IsOk());
  EXPECT_EQ(*store_.RevokeAllForUser("nobody"), 0u);
}

TEST_F(TokenStoreTest, RefreshSessionTokenPersistsTheNewDeadline) {
  auto refreshed = RefreshSessionToken(store_, alice_.token, kT0 + minutes(14));
  ASSERT_THAT(refreshed, IsOk());
  EXPECT_EQ(refreshed->expires_at, kT0 + minutes(29));
  EXPECT_THAT(AuthenticateToken(store_, alice_.token, kT0 + minutes(28)), IsOk());
  EXPECT_THAT(AuthenticateToken(store_, alice_.token, kT0 + minutes(29)),
              HasReason("token-expired"));
  EXPECT_THAT(RefreshSessionToken(store_, alice_api_.token, kT0),
              HasReason("token-not-refreshable"));
  EXPECT_THAT(RefreshSessionToken(store_, alice_.token, kT0 + hours(1)),
              HasReason("token-expired"));
}

TEST(TokenStoreFailureTest, StoreOutageIsNotReportedAsABadToken) {
  UnavailableTokenStore store;
  auto result = AuthenticateToken(store, IssueSessionToken("alice", kT0).token, kT0);
  EXPECT_THAT(result, HasCode(ErrorCode::kUnavailable));
  // A malformed token is refused before the store is asked.
  EXPECT_THAT(AuthenticateToken(store, "garbage", kT0), HasReason("token-invalid"));
}

}  // namespace
}  // namespace clearway::identity
