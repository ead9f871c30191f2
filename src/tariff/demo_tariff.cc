#include "tariff/demo_tariff.h"

#include <boost/json.hpp>

#include "tariff/update_file.h"

namespace clearway::tariff {

namespace {

namespace json = boost::json;

constexpr std::string_view kFrom = "2020-01-01";
constexpr std::string_view kCn = "Regulation (EEC) No 2658/87, Annex I (CN) - demo rate";

struct DemoMeasure {
  std::string_view id;
  std::string_view type;
  std::string_view code;
  std::string_view geo;
  std::string_view duty;
  std::string_view legal_base;
  std::vector<std::string_view> conditions;
  std::string_view agreement;
  std::string_view additional_code;
  std::string_view quota_order;
};

std::vector<DemoMeasure> Measures() {
  return {
      {"TC-0202", "third-country-duty", "0202", "1011", "12.8 % + 176.8 EUR / 100 kg", kCn, {}, "", "", ""},
      {"TQ-0202-AR", "tariff-quota", "0202", "AR", "20 %", "Regulation (EU) No 593/2013 - demo",
       {"U004"}, "High-quality beef quota", "", "09.4450"},
      {"RS-0202-VET", "restriction", "02", "1011", "", "Regulation (EU) 2017/625 (official controls)",
       {"N853"}, "", "", ""},
      {"TC-1602", "third-country-duty", "1602", "1011", "16.6 %", kCn, {}, "", "", ""},
      {"TC-8471", "third-country-duty", "8471", "1011", "0 %", kCn, {}, "", "", ""},
      {"TC-8517", "third-country-duty", "8517", "1011", "0 %", kCn, {}, "", "", ""},
      {"TC-6109", "third-country-duty", "6109", "1011", "12 %", kCn, {}, "", "", ""},
      {"PREF-6109-GSP", "preference", "6109", "GSP", "0 %",
       "Regulation (EU) No 978/2012 (GSP) - demo", {"U004"}, "GSP Everything But Arms", "", ""},
      {"TC-5007", "third-country-duty", "5007", "1011", "7.5 %", kCn, {}, "", "", ""},
      {"SUSP-5007", "suspension", "500720", "1011", "0 %",
       "Regulation (EU) 2021/2278 (autonomous suspensions) - demo", {"C990"}, "", "", ""},
      {"TC-0901", "third-country-duty", "0901", "1011", "7.5 %", kCn, {}, "", "", ""},
      {"PREF-0901-CO", "preference", "0901", "CO", "0 %",
       "EU-Colombia/Peru/Ecuador Trade Agreement - demo", {"U004"},
       "EU-Colombia/Peru/Ecuador Trade Agreement", "", ""},
      {"TC-8703", "third-country-duty", "8703", "1011", "10 %", kCn, {}, "", "", ""},
      {"PREF-8703-KR", "preference", "8703", "KR", "0 %", "EU-Korea Free Trade Agreement - demo",
       {"U004"}, "EU-Korea Free Trade Agreement", "", ""},
      {"TC-9403", "third-country-duty", "9403", "1011", "0 %", kCn, {}, "", "", ""},
      {"AD-9403-VN", "anti-dumping", "940360", "VN", "30.1 %", "Anti-dumping regulation - demo",
       {}, "", "", ""},
      {"AD-9403-VN-CN9144", "anti-dumping", "940360", "VN", "12.5 %",
       "Anti-dumping regulation - demo", {}, "", "CN914403007152672", ""},
      {"TC-2204", "third-country-duty", "2204", "1011", "32 EUR / hl", kCn, {}, "", "", ""},
      {"PREF-2204-CL", "preference", "2204", "CL", "0 %", "EU-Chile Association Agreement - demo",
       {"U004", "N954"}, "EU-Chile Association Agreement", "", ""},
      {"EX-2204", "excise", "2204", "1011", "15 EUR / hl", "Excise directive 92/83/EEC - demo rate",
       {}, "", "", ""},
      {"PROH-ALL-KP", "prohibition", "", "KP", "", "Regulation (EU) 2017/1509 (DPRK restrictive measures)",
       {}, "", "", ""},
      {"VAT-DE-STD", "vat", "", "1011", "19 %", "Umsatzsteuergesetz §12(1) - demo", {}, "", "", ""},
      {"VAT-DE-RED-02", "vat", "02", "1011", "7 %", "Umsatzsteuergesetz §12(2) - demo", {}, "", "", ""},
      {"VAT-DE-RED-0901", "vat", "0901", "1011", "7 %", "Umsatzsteuergesetz §12(2) - demo", {}, "", "", ""},
      {"VAT-DE-RED-1602", "vat", "1602", "1011", "7 %", "Umsatzsteuergesetz §12(2) - demo", {}, "", "", ""},
  };
}

json::array Nomenclature() {
  struct Line {
    std::string_view code, parent, description;
  };
  const Line lines[] = {
      {"02", "", "Meat and edible meat offal"},
      {"0202", "02", "Meat of bovine animals; frozen"},
      {"020230", "0202", "Meat; of bovine animals, boneless cuts, frozen"},
      {"16", "", "Meat, fish or crustaceans, molluscs or other aquatic invertebrates; preparations"},
      {"1602", "16", "Meat, meat offal or blood; prepared or preserved"},
      {"160250", "1602", "Meat preparations; of bovine animals"},
      {"84", "", "Nuclear reactors, boilers, machinery and mechanical appliances"},
      {"847130", "8471", "Automatic data processing machines; portable, weighing not more than 10kg"},
      {"61", "", "Apparel and clothing accessories; knitted or crocheted"},
      {"610910", "6109", "T-shirts, singlets and other vests; of cotton, knitted or crocheted"},
      {"500720", "5007", "Fabrics, woven; of silk or silk waste, containing 85% or more by weight of silk"},
      {"090121", "0901", "Coffee; roasted, not decaffeinated"},
      {"870380", "8703", "Vehicles; with only electric motor for propulsion"},
      {"940360", "9403", "Furniture; wooden, other than for office, kitchen or bedroom use"},
      {"220421", "2204", "Wine; still, in containers holding 2 litres or less"},
      {"851713", "8517", "Smartphones"},
  };
  json::array out;
  for (const auto& line : lines) {
    out.push_back(json::object{{"code", line.code}, {"parent", line.parent},
                               {"description", line.description}, {"validFrom", "2022-01-01"}});
  }
  return out;
}

json::array StringArray(const std::vector<std::string_view>& values) {
  json::array out;
  for (auto v : values) out.emplace_back(v);
  return out;
}

}  // namespace

std::string DemoTariffUpdateJson() {
  json::array measures;
  for (const auto& m : Measures()) {
    json::object entry{{"op", "upsert"}, {"id", m.id},     {"type", m.type},
                       {"code", m.code}, {"geo", m.geo},   {"validFrom", kFrom},
                       {"legalBase", m.legal_base},
                       {"conditions", StringArray(m.conditions)}};
    if (!m.duty.empty()) entry["duty"] = m.duty;
    if (!m.agreement.empty()) entry["agreement"] = m.agreement;
    if (!m.additional_code.empty()) entry["additionalCode"] = m.additional_code;
    if (!m.quota_order.empty()) entry["quotaOrder"] = m.quota_order;
    measures.push_back(std::move(entry));
  }
  json::object file{
      {"fileId", kDemoTariffFileId},
      {"measures", std::move(measures)},
      {"groups",
       json::array{
           json::object{{"code", "GSP"},
                        {"members", StringArray({"BD", "KH", "NP", "PK", "LK", "IN", "ID", "PH"})}},
           json::object{{"code", "EU"},
                        {"members", StringArray({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE",
                                                 "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
                                                 "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK",
                                                 "SI", "ES", "SE"})}}}},
      {"quotas", json::array{json::object{{"orderNumber", "09.4450"}, {"volume", "20000"}, {"unit", "kg"}}}},
      {"rates", json::array{
                    json::object{{"currency", "USD"}, {"perUnit", "1.0842"}, {"validFrom", kFrom}},
                    json::object{{"currency", "GBP"}, {"perUnit", "0.8571"}, {"validFrom", kFrom}},
                    json::object{{"currency", "CNY"}, {"perUnit", "7.7"}, {"validFrom", kFrom}},
                    json::object{{"currency", "JPY"}, {"perUnit", "161.5"}, {"validFrom", kFrom}},
                    json::object{{"currency", "CHF"}, {"perUnit", "0.95"}, {"validFrom", kFrom}}}},
      {"nomenclature", Nomenclature()},
  };
  return json::serialize(file);
}

Result<ImportReport> SeedDemoTariff(TariffStore& store, Timestamp now) {
  CW_ASSIGN_OR_RETURN(TariffUpdate update, ParseTariffUpdate(DemoTariffUpdateJson()));
  return store.Apply(update, now);
}

}  // namespace clearway::tariff
