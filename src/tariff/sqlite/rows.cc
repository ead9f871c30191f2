#include "tariff/sqlite/rows.h"

namespace clearway::tariff::sqlite::internal {

int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }

Timestamp FromMicros(int64_t micros) { return Timestamp(std::chrono::microseconds(micros)); }

std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& code : codes) out += (out.empty() ? "" : ",") + code;
  return out;
}

std::vector<std::string> SplitCodes(const std::string& text) {
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

Date DateFrom(const std::string& text) {
  auto date = ParseDate(text);
  // Only this library writes these columns, always through FormatDate().
  CW_CHECK(date.ok());
  return *date;
}

Measure MeasureFromRow(const Stmt& stmt) {
  Measure m;
  m.id = stmt.Text(0);
  auto type = ParseMeasureType(stmt.Text(1), "type");
  CW_CHECK(type.ok());  // written by BindMeasure() from a MeasureType
  m.type = *type;
  m.commodity_code = stmt.Text(2);
  m.geo = stmt.Text(3);
  m.excluded = SplitCodes(stmt.Text(4));
  m.valid_from = DateFrom(stmt.Text(5));
  if (!stmt.IsNull(6)) m.valid_to = DateFrom(stmt.Text(6));
  m.legal_base = stmt.Text(7);
  m.conditions = SplitCodes(stmt.Text(8));
  m.duty = stmt.Text(9);
  m.agreement = stmt.Text(10);
  m.additional_code = stmt.Text(11);
  m.quota_order = stmt.Text(12);
  m.recorded_at = FromMicros(stmt.Int(13));
  return m;
}

void BindMeasure(Stmt& stmt, const Measure& m) {
  stmt.Bind(1, m.id);
  stmt.Bind(2, MeasureTypeName(m.type));
  stmt.Bind(3, m.commodity_code);
  stmt.Bind(4, m.geo);
  stmt.Bind(5, JoinCodes(m.excluded));
  stmt.Bind(6, FormatDate(m.valid_from));
  if (m.valid_to) stmt.Bind(7, FormatDate(*m.valid_to));
  else stmt.BindNull(7);
  stmt.Bind(8, m.legal_base);
  stmt.Bind(9, JoinCodes(m.conditions));
  stmt.Bind(10, m.duty);
  stmt.Bind(11, m.agreement);
  stmt.Bind(12, m.additional_code);
  stmt.Bind(13, m.quota_order);
}

}  // namespace clearway::tariff::sqlite::internal
