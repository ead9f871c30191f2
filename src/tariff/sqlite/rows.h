// File: tariff/sqlite/rows.h
//
// How tariff values map to the columns of tariff.db (internal to tariff_sqlite): dates as
// "YYYY-MM-DD" text (so they sort), instants as integer microseconds since the epoch, code
// lists as comma-joined text.
#pragma once

#include <string>
#include <vector>

#include "tariff/measure.h"
#include "tariff/sqlite/db.h"

namespace clearway::tariff::sqlite::internal {

// The measure columns, in the order MeasureFromRow() reads them.
inline constexpr std::string_view kMeasureColumns =
    "measure_id, type, code, geo, excluded, valid_from, valid_to, legal_base, conditions, duty, "
    "agreement, additional_code, quota_order, recorded_from, change, file_id";

int64_t Micros(Timestamp t);
Timestamp FromMicros(int64_t micros);
std::string JoinCodes(const std::vector<std::string>& codes);
std::vector<std::string> SplitCodes(const std::string& text);
Date DateFrom(const std::string& text);

// MeasureFromRow() reads kMeasureColumns starting at column 0.
Measure MeasureFromRow(const Stmt& stmt);

// BindMeasure() binds the measure's columns as ?1..?13 (measure_id .. quota_order).
void BindMeasure(Stmt& stmt, const Measure& m);

}  // namespace clearway::tariff::sqlite::internal
