#include "tariff/sqlite/rows.h"

namespace clearway::tariff::sqlite::internal {

Measure MeasureFromRow(const Stmt& stmt) {
  return ::clearway::tariff::internal::MeasureFromColumns(stmt);
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
