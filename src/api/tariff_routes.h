// File: api/tariff_routes.h
//
// The tariff's HTTP routes. Every caller must authenticate (api/auth.h, as the declaration
// routes; an API token needs the scope tariff:read); any role may read measures and ask for
// quotes.
//
//   GET  /v1/measures?code=C&origin=XX[&date=D][&asOf=T]   {"code","origin","date","asOf",
//                                                          "measures":[…]}
//   GET  /v1/measures/changes?since=D[&limit=N]            {"since","changes":[…]}
//   GET  /v1/tariff/search?q=TEXT[&limit=N]                {"q","results":[{code,description,
//                                                          score}]}
//   POST /v1/duty/quote[?date=D][&asOf=T]                  body: a declaration (docs/
//                                                          declaration.md); the quote
//
// D is YYYY-MM-DD (default today, UTC), T an RFC 3339 instant (default now): the tariff as it
// was recorded then, so an earlier answer can be reproduced. docs/api.md and docs/tariff.md
// describe the bodies.
//
//   api::RegisterTariffRoutes(router, runtime);
#pragma once

#include "api/router.h"
#include "app/runtime.h"

namespace clearway::api {

// RegisterTariffRoutes() adds the routes above; `runtime` must outlive the router.
void RegisterTariffRoutes(Router& router, app::Runtime& runtime);

}  // namespace clearway::api
