// File: api/route_util.h
//
// What every /v1 route does with an expected failure: render it as the problem the caller
// gets, with the catalogue's fix hints (api/error_catalog.h), a Bearer challenge on 401, and
// 422 for a reused Idempotency-Key. Shared by the declaration and ledger routes.
//
//   auto record = service.Get(principal, id, std::nullopt);
//   if (!record.ok()) return ErrorResponse(record.error(), request);
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "api/http.h"
#include "common/error.h"
#include "common/result.h"
#include "common/time.h"

namespace clearway::api {

// ErrorResponse() is the RFC 9457 problem for `error`, `instance` being the request path.
Response ErrorResponse(const Error& error, const Request& request);

// IntegerParam() reads query parameter `name` as a whole number in [min, max], or `fallback`
// when absent. kInvalidArgument "bad-parameter" with the parameter as field otherwise.
Result<int64_t> IntegerParam(const Request& request, std::string_view name, int64_t min,
                             int64_t max, int64_t fallback);

// TimestampParam() reads query parameter `name` as RFC 3339, nullopt when absent.
// kInvalidArgument "bad-timestamp" with the parameter as field otherwise.
Result<std::optional<Timestamp>> TimestampParam(const Request& request, std::string_view name);

}  // namespace clearway::api
