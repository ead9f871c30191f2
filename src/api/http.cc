// Request/Response helpers.
#include "api/http.h"

namespace clearway::api {

namespace {
char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::optional<std::string_view> FindHeader(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [field, value] : headers) {
    if (EqualsIgnoreCase(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> FindIn(
    const std::map<std::string, std::string, std::less<>>& values, std::string_view name) {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return std::string_view(it->second);
}
}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

std::optional<std::string_view> Request::PathParam(std::string_view name) const {
  return FindIn(path_params, name);
}

std::optional<std::string_view> Request::QueryParam(std::string_view name) const {
  return FindIn(query, name);
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

Response JsonResponse(int status, const boost::json::value& value) {
  Response response;
  response.status = status;
  response.content_type = std::string(kJsonContentType);
  response.body = boost::json::serialize(value);
  return response;
}

Response TextResponse(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace clearway::api
