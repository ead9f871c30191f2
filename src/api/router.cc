// Router: per-segment matching without regular expressions.
#include "api/router.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>

#include <spdlog/spdlog.h>

#include "api/http_util.h"
#include "api/problem.h"

namespace clearway::api {

namespace {
bool IsParamName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// A literal segment holds unreserved and sub-delim characters only (RFC 3986 §3.3 pchar
// without '%': matching is on the raw path, so a literal never contains an escape).
bool IsLiteralSegment(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (ok) continue;
    switch (c) {
      case '-':
      case '.':
      case '_':
      case '~':
      case '!':
      case '$':
      case '&':
      case '\'':
      case '(':
      case ')':
      case '*':
      case '+':
      case ',':
      case ';':
      case '=':
      case ':':
      case '@':
        continue;
      default:
        return false;
    }
  }
  return true;
}

bool IsUpperToken(std::string_view method) {
  if (!internal::IsHttpToken(method)) return false;
  for (char c : method) {
    if (c >= 'a' && c <= 'z') return false;
  }
  return true;
}

// SplitPath() cuts "/a/b" into {"a","b"}; "/" has no segments. Returns false when the path
// has more than `max` segments (then no pattern can match).
bool SplitPath(std::string_view path, std::array<std::string_view, Router::kMaxSegments>& parts,
               size_t max, size_t& count) {
  count = 0;
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  std::string_view rest = path.substr(1);
  while (true) {
    if (count >= max) return false;
    size_t slash = rest.find('/');
    parts[count++] = rest.substr(0, slash);
    if (slash == std::string_view::npos) return true;
    rest = rest.substr(slash + 1);
  }
}
}  // namespace

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler,
                   RouteOptions options) {
  if (!IsUpperToken(method)) {
    return Error::InvalidArgument("method", "bad-route-method",
                                  "route method must be an upper-case HTTP token");
  }
  if (pattern.empty() || pattern.front() != '/') {
    return Error::InvalidArgument("pattern", "bad-route-pattern", "pattern must start with '/'");
  }
  std::vector<Segment> segments;
  std::string shape;
  if (pattern.size() > 1) {
    std::string_view rest = pattern.substr(1);
    while (true) {
      size_t slash = rest.find('/');
      std::string_view text = rest.substr(0, slash);
      if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
        std::string_view name = text.substr(1, text.size() - 2);
        if (!IsParamName(name)) {
          return Error::InvalidArgument("pattern", "bad-route-pattern",
                                        "bad parameter name in " + std::string(pattern));
        }
        for (const Segment& seen : segments) {
          if (seen.is_param && seen.text == name) {
            return Error::InvalidArgument("pattern", "bad-route-pattern",
                                          "repeated parameter in " + std::string(pattern));
          }
        }
        segments.push_back(Segment{std::string(name), true});
        shape += "/{}";
      } else if (IsLiteralSegment(text)) {
        segments.push_back(Segment{std::string(text), false});
        shape += '/';
        shape += text;
      } else {
        return Error::InvalidArgument("pattern", "bad-route-pattern",
                                      "bad segment in " + std::string(pattern));
      }
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
  } else {
    shape = "/";
  }
  if (segments.size() > kMaxSegments) {
    return Error::InvalidArgument("pattern", "bad-route-pattern", "too many segments");
  }

  PathEntry* entry = nullptr;
  for (PathEntry& candidate : paths_) {
    if (candidate.shape == shape) entry = &candidate;
  }
  if (entry == nullptr) {
    paths_.push_back(PathEntry{shape, std::move(segments), {}});
    entry = &paths_.back();
  } else {
    const std::string& existing = entry->routes.front()->pattern;
    if (existing != pattern) {
      return Error::InvalidArgument(
          "pattern", "ambiguous-route",
          std::string(pattern) + " differs from " + existing + " only in parameter names");
    }
    for (const auto& route : entry->routes) {
      if (route->method == method) {
        return Error::AlreadyExists(
            "duplicate-route",
            std::string(method) + " " + std::string(pattern) + " is already registered");
      }
    }
  }
  entry->routes.push_back(std::make_unique<Route>(
      Route{std::string(method), std::string(pattern), std::move(handler), std::move(options)}));
  registered_.emplace_back(std::string(method), std::string(pattern));
  max_segments_ = std::max(max_segments_, entry->segments.size());
  return OkStatus();
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  std::array<std::string_view, kMaxSegments> parts;
  size_t count = 0;
  if (!SplitPath(path, parts, max_segments_, count)) return result;

  // Specificity: bit (kMaxSegments-1-i) is set when segment i is literal, so comparing masks
  // compares "literal at the first differing position".
  const PathEntry* best_entry = nullptr;
  const Route* best_route = nullptr;
  uint64_t best_mask = 0;
  bool any_path = false;
  for (const PathEntry& entry : paths_) {
    if (entry.segments.size() != count) continue;
    uint64_t mask = 0;
    bool matches = true;
    for (size_t idx = 0; idx < count && matches; ++idx) {
      const Segment& segment = entry.segments[idx];
      if (segment.is_param) {
        matches = !parts[idx].empty();
      } else {
        matches = segment.text == parts[idx];
        mask |= uint64_t{1} << (kMaxSegments - 1 - idx);
      }
    }
    if (!matches) continue;
    any_path = true;
    for (const auto& route : entry.routes) {
      if (route->method == method && (best_route == nullptr || mask > best_mask)) {
        best_entry = &entry;
        best_route = route.get();
        best_mask = mask;
      }
    }
  }
  if (best_route != nullptr) {
    for (size_t idx = 0; idx < count; ++idx) {
      const Segment& segment = best_entry->segments[idx];
      if (!segment.is_param) continue;
      std::string value;
      if (!internal::PercentDecode(parts[idx], false, value)) {
        result.outcome = RouteMatch::Outcome::kMalformedPath;
        result.path_params.clear();
        return result;
      }
      result.path_params.emplace(segment.text, std::move(value));
    }
    result.outcome = RouteMatch::Outcome::kMatched;
    result.route = best_route;
    return result;
  }
  if (!any_path) return result;

  // 405: Allow lists every method of every pattern that matched the path (RFC 9110 §15.5.6).
  std::vector<std::string_view> methods;
  for (const PathEntry& entry : paths_) {
    if (entry.segments.size() != count) continue;
    bool matches = true;
    for (size_t idx = 0; idx < count && matches; ++idx) {
      const Segment& segment = entry.segments[idx];
      matches = segment.is_param ? !parts[idx].empty() : segment.text == parts[idx];
    }
    if (!matches) continue;
    for (const auto& route : entry.routes) {
      bool seen = false;
      for (std::string_view known : methods) seen = seen || known == route->method;
      if (!seen) methods.push_back(route->method);
    }
  }
  result.outcome = RouteMatch::Outcome::kMethodNotAllowed;
  for (std::string_view known : methods) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += known;
  }
  return result;
}

