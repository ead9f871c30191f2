// File: risk/feedback.h
//
// Inspection feedback and drift. Officers' inspection results (InspectionResult, risk/engine.h)
// come back as a CSV `declaration_id,fraud_found,duties_raised,inspected_on`; MergeFeedback()
// writes them as labels onto the declarations of a training set (all lines of a declaration),
// so retraining on them is `clearway risk train --data D --feedback F`. MeasureDrift() reports
// per calendar month the score distribution's shift against the first month (PSI) and the hit
// rate of the top-scored decile.
//
//   auto results = risk::ParseInspectionResults(csv_text);
//   auto merged = risk::MergeFeedback(records, *results);     // merged.matched == 12
//   auto drift = risk::MeasureDrift(records, rows, scores);   // drift->at(3).psi
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "risk/dataset.h"
#include "risk/engine.h"

namespace clearway::risk {

// ParseInspectionResults() reads the CSV (header required, in that order). Errors
// (kInvalidArgument, field_path "line N, column 'C'"): "missing-column", "bad-row",
// "bad-label" (fraud_found not 0/1/true/false), "bad-number" (duties negative or not a
// number), "bad-date", "bad-declaration-id" (empty).
Result<std::vector<InspectionResult>> ParseInspectionResults(std::string_view csv_text);

struct MergeReport {
  size_t matched = 0;     // results whose declaration was found
  size_t unmatched = 0;   // results naming a declaration not in the records
  size_t relabelled = 0;  // lines whose label changed
};

// MergeFeedback() sets the fraud label of every line of each named declaration (a later
// result for the same declaration wins); the duty at stake becomes max(duty, duties_raised).
MergeReport MergeFeedback(std::vector<DeclarationRecord>& records,
                          const std::vector<InspectionResult>& results);

struct DriftPeriod {
  std::string month;  // "2021-02"
  size_t rows = 0;
  double mean_score = 0;
  double psi = 0;                  // against the first month
  double fraud_rate = 0;           // among labelled rows
  double top_decile_hit_rate = 0;  // fraud share of the month's top 10 % scores
};

// MeasureDrift() groups `scores` (one per index in `rows`, indices into `records`) by month.
// kInvalidArgument "bad-metrics-input" if rows and scores differ in length or are empty.
Result<std::vector<DriftPeriod>> MeasureDrift(const std::vector<DeclarationRecord>& records,
                                              const std::vector<size_t>& rows,
                                              const std::vector<double>& scores);

}  // namespace clearway::risk
