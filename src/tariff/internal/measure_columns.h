// File: tariff/internal/measure_columns.h
//
// How tariff values map to database columns, shared by the SQLite and PostgreSQL tariff
// stores (tariff/sqlite, tariff/postgres): dates as "YYYY-MM-DD" text (so they sort), instants
// as integer microseconds since the epoch, code lists as comma-joined text, and a measure as
// the columns of kMeasureColumns.
//
//   Measure m = MeasureFromColumns(row);   // row.Text(i), row.IsNull(i), row.Int(i)
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "tariff/measure.h"
#include "tariff/update_file.h"

namespace clearway::tariff::internal {

// The measure columns, in the order MeasureFromColumns() reads them.
inline constexpr std::string_view kMeasureColumns =
    "measure_id, type, code, geo, excluded, valid_from, valid_to, legal_base, conditions, duty, "
    "agreement, additional_code, quota_order, recorded_from, change, file_id";

inline int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }

inline Timestamp FromMicros(int64_t micros) {
  return Timestamp(std::chrono::microseconds(micros));
}

inline std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& code : codes) out += (out.empty() ? "" : ",") + code;
  return out;
}

inline std::vector<std::string> SplitCodes(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

inline Date DateFrom(const std::string& text) {
  auto date = ParseDate(text);
  // Only the tariff stores write these columns, always through FormatDate().
  CW_CHECK(date.ok());
  return *date;
}

// MeasureFromColumns() reads kMeasureColumns 0..13 from `row`, which has Text(int),
// IsNull(int) and Int(int).
template <typename Row>
Measure MeasureFromColumns(const Row& row) {
  Measure m;
  m.id = row.Text(0);
  auto type = ParseMeasureType(row.Text(1), "type");
  CW_CHECK(type.ok());  // written from a MeasureType
  m.type = *type;
  m.commodity_code = row.Text(2);
  m.geo = row.Text(3);
  m.excluded = SplitCodes(row.Text(4));
  m.valid_from = DateFrom(row.Text(5));
  if (!row.IsNull(6)) m.valid_to = DateFrom(row.Text(6));
  m.legal_base = row.Text(7);
  m.conditions = SplitCodes(row.Text(8));
  m.duty = row.Text(9);
  m.agreement = row.Text(10);
  m.additional_code = row.Text(11);
  m.quota_order = row.Text(12);
  m.recorded_at = FromMicros(row.Int(13));
  return m;
}

// MeasureChangeKindFrom() reads the `change` column ("new", "modified", "ended").
inline MeasureChange::Kind MeasureChangeKindFrom(std::string_view kind) {
  return kind == "ended"      ? MeasureChange::Kind::kEnded
         : kind == "modified" ? MeasureChange::Kind::kModified
                              : MeasureChange::Kind::kNew;
}

// ApplyMeasureChanges() applies the measures of `update` as both stores do, inside their
// transaction: an upsert records a new version when its content differs from the current one
// ("new" or "modified"), an end records the current version with valid_to set ("ended");
// repeats count as unchanged. `current(id)` gives the current version
// (Result<std::optional<Measure>>); `record(measure, close_previous, change)` records one
// (Status). kNotFound "measure-not-found" for an end naming no current measure.
template <typename Current, typename Record>
Status ApplyMeasureChanges(const TariffUpdate& update, ImportReport& report, Current current_of,
                           Record record) {
  for (const Measure& upsert : update.upserts) {
    CW_ASSIGN_OR_RETURN(std::optional<Measure> current, current_of(upsert.id));
    if (current && SameContent(*current, upsert)) {
      ++report.unchanged_measures;
      continue;
    }
    CW_RETURN_IF_ERROR(record(upsert, current.has_value(), current ? "modified" : "new"));
    ++(current ? report.modified_measures : report.new_measures);
  }
  for (const MeasureEnd& end : update.ends) {
    CW_ASSIGN_OR_RETURN(std::optional<Measure> current, current_of(end.id));
    if (!current) {
      return Error::NotFound("measure-not-found",
                             "update " + update.file_id + " ends measure " + end.id +
                                 ", which is not in the tariff; nothing was applied");
    }
    if (current->valid_to == end.valid_to) {
      ++report.unchanged_measures;
      continue;
    }
    Measure ended = *current;
    ended.valid_to = end.valid_to;
    CW_RETURN_IF_ERROR(record(ended, true, "ended"));
    ++report.ended_measures;
  }
  return OkStatus();
}

// SearchWords() gives the words of a search text: runs of ASCII letters and digits and of
// bytes >= 0x80 (UTF-8 letters); everything else separates words, so no user text is ever
// query syntax.
std::vector<std::string> SearchWords(std::string_view text);

}  // namespace clearway::tariff::internal
