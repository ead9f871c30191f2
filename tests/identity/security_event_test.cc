#include "identity/security_event.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/ids.h"
#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

const Timestamp kAt = ParseTimestamp("2026-03-01T09:30:15.250Z").value();

SecurityEvent LoginFailed() {
  SecurityEvent event;
  event.id = "01JNG6B3Q2F8X4V7K9M1P5R0TZ";
  event.time = kAt;
  event.type = SecurityEventType::kLoginFailed;
  event.outcome = SecurityOutcome::kFailure;
  event.actor = std::string(kAnonymousActor);
  event.subject = "alice";
  event.source_address = "192.0.2.10";
  event.request_id = "req-42";
  CW_CHECK(event.details.Set("reason", "bad-credentials").ok());
  CW_CHECK(event.details.Set("attempt", "3").ok());
  return event;
}

TEST(SecurityEventTest, CanonicalJsonIsExact) {
  EXPECT_EQ(
      SecurityEventJson(LoginFailed()),
      R"({"actor":"anonymous","details":{"attempt":"3","reason":"bad-credentials"},)"
      R"("id":"01JNG6B3Q2F8X4V7K9M1P5R0TZ","outcome":"failure","request_id":"req-42",)"
      R"("source_address":"192.0.2.10","subject":"alice","time":"2026-03-01T09:30:15.250000Z",)"
      R"("type":"login-failed","v":1})");
}

TEST(SecurityEventTest, JsonRoundTripsEveryTypeAndOutcome) {
  const std::vector<SecurityEventType> types = {
      SecurityEventType::kLoginSucceeded,   SecurityEventType::kLoginFailed,
      SecurityEventType::kMfaFailed,        SecurityEventType::kMfaEnrolled,
      SecurityEventType::kRecoveryCodeUsed, SecurityEventType::kLockedOut,
      SecurityEventType::kTokenIssued,      SecurityEventType::kTokenRefreshed,
      SecurityEventType::kTokenRevoked,     SecurityEventType::kLoggedOut,
      SecurityEventType::kPermissionDenied, SecurityEventType::kRoleChanged,
      SecurityEventType::kUserCreated,      SecurityEventType::kUserDisabled,
      SecurityEventType::kPasswordChanged};
  for (SecurityEventType type : types) {
    for (SecurityOutcome outcome :
         {SecurityOutcome::kSuccess, SecurityOutcome::kFailure, SecurityOutcome::kDenied}) {
      SecurityEvent event = LoginFailed();
      event.type = type;
      event.outcome = outcome;
      auto parsed = ParseSecurityEventJson(SecurityEventJson(event));
      ASSERT_THAT(parsed, IsOk()) << SecurityEventTypeName(type);
      EXPECT_EQ(*parsed, event);
      EXPECT_EQ(*ParseSecurityEventType(SecurityEventTypeName(type)), type);
    }
  }
  EXPECT_THAT(ParseSecurityEventType("login-maybe"), HasReason("security-event-bad-type"));
  EXPECT_THAT(ParseSecurityOutcome("ok"), HasReason("security-event-bad-outcome"));
}

TEST(SecurityEventTest, EmptyOptionalFieldsAndNoDetailsRoundTrip) {
  SecurityEvent event;
  event.id = NewSecurityEventId(kAt);
  event.time = kAt;
  event.type = SecurityEventType::kUserCreated;
  event.outcome = SecurityOutcome::kSuccess;
  event.actor = "admin";
  auto parsed = ParseSecurityEventJson(SecurityEventJson(event));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, event);
  EXPECT_NE(SecurityEventJson(event).find(R"("details":{})"), std::string::npos);
}

TEST(SecurityEventTest, DetailsRefuseCredentialKeys) {
  SecurityEventDetails details;
  for (std::string_view key :
       {"password",    "new_password",  "passwd",     "secret",        "totp",
        "totp_code",   "otp",           "token",      "session_token", "api_key",
        "apikey",      "recovery_code", "credential", "cookie",        "authorization",
        "private_key", "session",       "pin",        "passphrase",    "client_secret"}) {
    auto status = details.Set(key, "x");
    EXPECT_THAT(status, HasCode(ErrorCode::kInvalidArgument)) << key;
    EXPECT_THAT(status, HasDetail("details." + std::string(key), "security-event-secret-key"))
        << key;
  }
  EXPECT_TRUE(details.entries().empty());
}

TEST(SecurityEventTest, DetailsRefuseBadKeysValuesAndTooMany) {
  SecurityEventDetails details;
  const std::string too_long(41, 'a');
  for (std::string_view key :
       {std::string_view(""), std::string_view("Reason"), std::string_view("has space"),
        std::string_view("a/b"), std::string_view("ключ"), std::string_view(too_long)}) {
    EXPECT_THAT(details.Set(key, "x"), HasReason("security-event-bad-key")) << key;
  }
  EXPECT_THAT(details.Set("note", std::string(257, 'a')), HasReason("security-event-bad-value"));
  EXPECT_THAT(details.Set("note", std::string(256, 'a')), IsOk());
  EXPECT_THAT(details.Set("note", "line\nbreak"), HasReason("security-event-bad-value"));
  EXPECT_THAT(details.Set("note", "leaked cws_abcdef"), HasReason("security-event-bad-value"));
  EXPECT_THAT(details.Set("note", "cwa_abcdef"), HasReason("security-event-bad-value"));
  for (int count = 1; count < 16; ++count) {
    ASSERT_THAT(details.Set("k" + std::to_string(count), "v"), IsOk());
  }
  EXPECT_EQ(details.entries().size(), 16u);
  EXPECT_THAT(details.Set("k17", "v"), HasReason("security-event-too-many-details"));
  EXPECT_THAT(details.Set("k1", "replaced"), IsOk());  // replacing is not adding
  EXPECT_EQ(details.entries().at("k1"), "replaced");
}

