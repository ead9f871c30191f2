// File: tariff/postgres/internal.h  (internal to the PostgreSQL tariff backend)
//
// Helpers shared by the files of PostgresTariffStore: mapping the libpq layer's errors to the
// tariff store's, and reading one row of a result as the shared column mapping expects
// (tariff/internal/measure_columns.h). Thread safety: stateless.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/postgres/module_schema.h"
#include "store/postgres/pg_connection.h"
#include "tariff/internal/measure_columns.h"

namespace clearway::tariff::postgres::internal {

using store::postgres::internal::PgConnection;
using store::postgres::internal::PgParams;
using store::postgres::internal::PgRows;
using store::postgres::internal::Transact;
using tariff::internal::Micros;

// TariffError() turns an error of the connection layer ("store-unavailable", "store-error",
// …) into the tariff store's kUnavailable "tariff-store-failed", keeping its message (which
// never holds row values or the URL's password); other errors pass unchanged.
inline Error TariffError(Error error) {
  if (error.reason.rfind("store-", 0) == 0) {
    return Error::Unavailable("tariff-store-failed", "tariff store: " + error.message);
  }
  return error;
}

template <typename T>
Result<T> Mapped(Result<T> result) {
  if (result.ok()) return result;
  return TariffError(std::move(result).error());
}

// PgRow is one row of a result, read by column (MeasureFromColumns()).
struct PgRow {
  const PgRows& rows;
  int row;
  std::string Text(int column) const { return rows.Text(row, column); }
  bool IsNull(int column) const { return rows.IsNull(row, column); }
  int64_t Int(int column) const { return rows.Int(row, column); }
};

// DateParam() adds an optional date as "YYYY-MM-DD" text, or NULL.
inline PgParams& DateParam(PgParams& params, const std::optional<Date>& date) {
  return date ? params.Text(FormatDate(*date)) : params.Null();
}

// TextArray() is the text form of a PostgreSQL text[] holding `values` (each element quoted,
// its quotes and backslashes escaped), for a parameter read as $n::text[].
inline std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace clearway::tariff::postgres::internal
