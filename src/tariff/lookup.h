// File: tariff/lookup.h
//
// Measure lookup: every measure that applies to a commodity code, an origin and a date, as
// recorded at a moment (default now). The store gives candidates on the code and its
// ancestors; this filters them by geographic area (groups as recorded at that moment) and
// orders them by type, then from the most specific code to the least.
//
//   MeasureQuery query{.code = "0202300010", .origin = "AR", .date = date, .as_of = now};
//   CW_ASSIGN_OR_RETURN(std::vector<Measure> measures, FindMeasures(store, query));
//
// Thread safety: as safe as the store.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "tariff/tariff_store.h"

namespace clearway::tariff {

struct MeasureQuery {
  std::string code;    // 2, 4, 6, 8 or 10 digits
  std::string origin;  // ISO 3166-1 alpha-2
  Date date = std::chrono::year{2026} / 1 / 1;
  Timestamp as_of{};
};

// FindMeasures() returns the applicable measures (possibly none). Errors: kInvalidArgument
// "bad-commodity-code" (field "code"), "unknown-country" (field "origin"); store errors.
Result<std::vector<Measure>> FindMeasures(TariffStore& store, const MeasureQuery& query);

}  // namespace clearway::tariff
