#include "tariff/real_data.h"

#include "crypto/crypto.h"
#include "tariff/internal/csv.h"

namespace clearway::tariff {

namespace {

constexpr size_t kMaxSkippedExamples = 5;
constexpr std::string_view kUkgtHeader =
    "commodity,description,cet_duty_rate,ukgt_duty_rate";

bool IsStatisticalRow(const std::string& code) {
  return code == "TOTAL" || code == "99" || code == "9999" || code == "999999";
}

std::string LeftPad(const std::string& digits) {
  size_t width = digits.size() <= 8 ? 8 : 10;
  return std::string(width - digits.size(), '0') + digits;
}

}  // namespace

Result<std::vector<NomenclatureNode>> ParseHsCsv(std::string_view text) {
  CW_ASSIGN_OR_RETURN(auto rows, internal::ParseCsv(text));
  if (rows.empty() || rows[0].size() != 5 || rows[0][1] != "hscode" || rows[0][3] != "parent") {
    return Error::InvalidArgument("", "bad-hs-header",
                                  "expected the header section,hscode,description,parent,level");
  }
  std::vector<NomenclatureNode> out;
  out.reserve(rows.size());
  for (size_t line = 1; line < rows.size(); ++line) {
    const auto& row = rows[line];
    if (row.size() == 1 && row[0].empty()) continue;  // a trailing blank line
    if (row.size() != 5) {
      return Error::InvalidArgument("", "malformed-csv",
                                    "line " + std::to_string(line + 1) + ": expected 5 fields");
    }
    if (IsStatisticalRow(row[1])) continue;
    NomenclatureNode node;
    node.code = row[1];
    node.description = row[2];
    node.parent = row[3] == "TOTAL" ? "" : row[3];
    if (node.code.empty() || !IsCommodityCodePrefix(node.code) || node.code.size() > 6) {
      return Error::InvalidArgument("", "bad-commodity-code",
                                    "line " + std::to_string(line + 1) + ": '" + node.code +
                                        "' is not 2, 4 or 6 digits");
    }
    out.push_back(std::move(node));
  }
  return out;
}

Result<ConvertedImport> ConvertUkGlobalTariff(std::string_view csv_text) {
  CW_ASSIGN_OR_RETURN(auto rows, internal::ParseCsv(csv_text));
  if (rows.empty() || rows[0].size() < 4 || rows[0][0] != "commodity" ||
      rows[0][3] != "ukgt_duty_rate") {
    return Error::InvalidArgument("", "bad-ukgt-header",
                                  "expected the UK Global Tariff header commodity,description,...");
  }
  ConvertedImport out;
  TariffUpdate& update = out.update;
  update.sha256 = crypto::ToHex(crypto::Sha256(csv_text));
  update.file_id = "ukgt-" + update.sha256.substr(0, 16);
  const Date from = std::chrono::year{2021} / 1 / 1;
  for (size_t line = 1; line < rows.size(); ++line) {
    const auto& row = rows[line];
    if (row.size() == 1 && row[0].empty()) continue;
    auto skip = [&](const std::string& why) {
      ++out.skipped;
      if (out.skipped_examples.size() < kMaxSkippedExamples) {
        out.skipped_examples.push_back("record " + std::to_string(line) + ": " + why);
      }
    };
    if (row.size() < 4) {
      skip("fewer than 4 fields");
      continue;
    }
    std::string code = row[0];
    if (code.empty() || code.size() > 10 || code.find_first_not_of("0123456789") != std::string::npos) {
      skip("'" + code + "' is not a commodity code");
      continue;
    }
    code = LeftPad(code);
    auto duty = ParseDutyExpression(row[3], "ukgt_duty_rate");
    if (!duty.ok()) {
      skip(row[3] + ": " + duty.error().reason);
      continue;
    }
    Measure m;
    m.id = "UKGT-" + code;
    m.type = MeasureType::kThirdCountryDuty;
    m.commodity_code = code;
    m.geo = std::string(kErgaOmnes);
    m.valid_from = from;
    m.legal_base = "UK Global Tariff (Customs Tariff (Establishment) (EU Exit) Regulations 2020)";
    m.duty = duty->ToString();
    update.upserts.push_back(std::move(m));
    NomenclatureNode node;
    node.code = code;
    node.parent = code.substr(0, code.size() == 10 ? 8 : 6);
    node.description = row[1];
    node.valid_from = from;
    update.nomenclature.push_back(std::move(node));
  }
  return out;
}

Result<ConvertedImport> DetectAndParseImport(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    ConvertedImport out;
    CW_ASSIGN_OR_RETURN(out.update, ParseTariffUpdate(text));
    return out;
  }
  if (text.substr(0, kUkgtHeader.size()) == kUkgtHeader) return ConvertUkGlobalTariff(text);
  return Error::InvalidArgument("", "unknown-import-format",
                                "expected a JSON update file (docs/tariff.md) or the UK Global "
                                "Tariff CSV");
}

}  // namespace clearway::tariff
