// File: risk/dataset.h
//
// Historical declarations for the risk engine: one DeclarationRecord per goods line, read from
// a CSV export through a column-mapping schema so that any administration's export loads. The
// schema is a small JSON document (format in docs/risk.md; the Korea Customs Service synthetic
// set's mapping is built in and also shipped as docs/risk-schema-kcs.json):
//
//   {"name": "kcs-synthetic-2022", "columns": {"id": "Declaration ID", "date": "Date",
//    "hs6": "HS6 Code", "net_mass_kg": "Net Mass", "item_price": "Item Price",
//    "fraud": "Fraud", ...}, "revenue": {"duty_column": "", "rate_percent_column": "Tax Rate"}}
//
//   auto schema = risk::KcsSchema();
//   auto records = risk::ReadCsvFile("train.csv", schema);   // sorted by date, stable
//   if (!records.ok()) std::cerr << records.error();        // "line 12, column 'Net Mass'"
//
// Prices and duties here are statistics for ranking, in the export's own currency, so they are
// doubles; Clearway's accounting money (common/money.h) is never computed from them.
// Thread safety: plain values and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace clearway::risk {

// DeclarationRecord is one goods line of a past (or current) declaration, as the risk engine
// sees it. Text fields may be empty when the export lacks them.
struct DeclarationRecord {
  std::string id;
  Date date = std::chrono::year{1970} / 1 / 1;
  std::string office;
  std::string procedure;  // process type / customs procedure code
  std::string import_type;
  std::string import_use;
  std::string payment_type;
  std::string transport_mode;
  std::string declarant;
  std::string importer;
  std::string seller;
  std::string courier;
  std::string hs6;        // first six digits of the commodity code
  std::string departure;  // country of departure
  std::string origin;     // country of origin
  std::string tax_type;
  std::string origin_indicator;
  double tax_rate_percent = 0;
  double net_mass_kg = 0;
  double item_price = 0;
  double duty = 0;            // duty at stake: the duty column, else price x rate / 100
  std::optional<bool> fraud;  // the label, when known
  int critical = 0;           // 0 none, 1 fraud, 2 critical fraud (when the export has it)
  // The currency of item_price and duty when it is not the history's own (the caller could not
  // convert it): unit prices are then compared only with prices in the same currency. Empty
  // for the history's currency (every CSV row).
  std::string currency;
};

// CsvSchema maps canonical field names (the DeclarationRecord member names) to CSV header
// names. Required: id, date, hs6, net_mass_kg, item_price. Every other field is optional.
struct CsvSchema {
  std::string name;
  std::map<std::string, std::string> columns;  // canonical field -> header text
  std::string duty_column;                     // a column of duty amounts, or empty
  std::string rate_percent_column;             // else the duty is item_price x this / 100 (or 0)
};

// CanonicalFields() lists the field names a schema may map, in record order.
const std::vector<std::string>& CanonicalFields();

// KcsSchema() maps the Korea Customs Service synthetic import data (Jeong et al. 2022).
CsvSchema KcsSchema();

// ParseSchema() reads the JSON form. Errors (kInvalidArgument): "malformed-json";
// "bad-schema" (not an object, a non-string column name; field_path names the member);
// "unknown-field" (a canonical name that does not exist); "missing-field" (a required field
// is not mapped).
Result<CsvSchema> ParseSchema(std::string_view json_text);

// ReadSchemaFile() reads a file then ParseSchema(); kNotFound "file-not-found" if unreadable.
Result<CsvSchema> ReadSchemaFile(const std::string& path);

// ReadCsv() parses CSV text (RFC 4180 quoting, one header line) into records sorted by date
// (stable, so same-day rows keep their file order). Errors (kInvalidArgument), each with
// field_path "line N, column 'Header'" (N is the 1-based file line):
//   "missing-column" — the header lacks a mapped column (field_path "line 1, column 'X'");
//   "bad-row" — a row has a different number of cells than the header;
//   "bad-date" — not YYYY-MM-DD; "bad-number" — a numeric cell is not a finite number, or a
//   mass/price is negative; "bad-label" — a label is not 0/1 (critical: 0/1/2);
//   "empty-data" — no rows.
Result<std::vector<DeclarationRecord>> ReadCsv(std::string_view text, const CsvSchema& schema);

// ReadCsvFile() reads a file then ReadCsv(); kNotFound "file-not-found" if unreadable.
Result<std::vector<DeclarationRecord>> ReadCsvFile(const std::string& path,
                                                   const CsvSchema& schema);

// WriteCsv() writes records in the KCS column layout (what KcsSchema() reads back); used by
// tests and `clearway risk` to emit generated or merged data.
std::string WriteCsv(const std::vector<DeclarationRecord>& records);

}  // namespace clearway::risk