TEST(SecurityEventTest, ValidationRefusesBadIdActorAndFields) {
  SecurityEvent event = LoginFailed();
  event.id = "not-a-ulid";
  EXPECT_THAT(ValidateSecurityEvent(event), HasReason("security-event-bad-id"));
  event = LoginFailed();
  event.actor = "";
  EXPECT_THAT(ValidateSecurityEvent(event), HasReason("security-event-bad-actor"));
  event = LoginFailed();
  event.subject = "cws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_THAT(ValidateSecurityEvent(event), HasDetail("subject", "security-event-bad-field"));
  event = LoginFailed();
  event.request_id = std::string(300, 'r');
  EXPECT_THAT(ValidateSecurityEvent(event), HasDetail("request_id", "security-event-bad-field"));
  event = LoginFailed();
  event.source_address = "1.2.3.4\r\nX-Injected: 1";
  EXPECT_THAT(ValidateSecurityEvent(event),
              HasDetail("source_address", "security-event-bad-field"));
}

TEST(SecurityEventTest, ParseRefusesNonCanonicalAndTamperedText) {
  const std::string good = SecurityEventJson(LoginFailed());
  ASSERT_THAT(ParseSecurityEventJson(good), IsOk());
  EXPECT_THAT(ParseSecurityEventJson("[]"), HasReason("security-event-malformed"));
  EXPECT_THAT(ParseSecurityEventJson("{"), HasReason("malformed-json"));
  // White space, a different key order, an extra key, a missing key, a wrong version.
  std::string spaced = good;
  spaced.insert(1, " ");
  EXPECT_THAT(ParseSecurityEventJson(spaced), HasReason("security-event-malformed"));
  EXPECT_THAT(ParseSecurityEventJson(R"({"v":1,)" + good.substr(1, good.size() - 8) + "}"),
              HasReason("security-event-malformed"));
  std::string extra = good;
  extra.insert(1, R"("a":"b",)");
  EXPECT_THAT(ParseSecurityEventJson(extra), HasReason("security-event-malformed"));
  std::string version2 = good;
  version2.replace(version2.size() - 2, 1, "2");
  EXPECT_THAT(ParseSecurityEventJson(version2), HasReason("security-event-malformed"));
  std::string bad_type = good;
  bad_type.replace(bad_type.find("login-failed"), 12, "login-faile");
  EXPECT_THAT(ParseSecurityEventJson(bad_type), HasReason("security-event-bad-type"));
  // A credential smuggled into the details of a stored event is refused on reading too.
  std::string smuggled = good;
  smuggled.replace(smuggled.find("attempt"), 7, "password");
  EXPECT_THAT(ParseSecurityEventJson(smuggled), HasReason("security-event-secret-key"));
}

TEST(SecurityEventTest, NewIdsAreUlidsInTimeOrder) {
  const std::string first = NewSecurityEventId(kAt);
  const std::string later = NewSecurityEventId(kAt + std::chrono::milliseconds(1));
  EXPECT_TRUE(IsUlid(first));
  EXPECT_LT(first, later);
  EXPECT_NE(first, NewSecurityEventId(kAt));
}

TEST(InMemorySecurityEventSinkTest, RecordsValidEventsInOrderAndRefusesInvalidOnes) {
  InMemorySecurityEventSink sink;
  SecurityEvent first = LoginFailed();
  SecurityEvent second = LoginFailed();
  second.id = NewSecurityEventId(kAt);
  second.type = SecurityEventType::kLockedOut;
  ASSERT_THAT(sink.Record(first), IsOk());
  ASSERT_THAT(sink.Record(second), IsOk());
  SecurityEvent invalid = LoginFailed();
  invalid.actor = "";
  EXPECT_THAT(sink.Record(invalid), HasReason("security-event-bad-actor"));
  const std::vector<SecurityEvent> events = sink.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], first);
  EXPECT_EQ(events[1], second);
}

TEST(InMemorySecurityEventSinkTest, ConcurrentRecordsAreAllKept) {
  InMemorySecurityEventSink sink;
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
    threads.emplace_back([&sink] {
      for (int event_idx = 0; event_idx < 50; ++event_idx) {
        SecurityEvent event = LoginFailed();
        event.id = NewSecurityEventId(kAt);
        EXPECT_THAT(sink.Record(event), IsOk());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(sink.events().size(), 200u);
}

}  // namespace
}  // namespace clearway::identity
