// File: tariff/internal/csv.h
//
// A small RFC 4180 reader: quoted fields with doubled quotes and embedded line breaks, CRLF or
// LF, an optional UTF-8 byte order mark. Used for the HS nomenclature and real tariff files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clearway::tariff::internal {

using CsvRow = std::vector<std::string>;

// ParseCsv() gives every record, the header included. Error kInvalidArgument "malformed-csv"
// (message naming the record) for an unterminated quote or text after a closing quote.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text);

}  // namespace clearway::tariff::internal
