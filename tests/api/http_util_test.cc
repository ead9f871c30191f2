// The HTTP layer's text helpers, the response builder and the access log line.
#include "api/http_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/access_log.h"
#include "api/connection_util.h"
#include "api/http.h"

namespace clearway::api::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

TEST(HttpUtilTest, SplitTargetAcceptsOriginFormOnly) {
  Target target;
  ASSERT_TRUE(SplitTarget("/v1/x?a=1&b", target));
  EXPECT_EQ(target.path, "/v1/x");
  EXPECT_EQ(target.query, "a=1&b");
  ASSERT_TRUE(SplitTarget("/", target));
  EXPECT_EQ(target.query, "");
  for (std::string bad : {std::string(""), std::string("*"), std::string("http://h/x"),
                          std::string("v1/x"), std::string("/a b"), std::string("/a#frag"),
                          std::string("/a\0b", 4), std::string("/a\x7f")}) {
    EXPECT_FALSE(SplitTarget(bad, target)) << bad;
  }
}

TEST(HttpUtilTest, PercentDecodeRefusesMalformedEscapes) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a%20b%2Fc+d", false, out));
  EXPECT_EQ(out, "a b/c+d");
  out.clear();
  ASSERT_TRUE(PercentDecode("a+b", true, out));
  EXPECT_EQ(out, "a b");
  for (std::string bad : {"%", "%4", "%zz", "a%g0", "%00"}) {
    out.clear();
    EXPECT_FALSE(PercentDecode(bad, false, out)) << bad;
  }
}

TEST(HttpUtilTest, ParseQueryKeepsFirstValue) {
  std::map<std::string, std::string, std::less<>> query;
  ASSERT_TRUE(ParseQuery("a=1&b=x%20y&a=2&flag&&c=", query));
  EXPECT_THAT(query,
              ElementsAre(Pair("a", "1"), Pair("b", "x y"), Pair("c", ""), Pair("flag", "")));
  std::map<std::string, std::string, std::less<>> bad;
  EXPECT_FALSE(ParseQuery("a=%zz", bad));
  EXPECT_FALSE(ParseQuery("=1", bad));
}

TEST(HttpUtilTest, MediaTypes) {
  EXPECT_EQ(MediaTypeOf(" Application/JSON ; charset=utf-8"), "application/json");
  EXPECT_TRUE(IsJsonMediaType("application/json"));
  EXPECT_TRUE(IsJsonMediaType("application/problem+json"));
  EXPECT_FALSE(IsJsonMediaType("application/+json"));
  EXPECT_FALSE(IsJsonMediaType("text/json"));
  EXPECT_FALSE(IsJsonMediaType("application/jsonx"));
  EXPECT_FALSE(IsJsonMediaType("application/x/y+json"));
  EXPECT_FALSE(IsJsonMediaType(""));
  RouteOptions edifact{.content_types = {"application/EDIFACT"}};
  EXPECT_TRUE(AcceptsMediaType(edifact, "application/edifact; charset=iso-8859-1"));
  EXPECT_FALSE(AcceptsMediaType(edifact, "application/json"));
  EXPECT_TRUE(AcceptsMediaType({}, "application/json;charset=UTF-8"));
  EXPECT_FALSE(AcceptsMediaType({}, ""));
}

TEST(HttpUtilTest, RequestIds) {
  EXPECT_TRUE(IsValidRequestId("abc-DEF_1.2:3"));
  EXPECT_TRUE(IsValidRequestId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidRequestId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId("a b"));
  EXPECT_FALSE(IsValidRequestId("a\"b"));
  EXPECT_FALSE(IsValidRequestId("a\nb"));
}

TEST(HttpUtilTest, JsonStringsAreEscapedToAscii) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\x01\xc3\xa9");
  EXPECT_EQ(out, R"("a\"b\\c\u000ad\u0001\u00c3\u00a9")");
}

