// File: tariff/tariff_json.h
//
// The JSON forms of the tariff's answers, shared by the API and the CLI (docs/tariff.md):
// money as decimal strings in the quote currency, dates as YYYY-MM-DD, times as RFC 3339.
//
//   boost::json::value body = QuoteToJson(quote);
//   // {"date":"2026-11-02","currency":"EUR","totals":{"customsDuty":"8486.40",...},
//   //  "items":[{"sequence":1,"applied":[{"measureId":"TC-0202","arithmetic":[...]}]}]}
//
// Thread safety: pure functions.
#pragma once

#include <vector>

#include <boost/json.hpp>

#include "tariff/duty_engine.h"
#include "tariff/measure.h"
#include "tariff/tariff_store.h"

namespace clearway::tariff {

boost::json::object MeasureToJson(const Measure& measure);
boost::json::array MeasuresToJson(const std::vector<Measure>& measures);
boost::json::array ChangesToJson(const std::vector<MeasureChange>& changes);
boost::json::array SearchHitsToJson(const std::vector<SearchHit>& hits);
boost::json::object ImportReportToJson(const ImportReport& report);
// QuoteToJson() builds the whole tree in `storage` (the filing path passes an arena).
boost::json::object QuoteToJson(const DutyQuote& quote, boost::json::storage_ptr storage = {});

}  // namespace clearway::tariff
