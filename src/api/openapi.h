// File: api/openapi.h
//
// The OpenAPI 3.1 document of the API, served at /v1/openapi.json. A test checks that its
// paths and methods are exactly the router's routes.
#pragma once

#include <boost/json.hpp>

namespace clearway::api {

// OpenApiDocument() is the OpenAPI 3.1 description of every route.
const boost::json::value& OpenApiDocument();

}  // namespace clearway::api