Response Router::Handle(Request& request) const {
  RouteMatch match = Match(request.method, request.path);
  switch (match.outcome) {
    case RouteMatch::Outcome::kNotFound:
      return NotFoundProblem(request.path);
    case RouteMatch::Outcome::kMethodNotAllowed:
      return MethodNotAllowedProblem(match.allow, request.path);
    case RouteMatch::Outcome::kMalformedPath:
      return MalformedPathProblem(request.path);
    case RouteMatch::Outcome::kMatched:
      break;
  }
  request.path_params = std::move(match.path_params);
  request.route_pattern = match.route->pattern;
  try {
    return match.route->handler(request);
  } catch (const std::exception&) {
    spdlog::error("{{\"event\":\"handler_exception\",\"route\":\"{}\"}}", match.route->pattern);
  } catch (...) {
    spdlog::error("{{\"event\":\"handler_exception\",\"route\":\"{}\"}}", match.route->pattern);
  }
  return ProblemFromError(Error::Internal("handler-exception", ""), {}, request.path);
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const { return registered_; }

size_t Router::LargestBodyLimit(size_t fallback) const {
  size_t largest = fallback;
  for (const PathEntry& entry : paths_) {
    for (const auto& route : entry.routes) {
      largest = std::max(largest, route->options.max_body_bytes.value_or(0));
    }
  }
  return largest;
}

Response Router::NotFoundProblem(std::string instance) {
  ProblemDetails problem;
  problem.status = 404;
  problem.reason = "route-not-found";
  problem.title = "Not found";
  problem.detail = "No endpoint has this path.";
  problem.instance = std::move(instance);
  return ProblemResponse(std::move(problem));
}

Response Router::MethodNotAllowedProblem(std::string_view allow, std::string instance) {
  ProblemDetails problem;
  problem.status = 405;
  problem.reason = "method-not-allowed";
  problem.title = "Method not allowed";
  problem.detail = "This endpoint accepts only: " + std::string(allow) + ".";
  problem.instance = std::move(instance);
  problem.headers.emplace_back("Allow", std::string(allow));
  return ProblemResponse(std::move(problem));
}

Response Router::MalformedPathProblem(std::string instance) {
  ProblemDetails problem;
  problem.status = 400;
  problem.reason = "malformed-path";
  problem.title = "Bad request";
  problem.detail = "A path segment has a malformed percent escape.";
  problem.instance = std::move(instance);
  return ProblemResponse(std::move(problem));
}

}  // namespace clearway::api
