// File: tariff/sqlite/rows.h
//
// How tariff values map to the columns of tariff.db (internal to tariff_sqlite): the mapping
// shared with the PostgreSQL store (tariff/internal/measure_columns.h) read from and bound to
// SQLite statements.
#pragma once

#include <string>
#include <vector>

#include "tariff/internal/measure_columns.h"
#include "tariff/measure.h"
#include "tariff/sqlite/db.h"

namespace clearway::tariff::sqlite::internal {

using ::clearway::tariff::internal::DateFrom;
using ::clearway::tariff::internal::FromMicros;
using ::clearway::tariff::internal::JoinCodes;
using ::clearway::tariff::internal::kMeasureColumns;
using ::clearway::tariff::internal::Micros;
using ::clearway::tariff::internal::SplitCodes;

// MeasureFromRow() reads kMeasureColumns starting at column 0.
Measure MeasureFromRow(const Stmt& stmt);

// BindMeasure() binds the measure's columns as ?1..?13 (measure_id .. quota_order).
void BindMeasure(Stmt& stmt, const Measure& m);

}  // namespace clearway::tariff::sqlite::internal
