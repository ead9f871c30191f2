// File: api/error_catalog.h
//
// The catalogue of every error reason the API can answer with, and how a caller fixes it.
// Problem details carry the hint (api/problem.h); docs/errors.md lists the same reasons, and
// a test keeps the two in step.
//
//   std::string hint = ErrorHint("unknown-country");
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clearway::api {

struct CatalogEntry {
  std::string_view reason;
  std::string_view hint;
};

// ErrorCatalog() lists every reason with its hint, sorted by reason.
const std::vector<CatalogEntry>& ErrorCatalog();

// ErrorHint() gives the hint for a reason, or "" for one the catalogue does not know.
std::string ErrorHint(std::string_view reason);

}  // namespace clearway::api
