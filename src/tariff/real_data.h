// File: tariff/real_data.h
//
// Converters from real published tariff data to the tariff's own values:
//
//   ParseHsCsv()              the HS 2022 nomenclature CSV of ../shared/data/hs/
//                             (section,hscode,description,parent,level)
//   ConvertUkGlobalTariff()   the UK Global Tariff CSV of ../shared/data/tariff/uk-ukgt/
//                             into an update of third-country (erga omnes) duty measures
//   DetectAndParseImport()    an import file: our JSON update file or the UKGT CSV
//
//   CW_ASSIGN_OR_RETURN(auto nodes, ParseHsCsv(ReadFile("harmonized-system.csv")));
//   CW_RETURN_IF_ERROR(store.ImportNomenclature(nodes));
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "tariff/measure.h"
#include "tariff/update_file.h"

namespace clearway::tariff {

// ParseHsCsv() gives chapters, headings and subheadings (HS 2022, valid from 2022-01-01),
// leaving out the UN Comtrade statistical rows (TOTAL, 99, 9999, 999999). Errors
// kInvalidArgument: "malformed-csv", "bad-hs-header" (not the expected columns),
// "bad-commodity-code" (message naming the line).
Result<std::vector<NomenclatureNode>> ParseHsCsv(std::string_view text);

// ConvertUkGlobalTariff() turns each UKGT row into a measure "UKGT-<code>" (codes left-padded
// to 8 or 10 digits, valid from 2021-01-01, legal base the UK Global Tariff, duty the
// `ukgt_duty_rate`) and a nomenclature line. Rows whose rate the duty expression grammar
// cannot express (seasonal rates, "% vol", "lactic matter"...) are skipped and counted in
// `skipped`. Errors: "malformed-csv", "bad-ukgt-header".
struct ConvertedImport {
  TariffUpdate update;
  int skipped = 0;
  std::vector<std::string> skipped_examples;  // up to 5, "record N: <rate>: <reason>"
};
Result<ConvertedImport> ConvertUkGlobalTariff(std::string_view csv_text);

// DetectAndParseImport() reads a JSON update file (starts with '{') or a UKGT CSV (by its
// header). Errors of those parsers, or kInvalidArgument "unknown-import-format".
Result<ConvertedImport> DetectAndParseImport(std::string_view text);

}  // namespace clearway::tariff
