// File: api/retention_routes.h
//
// Retention over HTTP (app/retention.h, docs/api.md): legal holds and the retention plan for
// administrators and auditors, placing and releasing holds and running retention for
// administrators only (identity::Policy::CanManageRetention / CanReadRetention; API tokens need
// retention:read or retention:write). Every refusal is the same 403, recorded as a security
// event.
//
//   GET  /v1/retention/holds[?all=true]           200 {"items": [hold, …]}
//   POST /v1/retention/holds                      201 hold
//        {"scope": "declaration"|"organisation", "target": ID, "caseReference": REF,
//         "reason": TEXT}
//   POST /v1/retention/holds/{id}/release         200 hold   {"reason": TEXT}
//   GET  /v1/retention/plan[?at=TS]               200 {"asOf", "due", "held", "items": […]}
//   POST /v1/retention/run                        200 {"at", "purges", "declarations",
//                                                      "securityEvents", "sessions", "held"}
//
// hold = {"id", "scope", "target", "caseReference", "reason", "placedBy", "placedAt",
//         "active", ["releasedBy", "releasedAt", "releaseReason"]}
//
//   api::RegisterRetentionRoutes(router, runtime);
#pragma once

#include "api/router.h"
#include "app/runtime.h"

namespace clearway::api {

// RegisterRetentionRoutes() adds the routes above; `runtime` must outlive the router.
void RegisterRetentionRoutes(Router& router, app::Runtime& runtime);

}  // namespace clearway::api