TEST(AccessLogTest, LineHasFieldsButNoQueryOrSecrets) {
  std::string path(400, 'p');
  std::string line = AccessLogLine({.method = "GET",
                                    .route = "/v1/x/{id}",
                                    .path = "/v1/x/\"quoted\"",
                                    .status = 200,
                                    .duration_ms = 1.23456,
                                    .request_id = "rid",
                                    .remote = "127.0.0.1",
                                    .bytes_in = 5,
                                    .bytes_out = 99});
  EXPECT_EQ(line,
            R"({"event":"http_request","method":"GET","route":"/v1/x/{id}",)"
            R"("path":"/v1/x/\"quoted\"","status":200,"duration_ms":1.235,"request_id":"rid",)"
            R"("remote":"127.0.0.1","bytes_in":5,"bytes_out":99})");
  std::string long_line = AccessLogLine({.path = path});
  EXPECT_THAT(long_line, HasSubstr(std::string(kMaxLoggedPath, 'p') + "\""));
  EXPECT_THAT(long_line, Not(HasSubstr(std::string(kMaxLoggedPath + 1, 'p'))));
}

TEST(BuildResponseTest, AddsSecurityHeadersAndDropsUnsafeOnes) {
  Response response = TextResponse(201, "body");
  response.headers = {{"Location", "/v1/x/1"},
                      {"X-Bad", "a\r\nSet-Cookie: x"},
                      {"Content-Length", "1"},
                      {"Bad Name", "v"}};
  auto wire = BuildResponse(std::move(response), "rid-1", true);
  EXPECT_EQ(wire.result_int(), 201u);
  EXPECT_EQ(wire["Location"], "/v1/x/1");
  EXPECT_EQ(wire["X-Request-Id"], "rid-1");
  EXPECT_EQ(wire["Cache-Control"], "no-store");
  EXPECT_EQ(wire["X-Content-Type-Options"], "nosniff");
  EXPECT_THAT(std::string(wire["Strict-Transport-Security"]), HasSubstr("max-age=31536000"));
  EXPECT_EQ(wire["Content-Length"], "4");
  EXPECT_EQ(wire.count("X-Bad"), 0u);
  EXPECT_EQ(wire.count("Set-Cookie"), 0u);
  EXPECT_TRUE(wire.keep_alive());
  EXPECT_EQ(HttpDate().size(), 29u);  // "Sun, 06 Nov 1994 08:49:37 GMT"
}

TEST(BuildResponseTest, HandlerMayOverrideCacheControl) {
  Response response = TextResponse(200, "x");
  response.headers = {{"Cache-Control", "public, max-age=60"}};
  auto wire = BuildResponse(std::move(response), "r", false);
  EXPECT_EQ(wire["Cache-Control"], "public, max-age=60");
  EXPECT_EQ(wire.count("Cache-Control"), 1u);
  EXPECT_FALSE(wire.keep_alive());
}

TEST(BuildResponseTest, NoContentDropsTheBody) {
  auto wire = BuildResponse(TextResponse(204, "ignored"), "r", true);
  EXPECT_EQ(wire.body(), "");
}

TEST(HttpTest, HeaderLookupIgnoresCase) {
  Request request;
  request.headers = {{"idempotency-key", "k1"}, {"x-two", "a"}, {"x-two", "b"}};
  EXPECT_EQ(request.Header("Idempotency-Key"), "k1");
  EXPECT_EQ(request.Header("X-TWO"), "a");
  EXPECT_EQ(request.Header("missing"), std::nullopt);
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "content-typ"));
  Response json = JsonResponse(200, {{"a", 1}});
  EXPECT_EQ(json.body, R"({"a":1})");
  EXPECT_EQ(json.content_type, "application/json");
}

TEST(HttpTest, MetricMethodIsBounded) {
  EXPECT_EQ(MetricMethod("GET"), "GET");
  EXPECT_EQ(MetricMethod("PATCH"), "PATCH");
  EXPECT_EQ(MetricMethod("BREW"), "OTHER");
  EXPECT_TRUE(MethodChecksMediaType("POST"));
  EXPECT_FALSE(MethodChecksMediaType("DELETE"));
}

}  // namespace
}  // namespace clearway::api::internal
