// File: api/routes.h
//
// The /v1 JSON API of Clearway: every route, its authentication, and the mapping between the
// app's use cases and HTTP. Routes are thin: they authenticate, decode, call one
// app::DeclarationService method and render the result or a problem.
//
//   api::Router router;
//   api::Metrics metrics;
//   api::RegisterRoutes(router, runtime, metrics);
//   auto server = api::Server::Start(options, router, metrics);
#pragma once

#include "api/metrics.h"
#include "api/router.h"
#include "app/runtime.h"

namespace clearway::api {

// RegisterRoutes() adds /healthz, /metrics, /v1/openapi.json and the /v1 declaration routes.
// `runtime` must outlive the router.
void RegisterRoutes(Router& router, app::Runtime& runtime, Metrics& metrics);

}  // namespace clearway::api
