// File: api/router.h
//
// Router maps (method, path) to a Handler. Patterns are literal segments and `{name}`
// parameters, each a whole segment; matching is exact per segment (no prefixes, no trailing
// slash folding). When several patterns match, the one with a literal at the first position
// where they differ wins ("/v1/declarations/search" beats "/v1/declarations/{id}").
//
//   Router router;
//   CW_RETURN_IF_ERROR(router.Add("GET", "/v1/declarations/{id}/receipt", GetReceipt));
//   CW_RETURN_IF_ERROR(router.Add("POST", "/v1/edifact", PostEdifact,
//                                 RouteOptions{.content_types = {"application/edifact"}}));
//   RouteMatch match = router.Match("GET", "/v1/declarations/01J…/receipt");
//
// An unknown path is a 404 problem "route-not-found"; a known path with another method is a
// 405 problem "method-not-allowed" with an Allow header. Routes() lists what is registered so
// a test can compare the OpenAPI document against it.
//
// Thread safety: Add() must finish before the router is shared; after that every const
// method may be called from any thread at once.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http.h"
#include "common/result.h"

namespace clearway::api {

// RouteOptions tune how the server treats requests to one route.
struct RouteOptions {
  // Media types accepted for a POST/PUT/PATCH body. Empty means JSON: application/json or
  // application/*+json (parameters such as charset are allowed).
  std::vector<std::string> content_types{};
  // any_content_type opts the route out of the media-type check (415) altogether.
  bool any_content_type = false;
  // max_body_bytes overrides ServerOptions::max_body_bytes for this route.
  std::optional<size_t> max_body_bytes{};
};

// Route is one registered (method, pattern) with its handler; owned by the Router.
struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
};

// RouteMatch is the outcome of Router::Match().
struct RouteMatch {
  enum class Outcome { kMatched, kNotFound, kMethodNotAllowed, kMalformedPath };
  Outcome outcome = Outcome::kNotFound;
  const Route* route = nullptr;  // set for kMatched; valid as long as the Router
  std::map<std::string, std::string, std::less<>> path_params;  // decoded, for kMatched
  std::string allow;                                            // "GET, POST" for kMethodNotAllowed
};

class Router {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  Router(Router&&) = default;
  Router& operator=(Router&&) = default;

  static constexpr size_t kMaxSegments = 32;

  // Add() registers `handler` for `method` (an upper-case HTTP token) and `pattern`.
  // Errors: kInvalidArgument "bad-route-method" / "bad-route-pattern" (not starting with '/',
  // an empty segment, a malformed or repeated `{name}`, reserved characters);
  // more than kMaxSegments segments); kInvalidArgument "ambiguous-route" for a pattern that
  // differs from a registered one only in parameter names ("/a/{id}" vs "/a/{key}");
  // kAlreadyExists "duplicate-route" for the same method and pattern.
  Status Add(std::string_view method, std::string_view pattern, Handler handler,
             RouteOptions options = {});

  // Match() finds the route for a request path (without query). kMalformedPath when a
  // parameter segment has a bad percent escape.
  RouteMatch Match(std::string_view method, std::string_view path) const;

  // Handle() matches `request`, fills its path_params and route_pattern and calls the
  // handler; otherwise returns the 404/405/400 problem. A handler exception becomes a
  // generic 500 problem. (The server uses Match() itself; Handle() serves tests and tools.)
  Response Handle(Request& request) const;

  // LargestBodyLimit() is the largest RouteOptions::max_body_bytes of any route, or
  // `fallback` when that is larger (the server's pre-routing limit).
  size_t LargestBodyLimit(size_t fallback) const;

  // Routes() lists (method, pattern) in registration order.
  std::vector<std::pair<std::string, std::string>> Routes() const;

  // The problems the router's outcomes turn into; `instance` is the request path.
  static Response NotFoundProblem(std::string instance);
  static Response MethodNotAllowedProblem(std::string_view allow, std::string instance);
  static Response MalformedPathProblem(std::string instance);

 private:
  struct Segment {
    std::string text;
    bool is_param = false;
  };
  struct PathEntry {
    std::string shape;  // pattern with parameter names erased, "/a/{}"
    std::vector<Segment> segments;
    std::vector<std::unique_ptr<Route>> routes;  // one per method
  };

  std::vector<PathEntry> paths_;
  std::vector<std::pair<std::string, std::string>> registered_;
  size_t max_segments_ = 0;
};

}  // namespace clearway::api
