#include "risk/dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/json.h"

namespace clearway::risk {

namespace {

const std::vector<std::string> kRequired = {"id", "date", "hs6", "net_mass_kg", "item_price"};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("file-not-found", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// SplitCsvLine() splits one record at `pos` (RFC 4180: quoted cells may hold commas, doubled
// quotes and line breaks); advances pos past the line end and counts the lines consumed.
std::vector<std::string> SplitCsvLine(std::string_view text, size_t& pos, size_t& lines) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"' && pos < text.size() && text[pos] == '"') {
        cell.push_back('"');
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++lines;
        cell.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      cell.push_back(c);
    }
  }
  ++lines;
  cells.push_back(std::move(cell));
  return cells;
}

std::string Where(size_t line, const std::string& header) {
  return "line " + std::to_string(line) + ", column '" + header + "'";
}

Result<double> ParseNumber(const std::string& cell, size_t line, const std::string& header) {
  double value = 0;
  const char* end = cell.data() + cell.size();
  auto [ptr, ec] = std::from_chars(cell.data(), end, value);
  if (cell.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return Error::InvalidArgument(Where(line, header), "bad-number",
                                  "'" + cell + "' is not a number");
  }
  return value;
}

}  // namespace

const std::vector<std::string>& CanonicalFields() {
  static const std::vector<std::string> kFields = {"id",
                                                   "date",
                                                   "office",
                                                   "procedure",
                                                   "import_type",
                                                   "import_use",
                                                   "payment_type",
                                                   "transport_mode",
                                                   "declarant",
                                                   "importer",
                                                   "seller",
                                                   "courier",
                                                   "hs6",
                                                   "departure",
                                                   "origin",
                                                   "tax_type",
                                                   "origin_indicator",
                                                   "tax_rate_percent",
                                                   "net_mass_kg",
                                                   "item_price",
                                                   "fraud",
                                                   "critical"};
  return kFields;
}

CsvSchema KcsSchema() {
  CsvSchema schema;
  schema.name = "kcs-synthetic-2022";
  schema.columns = {{"id", "Declaration ID"},
                    {"date", "Date"},
                    {"office", "Office ID"},
                    {"procedure", "Process Type"},
                    {"import_type", "Import Type"},
                    {"import_use", "Import Use"},
                    {"payment_type", "Payment Type"},
                    {"transport_mode", "Mode of Transport"},
                    {"declarant", "Declarant ID"},
                    {"importer", "Importer ID"},
                    {"seller", "Seller ID"},
                    {"courier", "Courier ID"},
                    {"hs6", "HS6 Code"},
                    {"departure", "Country of Departure"},
                    {"origin", "Country of Origin"},
                    {"tax_rate_percent", "Tax Rate"},
                    {"tax_type", "Tax Type"},
                    {"origin_indicator", "Country of Origin Indicator"},
                    {"net_mass_kg", "Net Mass"},
                    {"item_price", "Item Price"},
                    {"fraud", "Fraud"},
                    {"critical", "Critical Fraud"}};
  schema.rate_percent_column = "Tax Rate";
  return schema;
}

Result<CsvSchema> ParseSchema(std::string_view json_text) {
  CW_ASSIGN_OR_RETURN(boost::json::value json, ParseJson(json_text));
  if (!json.is_object()) return Error::InvalidArgument("", "bad-schema", "a schema is an object");
  const auto& obj = json.as_object();
  CsvSchema schema;
  if (const auto* name = obj.if_contains("name"); name != nullptr && name->is_string()) {
    schema.name = std::string(name->as_string());
  }
  const auto* columns = obj.if_contains("columns");
  if (columns == nullptr || !columns->is_object()) {
    return Error::InvalidArgument("columns", "bad-schema", "columns must be an object");
  }
  const auto& fields = CanonicalFields();
  for (const auto& [key, value] : columns->as_object()) {
    std::string field(key);
    if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
      return Error::InvalidArgument("columns." + field, "unknown-field",
                                    "no record field is called '" + field + "'");
    }
    if (!value.is_string()) {
      return Error::InvalidArgument("columns." + field, "bad-schema", "a column name is a string");
    }
    schema.columns[field] = std::string(value.as_string());
  }
  for (const auto& required : kRequired) {
    if (!schema.columns.contains(required)) {
      return Error::InvalidArgument("columns." + required, "missing-field",
                                    "the schema must map '" + required + "'");
    }
  }
  if (const auto* revenue = obj.if_contains("revenue"); revenue != nullptr) {
    if (!revenue->is_object()) {
      return Error::InvalidArgument("revenue", "bad-schema", "revenue must be an object");
    }
    for (const auto& [key, value] : revenue->as_object()) {
      if (!value.is_string()) {
        return Error::InvalidArgument("revenue." + std::string(key), "bad-schema",
                                      "a column name is a string");
      }
      if (key == "duty_column") {
        schema.duty_column = std::string(value.as_string());
      } else if (key == "rate_percent_column") {
        schema.rate_percent_column = std::string(value.as_string());
      } else {
        return Error::InvalidArgument("revenue." + std::string(key), "unknown-field",
                                      "revenue has duty_column and rate_percent_column");
      }
    }
  }
  return schema;
}

Result<CsvSchema> ReadSchemaFile(const std::string& path) {
  CW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseSchema(text);
}

