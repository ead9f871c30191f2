#include "tariff/internal/csv.h"

namespace clearway::tariff::internal {

Result<std::vector<CsvRow>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  bool quoted = false;
  bool after_quote = false;  // a quoted field just closed
  auto malformed = [&](const char* why) {
    return Error::InvalidArgument("", "malformed-csv",
                                  "record " + std::to_string(rows.size() + 1) + ": " + why);
  };
  for (size_t pos = 0; pos < text.size(); ++pos) {
    char c = text[pos];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (pos + 1 < text.size() && text[pos + 1] == '"') {
        field += '"';
        ++pos;
      } else {
        quoted = false;
        after_quote = true;
      }
      continue;
    }
    if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      after_quote = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      after_quote = false;
    } else if (after_quote) {
      return malformed("text after a closing quote");
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else {
      field += c;
    }
  }
  if (quoted) return malformed("unterminated quote");
  if (!field.empty() || !row.empty() || after_quote) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace clearway::tariff::internal
