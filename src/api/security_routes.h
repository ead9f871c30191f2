// File: api/security_routes.h
//
// The security event log over HTTP, for auditors and administrators (identity::Policy::
// CanReadSecurityEvents; an API token needs the scope security-events:read). Any other caller
// gets the same 403 as every refusal, and the refusal is itself a security event.
//
//   GET /v1/security/events[?type=T][&actor=U][&outcome=O][&from=TS][&to=TS][&limit=N]
//                          [&cursor=C]
//     200 {"items": [{"id","time","type","outcome","actor","subject","source_address",
//                     "request_id","details":{…},"v":1,"recordId":"security/<id>"}, …],
//          "nextCursor": "…" | null}
//
// Events come newest first, `limit` (1..500, default 50) at a time; `from` is inclusive and
// `to` exclusive (RFC 3339). Each item is the event exactly as committed to the ledger
// (identity::SecurityEventJson) plus the ledger record id its leaf carries.
//
//   api::RegisterSecurityRoutes(router, runtime);
#pragma once

#include "api/router.h"
#include "app/runtime.h"

namespace clearway::api {

// RegisterSecurityRoutes() adds the route above; `runtime` must outlive the router.
void RegisterSecurityRoutes(Router& router, app::Runtime& runtime);

}  // namespace clearway::api
