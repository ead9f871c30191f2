// RFC 9457 problem details and the ErrorCode -> HTTP status mapping.
#include "api/problem.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/test_server.h"

namespace clearway::api {
namespace {

using ::clearway::api::testing::ParseJsonBody;
using ::clearway::api::testing::Str;
using ::testing::HasSubstr;
using ::testing::Not;

struct Mapping {
  Error error;
  int status;
};

TEST(ProblemTest, EveryErrorCodeMapsToItsStatus) {
  const std::vector<Mapping> mappings = {
      {Error::InvalidArgument("a", "bad-thing", "m"), 400},
      {Error::InvalidArgument("", "validation-failed", "m"), 422},
      {Error::NotFound("declaration-not-found", "m"), 404},
      {Error::AlreadyExists("duplicate", "m"), 409},
      {Error::FailedPrecondition("illegal-transition", "m"), 409},
      {Error::Aborted("version-conflict", "m"), 409},
      {Error::PermissionDenied("wrong-tenant", "m"), 403},
      {Error::Unauthenticated("expired-token", "m"), 401},
      {Error::ResourceExhausted("rate-limited", "m"), 429},
      {Error::ResourceExhausted("body-too-large", "m"), 413},
      {Error::Unavailable("store-busy", "m"), 503},
      {Error::DataLoss("bad-checksum", "m"), 500},
      {Error::Internal("bug", "m"), 500},
  };
  for (const Mapping& mapping : mappings) {
    EXPECT_EQ(HttpStatusFor(mapping.error), mapping.status) << mapping.error;
    Response response = ProblemFromError(mapping.error);
    EXPECT_EQ(response.status, mapping.status) << mapping.error;
    EXPECT_EQ(response.content_type, "application/problem+json");
    auto body = ParseJsonBody(response.body);
    EXPECT_EQ(body["status"], mapping.status) << mapping.error;
    EXPECT_FALSE(body["title"].as_string().empty());
    EXPECT_FALSE(body["hint"].as_string().empty()) << mapping.error;
    if (mapping.status != 500) {
      EXPECT_EQ(Str(body["reason"]), mapping.error.reason);
      EXPECT_EQ(Str(body["type"]), "https://clearway.example/problems/" + mapping.error.reason);
      EXPECT_EQ(body["detail"], "m");
    }
  }
}

TEST(ProblemTest, InternalErrorsLeakNothing) {
  for (const Error& error : {Error::Internal("sqlite-io", "disk /var/lib/x.db failed"),
                             Error::DataLoss("tampered-row", "row 17 of declarations")}) {
    Response response = ProblemFromError(error, {}, "/v1/x");
    EXPECT_THAT(response.body, Not(HasSubstr(error.reason)));
    EXPECT_THAT(response.body, Not(HasSubstr(error.message)));
    auto body = ParseJsonBody(response.body);
    EXPECT_EQ(body["reason"], "internal");
    EXPECT_EQ(body["instance"], "/v1/x");
    EXPECT_FALSE(body.contains("errors"));
  }
}

TEST(ProblemTest, UnauthenticatedCarriesChallenge) {
  Response response = ProblemFromError(Error::Unauthenticated("expired-token", "m"));
  EXPECT_EQ(response.Header("WWW-Authenticate"), "Bearer realm=\"clearway\"");
}

TEST(ProblemTest, DetailsBecomeErrorsWithHints) {
  Error error = Error::InvalidArgument("", "validation-failed", "2 problems");
  error.details.push_back(Error::InvalidArgument("goodsItems[2].origin", "unknown-country", "ZZ"));
  error.details.push_back(Error::InvalidArgument("declarant.eori", "bad-eori", "too short"));
  HintLookup hints = [](std::string_view reason) -> std::string {
    if (reason == "unknown-country") return "Use an ISO 3166-1 alpha-2 code.";
    return "";
  };
  auto body = ParseJsonBody(ProblemFromError(error, hints).body);
  ASSERT_TRUE(body["errors"].is_array());
  const auto& errors = body["errors"].as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field"), "goodsItems[2].origin");
  EXPECT_EQ(errors[0].at("reason"), "unknown-country");
  EXPECT_EQ(errors[0].at("message"), "ZZ");
  EXPECT_EQ(errors[0].at("hint"), "Use an ISO 3166-1 alpha-2 code.");
  EXPECT_FALSE(errors[1].as_object().contains("hint"));
  EXPECT_EQ(body["status"], 422);
  // No lookup hint for "validation-failed": the built-in one is used.
  EXPECT_EQ(Str(body["hint"]), BuiltinHint("validation-failed"));
}

TEST(ProblemTest, SingleFieldErrorBecomesOneEntry) {
  auto body = ParseJsonBody(
      ProblemFromError(Error::InvalidArgument("currency", "unknown-currency", "XXX")).body);
  ASSERT_TRUE(body["errors"].is_array());
  EXPECT_EQ(body["errors"].as_array()[0].at("field"), "currency");
  auto no_field = ParseJsonBody(ProblemFromError(Error::NotFound("nope", "m")).body);
  EXPECT_FALSE(no_field.contains("errors"));
}

TEST(ProblemTest, HintLookupWinsOverBuiltins) {
  HintLookup hints = [](std::string_view) -> std::string { return "custom"; };
  auto body = ParseJsonBody(ProblemFromError(Error::NotFound("x", "m"), hints).body);
  EXPECT_EQ(body["hint"], "custom");
}

TEST(ProblemTest, ProblemFillsTitleAndHint) {
  Response response = Problem(404, "declaration-not-found", "", "No such declaration.");
  auto body = ParseJsonBody(response.body);
  EXPECT_EQ(body["title"], "Not found");
  EXPECT_EQ(Str(body["hint"]), StatusHint(404));
  EXPECT_FALSE(body.contains("instance"));
  Response with_errors =
      Problem(422, "validation-failed", "Validation failed", "d", {{"a.b", "r", "m", ""}}, "h");
  auto with_body = ParseJsonBody(with_errors.body);
  EXPECT_EQ(with_body["hint"], "h");
  EXPECT_EQ(with_body["errors"].as_array().size(), 1u);
}

TEST(ProblemTest, EveryStatusHasTitleAndHint) {
  for (int status = 400; status < 600; ++status) {
    EXPECT_FALSE(StatusTitle(status).empty()) << status;
    EXPECT_FALSE(StatusHint(status).empty()) << status;
  }
}

}  // namespace
}  // namespace clearway::api
