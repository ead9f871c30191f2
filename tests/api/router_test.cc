// Router: pattern validation, matching precedence, 404/405 problems and Routes().
#include "api/router.h"

#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/test_server.h"
#include "testing/matchers.h"

namespace clearway::api {
namespace {

using ::clearway::api::testing::ParseJsonBody;
using ::clearway::testing::HasCode;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Handler Named(std::string name) {
  return [name](const Request&) { return TextResponse(200, name); };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(router_.Add("GET", "/", Named("root")), IsOk());
    ASSERT_THAT(router_.Add("GET", "/v1/declarations/{id}", Named("get")), IsOk());
    ASSERT_THAT(router_.Add("DELETE", "/v1/declarations/{id}", Named("delete")), IsOk());
    ASSERT_THAT(router_.Add("GET", "/v1/declarations/search", Named("search")), IsOk());
    ASSERT_THAT(router_.Add("GET", "/v1/declarations/{id}/receipt", Named("receipt")), IsOk());
    ASSERT_THAT(router_.Add("POST", "/v1/{kind}/bulk", Named("bulk")), IsOk());
  }

  Response Handle(std::string method, std::string path) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    return router_.Handle(request);
  }

  Router router_;
};

TEST_F(RouterTest, MatchesParametersAndDecodesThem) {
  RouteMatch match = router_.Match("GET", "/v1/declarations/01J%2FX/receipt");
  ASSERT_EQ(match.outcome, RouteMatch::Outcome::kMatched);
  EXPECT_EQ(match.route->pattern, "/v1/declarations/{id}/receipt");
  EXPECT_THAT(match.path_params, ElementsAre(Pair("id", "01J/X")));
  EXPECT_EQ(Handle("GET", "/").body, "root");
}

TEST_F(RouterTest, LiteralBeatsParameterAtTheFirstDifference) {
  EXPECT_EQ(Handle("GET", "/v1/declarations/search").body, "search");
  EXPECT_EQ(Handle("GET", "/v1/declarations/other").body, "get");
  // The literal route has no DELETE, so the parameter route answers.
  EXPECT_EQ(Handle("DELETE", "/v1/declarations/search").body, "delete");
}

TEST_F(RouterTest, SegmentsMatchExactly) {
  for (std::string path :
       {"/v1/declarations", "/v1/declarations/", "/v1/declarations/x/", "/v1/declarations//receipt",
        "/v1/declarationsx/1", "//", "/v1/declarations/x/receipt/extra", "", "v1/declarations/x"}) {
    EXPECT_EQ(router_.Match("GET", path).outcome, RouteMatch::Outcome::kNotFound) << path;
  }
}

TEST_F(RouterTest, UnknownPathIsNotFoundProblem) {
  Response response = Handle("GET", "/v2/anything");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/problem+json");
  auto body = ParseJsonBody(response.body);
  EXPECT_EQ(body["reason"], "route-not-found");
  EXPECT_EQ(body["instance"], "/v2/anything");
  EXPECT_EQ(body["status"], 404);
}

TEST_F(RouterTest, KnownPathWithOtherMethodIsMethodNotAllowed) {
  RouteMatch match = router_.Match("PATCH", "/v1/declarations/search");
  EXPECT_EQ(match.outcome, RouteMatch::Outcome::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, DELETE");  // both patterns match the path
  Response response = Handle("PUT", "/v1/declarations/7");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("Allow"), "GET, DELETE");
  EXPECT_EQ(ParseJsonBody(response.body)["reason"], "method-not-allowed");
  EXPECT_EQ(router_.Match("get", "/").outcome, RouteMatch::Outcome::kMethodNotAllowed);
}

TEST_F(RouterTest, MalformedEscapeInParameterIsBadRequest) {
  EXPECT_EQ(router_.Match("GET", "/v1/declarations/%zz").outcome,
            RouteMatch::Outcome::kMalformedPath);
  Response response = Handle("GET", "/v1/declarations/%4");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ParseJsonBody(response.body)["reason"], "malformed-path");
}

TEST_F(RouterTest, RefusesBadAndDuplicateRoutes) {
  EXPECT_THAT(router_.Add("get", "/x", Named("x")), HasReason("bad-route-method"));
  EXPECT_THAT(router_.Add("G T", "/x", Named("x")), HasReason("bad-route-method"));
  for (std::string pattern : {"", "x", "/x/", "//x", "/x/{}", "/x/{a-b}", "/x/{id}/{id}",
                              "/x/pre{id}", "/x/%20", "/x?y", "/x/{id"}) {
    EXPECT_THAT(router_.Add("GET", pattern, Named("x")), HasReason("bad-route-pattern")) << pattern;
  }
  EXPECT_THAT(router_.Add("GET", "/v1/declarations/{id}", Named("again")),
              HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(router_.Add("PUT", "/v1/declarations/{key}", Named("x")),
              HasReason("ambiguous-route"));
  EXPECT_THAT(router_.Add("PUT", "/v1/declarations/{id}", Named("put")), IsOk());
}

TEST_F(RouterTest, RoutesListsRegistrationsInOrder) {
  auto routes = router_.Routes();
  ASSERT_EQ(routes.size(), 6u);
  EXPECT_THAT(routes.front(), Pair("GET", "/"));
  EXPECT_THAT(routes.back(), Pair("POST", "/v1/{kind}/bulk"));
}

TEST_F(RouterTest, HandleFillsTheRequestAndContainsExceptions) {
  ASSERT_THAT(router_.Add("GET", "/v1/throw/{id}",
                          [](const Request&) -> Response { throw std::logic_error("leak-me"); }),
              IsOk());
  Response response = Handle("GET", "/v1/throw/1");
  EXPECT_EQ(response.status, 500);
  EXPECT_THAT(response.body, ::testing::Not(HasSubstr("leak-me")));

  ASSERT_THAT(router_.Add("GET", "/v1/echo/{id}",
                          [](const Request& request) {
                            return TextResponse(200, request.route_pattern + " " +
                                                         std::string(*request.PathParam("id")));
                          }),
              IsOk());
  EXPECT_EQ(Handle("GET", "/v1/echo/a%20b").body, "/v1/echo/{id} a b");
}

TEST_F(RouterTest, LargestBodyLimitCoversEveryRoute) {
  EXPECT_EQ(router_.LargestBodyLimit(1024), 1024u);
  ASSERT_THAT(router_.Add("POST", "/v1/upload", Named("u"), RouteOptions{.max_body_bytes = 9000}),
              IsOk());
  EXPECT_EQ(router_.LargestBodyLimit(1024), 9000u);
}

}  // namespace
}  // namespace clearway::api
