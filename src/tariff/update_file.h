// File: tariff/update_file.h
//
// The daily tariff update file (docs/tariff.md, "Update file"): one JSON object naming the file
// (fileId) and listing new, modified and ended measures, plus any geographic groups, quotas,
// exchange rates and nomenclature lines it (re)defines. A store applies it in one transaction,
// and a file is applied once: its id and SHA-256 are kept, so the same file again changes
// nothing and another file with a used id is refused.
//
//   {"fileId": "2026-11-02.1",
//    "measures": [{"op": "upsert", "id": "TC-0202", "type": "third-country-duty",
//                  "code": "0202", "geo": "1011", "validFrom": "2026-01-01",
//                  "legalBase": "R2658/87", "duty": "12.8 % + 176.8 EUR / 100 kg"},
//                 {"op": "end", "id": "PREF-0901-CO", "validTo": "2026-12-01"}]}
//
//   CW_ASSIGN_OR_RETURN(TariffUpdate update, ParseTariffUpdate(text));
//   CW_ASSIGN_OR_RETURN(ImportReport report, store.Apply(update, clock.Now()));
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "tariff/measure.h"

namespace clearway::tariff {

// An ended measure: a new version of it with valid_to set.
struct MeasureEnd {
  std::string id;
  Date valid_to;
};

struct TariffUpdate {
  std::string file_id;
  std::string sha256;                  // lower-case hex of the file's bytes
  std::vector<Measure> upserts;        // new or modified measures (recorded_at unset)
  std::vector<MeasureEnd> ends;
  std::vector<GeoGroup> groups;
  std::vector<Quota> quotas;
  std::vector<ExchangeRate> rates;
  std::vector<NomenclatureNode> nomenclature;
};

// What applying an update did.
struct ImportReport {
  std::string file_id;
  bool already_imported = false;  // the same file was applied before: nothing changed
  int new_measures = 0;
  int modified_measures = 0;
  int ended_measures = 0;
  int unchanged_measures = 0;
  int skipped_lines = 0;          // source lines a converter could not express (real data)
  std::vector<std::string> skipped_examples;  // a few of them, "line 12: reason"
};

// ParseTariffUpdate() reads and checks the whole file before anything is stored. Errors, all
// kInvalidArgument with the field path of the first problem ("measures[3].duty"):
// "malformed-json", "wrong-type", "required", "unknown-field", "bad-update-op",
// "unknown-measure-type", "bad-commodity-code", "bad-geo", "unknown-country" (excluded, members),
// "bad-date", "bad-validity" (validTo not after validFrom), "bad-duty-expression",
// "unknown-duty-unit", "unknown-currency", "bad-decimal", "duplicate-measure" (one id twice),
// "bad-file-id" (1..100 characters of [A-Za-z0-9._-]).
Result<TariffUpdate> ParseTariffUpdate(std::string_view json_text);

// IsCommodityCodePrefix() is true for "" or 2, 4, 6, 8 or 10 digits.
bool IsCommodityCodePrefix(std::string_view code);

}  // namespace clearway::tariff