Result<std::vector<DeclarationRecord>> ReadCsv(std::string_view text, const CsvSchema& schema) {
  size_t pos = 0;
  size_t lines = 0;
  std::vector<std::string> header = SplitCsvLine(text, pos, lines);
  std::map<std::string, size_t> index;  // header text -> position
  for (size_t i = 0; i < header.size(); ++i) index[header[i]] = i;
  std::map<std::string, size_t> field_at;  // canonical field -> position
  auto locate = [&](const std::string& field, const std::string& column) -> Status {
    auto it = index.find(column);
    if (it == index.end()) {
      return Error::InvalidArgument(Where(1, column), "missing-column",
                                    "the header has no column '" + column + "' for " + field);
    }
    field_at[field] = it->second;
    return OkStatus();
  };
  for (const auto& [field, column] : schema.columns) CW_RETURN_IF_ERROR(locate(field, column));
  if (!schema.duty_column.empty()) CW_RETURN_IF_ERROR(locate("duty", schema.duty_column));
  if (!schema.rate_percent_column.empty()) {
    CW_RETURN_IF_ERROR(locate("duty_rate", schema.rate_percent_column));
  }

  std::vector<DeclarationRecord> records;
  while (pos < text.size()) {
    size_t line = lines + 1;
    std::vector<std::string> cells = SplitCsvLine(text, pos, lines);
    if (cells.size() == 1 && cells[0].empty()) continue;  // blank line (e.g. trailing)
    if (cells.size() != header.size()) {
      return Error::InvalidArgument(
          "line " + std::to_string(line), "bad-row",
          std::to_string(cells.size()) + " cells, the header has " + std::to_string(header.size()));
    }
    DeclarationRecord r;
    auto text_of = [&](const char* field) -> std::string {
      auto it = field_at.find(field);
      return it == field_at.end() ? std::string() : cells[it->second];
    };
    auto number_of = [&](const char* field, bool non_negative) -> Result<double> {
      auto it = field_at.find(field);
      if (it == field_at.end()) return 0.0;
      const std::string& column = header[it->second];
      if (cells[it->second].empty() && std::string_view(field) == "tax_rate_percent") return 0.0;
      CW_ASSIGN_OR_RETURN(double v, ParseNumber(cells[it->second], line, column));
      if (non_negative && v < 0) {
        return Error::InvalidArgument(Where(line, column), "bad-number", "must not be negative");
      }
      return v;
    };
    r.id = text_of("id");
    auto date = ParseDate(text_of("date"));
    if (!date.ok()) {
      return Error::InvalidArgument(Where(line, header[field_at["date"]]), "bad-date",
                                    "'" + text_of("date") + "' is not YYYY-MM-DD");
    }
    r.date = *date;
    r.office = text_of("office");
    r.procedure = text_of("procedure");
    r.import_type = text_of("import_type");
    r.import_use = text_of("import_use");
    r.payment_type = text_of("payment_type");
    r.transport_mode = text_of("transport_mode");
    r.declarant = text_of("declarant");
    r.importer = text_of("importer");
    r.seller = text_of("seller");
    r.courier = text_of("courier");
    r.hs6 = text_of("hs6").substr(0, 6);
    r.departure = text_of("departure");
    r.origin = text_of("origin");
    r.tax_type = text_of("tax_type");
    r.origin_indicator = text_of("origin_indicator");
    CW_ASSIGN_OR_RETURN(r.tax_rate_percent, number_of("tax_rate_percent", true));
    CW_ASSIGN_OR_RETURN(r.net_mass_kg, number_of("net_mass_kg", true));
    CW_ASSIGN_OR_RETURN(r.item_price, number_of("item_price", true));
    if (field_at.contains("duty")) {
      CW_ASSIGN_OR_RETURN(r.duty, number_of("duty", true));
    } else if (field_at.contains("duty_rate")) {
      CW_ASSIGN_OR_RETURN(double rate, number_of("duty_rate", true));
      r.duty = r.item_price * rate / 100.0;
    }
    if (field_at.contains("fraud")) {
      std::string label = text_of("fraud");
      if (label != "0" && label != "1") {
        return Error::InvalidArgument(Where(line, header[field_at["fraud"]]), "bad-label",
                                      "a fraud label is 0 or 1, not '" + label + "'");
      }
      r.fraud = label == "1";
    }
    if (field_at.contains("critical")) {
      std::string label = text_of("critical");
      if (label != "0" && label != "1" && label != "2") {
        return Error::InvalidArgument(Where(line, header[field_at["critical"]]), "bad-label",
                                      "a critical-fraud label is 0, 1 or 2, not '" + label + "'");
      }
      r.critical = label[0] - '0';
    }
    records.push_back(std::move(r));
  }
  if (records.empty()) return Error::InvalidArgument("", "empty-data", "the file has no rows");
  std::stable_sort(records.begin(), records.end(),
                   [](const auto& a, const auto& b) { return a.date < b.date; });
  return records;
}

Result<std::vector<DeclarationRecord>> ReadCsvFile(const std::string& path,
                                                   const CsvSchema& schema) {
  CW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ReadCsv(text, schema);
}

std::string WriteCsv(const std::vector<DeclarationRecord>& records) {
  std::ostringstream out;
  out.precision(17);
  out << "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,"
         "Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,"
         "Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,"
         "Net Mass,Item Price,Fraud,Critical Fraud\n";
  for (const auto& r : records) {
    out << r.id << ',' << FormatDate(r.date) << ',' << r.office << ',' << r.procedure << ','
        << r.import_type << ',' << r.import_use << ',' << r.payment_type << ',' << r.transport_mode
        << ',' << r.declarant << ',' << r.importer << ',' << r.seller << ',' << r.courier << ','
        << r.hs6 << ',' << r.departure << ',' << r.origin << ',' << r.tax_rate_percent << ','
        << r.tax_type << ',' << r.origin_indicator << ',' << r.net_mass_kg << ',' << r.item_price
        << ',' << (r.fraud.value_or(false) ? 1 : 0) << ',' << r.critical << '\n';
  }
  return out.str();
}

}  // namespace clearway::risk
