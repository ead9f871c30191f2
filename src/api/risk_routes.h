// File: api/risk_routes.h
//
// The risk engine's HTTP routes (docs/risk.md, docs/api.md). Every caller authenticates
// (api/auth.h); refusals are 403 "forbidden" and recorded as permission-denied security
// events.
//
//   GET  /v1/declarations/{id}/assessment[?version=N]   the assessment made when the version
//        was filed: officers of the office, risk analysts and auditors see the risk decision
//        (score, profiles, model, contributions, instructions); the trader, its broker and
//        administrators see the channel and the quote only. 404 "assessment-not-found".
//   POST /v1/declarations/{id}/inspection-result        an officer of the office records what
//        an inspection found: {"fraudFound": true, "dutiesRaised": "120.00",
//        "inspectedOn": "2026-11-24"} -> 201; learned by the engine, kept for retraining.
//   GET  /v1/risk/profiles                              risk analysts and administrators
//   POST /v1/risk/profiles                              a profile JSON -> 201, stored as draft
//   POST /v1/risk/profiles/{id}/test                    hits among stored declarations
//   POST /v1/risk/profiles/{id}/activate                draft -> active (engine at once)
//   POST /v1/risk/profiles/{id}/retire                  draft|active -> retired
//   (the profile routes: risk analysts only, unless said otherwise)
//
// API tokens need declarations:read (assessment), declarations:write (inspection result),
// risk:read (list, test) or risk:write (create, activate, retire).
//
//   api::RegisterRiskRoutes(router, runtime, metrics);
#pragma once

#include "api/http.h"
#include "api/metrics.h"
#include "api/router.h"
#include "app/runtime.h"
#include "common/error.h"

namespace clearway::api {

// RegisterRiskRoutes() adds the routes above and the risk gauges; `runtime` must outlive the
// router.
void RegisterRiskRoutes(Router& router, app::Runtime& runtime, Metrics& metrics);

// OverrideReasonRequired() is the 422 problem for an officer re-routing against the risk
// engine without a reason (reason "override-reason-required", field "reason").
Response OverrideReasonRequired(const Error& error, const Request& request);

}  // namespace clearway::api
