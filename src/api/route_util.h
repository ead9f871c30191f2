// File: api/route_util.h
//
// What every /v1 route does with an expected failure: render it as the problem the caller
// gets, with the catalogue's fix hints (api/error_catalog.h), a Bearer challenge on 401, and
// 422 for a reused Idempotency-Key. Shared by the declaration and ledger routes.
//
//   auto record = service.Get(principal, id, std::nullopt);
//   if (!record.ok()) return ErrorResponse(record.error(), request);
#pragma once

#include "api/http.h"
#include "common/error.h"

namespace clearway::api {

// ErrorResponse() is the RFC 9457 problem for `error`, `instance` being the request path.
Response ErrorResponse(const Error& error, const Request& request);

}  // namespace clearway::api
