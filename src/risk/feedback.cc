#include "risk/feedback.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

#include "risk/metrics.h"

namespace clearway::risk {

namespace {

const char* const kColumns[] = {"declaration_id", "fraud_found", "duties_raised", "inspected_on"};

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

std::string Where(size_t line, const char* column) {
  return "line " + std::to_string(line) + ", column '" + column + "'";
}

}  // namespace

Result<std::vector<InspectionResult>> ParseInspectionResults(std::string_view csv_text) {
  std::stringstream in{std::string(csv_text)};
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> header = Split(line);
  for (size_t i = 0; i < std::size(kColumns); ++i) {
    if (i >= header.size() || header[i] != kColumns[i]) {
      return Error::InvalidArgument(Where(1, kColumns[i]), "missing-column",
                                    "the header must be declaration_id,fraud_found,"
                                    "duties_raised,inspected_on");
    }
  }
  std::vector<InspectionResult> out;
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells = Split(line);
    if (cells.size() != std::size(kColumns)) {
      return Error::InvalidArgument("line " + std::to_string(line_number), "bad-row",
                                    "4 cells expected");
    }
    InspectionResult r;
    r.declaration_id = cells[0];
    if (r.declaration_id.empty()) {
      return Error::InvalidArgument(Where(line_number, kColumns[0]), "bad-declaration-id",
                                    "empty declaration id");
    }
    if (cells[1] == "1" || cells[1] == "true") {
      r.fraud_found = true;
    } else if (cells[1] != "0" && cells[1] != "false") {
      return Error::InvalidArgument(Where(line_number, kColumns[1]), "bad-label",
                                    "fraud_found is 0, 1, true or false");
    }
    const std::string& duty = cells[2];
    auto [ptr, ec] = std::from_chars(duty.data(), duty.data() + duty.size(), r.duties_raised);
    if (duty.empty() || ec != std::errc() || ptr != duty.data() + duty.size() ||
        !std::isfinite(r.duties_raised) || r.duties_raised < 0) {
      return Error::InvalidArgument(Where(line_number, kColumns[2]), "bad-number",
                                    "duties_raised is a non-negative number");
    }
    auto date = ParseDate(cells[3]);
    if (!date.ok()) {
      return Error::InvalidArgument(Where(line_number, kColumns[3]), "bad-date",
                                    "inspected_on is YYYY-MM-DD");
    }
    r.inspected_on = *date;
    out.push_back(std::move(r));
  }
  return out;
}

MergeReport MergeFeedback(std::vector<DeclarationRecord>& records,
                          const std::vector<InspectionResult>& results) {
  std::map<std::string, std::vector<size_t>> lines_of;
  for (size_t i = 0; i < records.size(); ++i) lines_of[records[i].id].push_back(i);
  MergeReport report;
  for (const auto& result : results) {
    auto it = lines_of.find(result.declaration_id);
    if (it == lines_of.end()) {
      ++report.unmatched;
      continue;
    }
    ++report.matched;
    for (size_t i : it->second) {
      DeclarationRecord& r = records[i];
      if (r.fraud != result.fraud_found) ++report.relabelled;
      r.fraud = result.fraud_found;
      if (!result.fraud_found) r.critical = 0;
      if (result.fraud_found && r.critical == 0) r.critical = 1;
      r.duty = std::max(r.duty, result.duties_raised);
    }
  }
  return report;
}

Result<std::vector<DriftPeriod>> MeasureDrift(const std::vector<DeclarationRecord>& records,
                                              const std::vector<size_t>& rows,
                                              const std::vector<double>& scores) {
  if (rows.empty() || rows.size() != scores.size()) {
    return Error::InvalidArgument("", "bad-metrics-input", "one score per row is needed");
  }
  std::map<std::string, std::vector<size_t>> by_month;  // month -> positions in rows
  for (size_t k = 0; k < rows.size(); ++k) {
    by_month[FormatDate(records.at(rows[k]).date).substr(0, 7)].push_back(k);
  }
  std::vector<double> reference;
  std::vector<DriftPeriod> out;
  for (const auto& [month, positions] : by_month) {
    DriftPeriod p;
    p.month = month;
    p.rows = positions.size();
    std::vector<double> month_scores;
    double labelled = 0;
    double fraud = 0;
    for (size_t k : positions) {
      month_scores.push_back(scores[k]);
      const auto& label = records[rows[k]].fraud;
      if (label) {
        labelled += 1;
        fraud += *label ? 1 : 0;
      }
    }
    if (reference.empty()) reference = month_scores;
    double sum = 0;
    for (double s : month_scores) sum += s;
    p.mean_score = sum / static_cast<double>(month_scores.size());
    p.psi = PopulationStabilityIndex(reference, month_scores);
    p.fraud_rate = labelled > 0 ? fraud / labelled : 0;
    std::vector<bool> labels;
    std::vector<double> month_duties;
    for (size_t k : positions) {
      labels.push_back(records[rows[k]].fraud.value_or(false));
      month_duties.push_back(records[rows[k]].duty);
    }
    auto m = Evaluate(month_scores, labels, month_duties);
    if (m.ok()) p.top_decile_hit_rate = m->precision_at.at(10);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace clearway::risk
