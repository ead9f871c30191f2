#include "tariff/tariff_json.h"

namespace clearway::tariff {

namespace {

namespace json = boost::json;

json::array Strings(const std::vector<std::string>& values, json::storage_ptr sp = {}) {
  json::array out(std::move(sp));
  out.reserve(values.size());
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

json::value OptionalDate(const std::optional<Date>& date) {
  return date ? json::value(FormatDate(*date)) : json::value(nullptr);
}

std::string Money(int64_t minor, const DutyQuote& quote) {
  return FormatMinor(minor, quote.exponent);
}

}  // namespace

json::object MeasureToJson(const Measure& m) {
  json::object out{{"id", m.id},
                   {"type", MeasureTypeName(m.type)},
                   {"code", m.commodity_code},
                   {"geo", m.geo},
                   {"excluded", Strings(m.excluded)},
                   {"validFrom", FormatDate(m.valid_from)},
                   {"validTo", OptionalDate(m.valid_to)},
                   {"legalBase", m.legal_base},
                   {"conditions", Strings(m.conditions)},
                   {"duty", m.duty},
                   {"recordedAt", FormatTimestamp(m.recorded_at)}};
  if (!m.agreement.empty()) out["agreement"] = m.agreement;
  if (!m.additional_code.empty()) out["additionalCode"] = m.additional_code;
  if (!m.quota_order.empty()) out["quotaOrder"] = m.quota_order;
  return out;
}

json::array MeasuresToJson(const std::vector<Measure>& measures) {
  json::array out;
  for (const auto& m : measures) out.push_back(MeasureToJson(m));
  return out;
}

json::array ChangesToJson(const std::vector<MeasureChange>& changes) {
  json::array out;
  for (const auto& c : changes) {
    out.push_back(json::object{{"change", MeasureChangeKindName(c.kind)},
                               {"fileId", c.file_id},
                               {"recordedAt", FormatTimestamp(c.measure.recorded_at)},
                               {"measure", MeasureToJson(c.measure)}});
  }
  return out;
}

json::array SearchHitsToJson(const std::vector<SearchHit>& hits) {
  json::array out;
  for (const auto& h : hits) {
    out.push_back(json::object{{"code", h.code}, {"description", h.description}, {"score", h.score}});
  }
  return out;
}

json::object ImportReportToJson(const ImportReport& r) {
  return {{"fileId", r.file_id},
          {"alreadyImported", r.already_imported},
          {"new", r.new_measures},
          {"modified", r.modified_measures},
          {"ended", r.ended_measures},
          {"unchanged", r.unchanged_measures},
          {"skippedLines", r.skipped_lines},
          {"skippedExamples", Strings(r.skipped_examples)}};
}

json::object QuoteToJson(const DutyQuote& quote, json::storage_ptr sp) {
  json::array items(sp);
  items.reserve(quote.items.size());
  for (const auto& item : quote.items) {
    json::array applied(sp);
    applied.reserve(item.applied.size());
    for (const auto& a : item.applied) {
      json::object entry({{"measureId", a.measure_id},
                          {"type", MeasureTypeName(a.type)},
                          {"code", a.commodity_code},
                          {"geo", a.geo},
                          {"legalBase", a.legal_base},
                          {"duty", a.duty},
                          {"amount", Money(a.amount_minor, quote)},
                          {"collected", a.collected},
                          {"arithmetic", Strings(a.arithmetic, sp)}},
                         sp);
      if (!a.agreement.empty()) entry["agreement"] = a.agreement;
      applied.push_back(std::move(entry));
    }
    items.push_back(json::object({{"sequence", item.sequence},
                                  {"commodityCode", item.commodity_code},
                                  {"origin", item.origin},
                                  {"customsValue", Money(item.customs_value_minor, quote)},
                                  {"valuation", Strings(item.valuation, sp)},
                                  {"applied", std::move(applied)},
                                  {"notes", Strings(item.notes, sp)},
                                  {"missingDocuments", Strings(item.missing_documents, sp)},
                                  {"prohibited", item.prohibited},
                                  {"complete", item.complete},
                                  {"customsDuty", Money(item.customs_duty_minor, quote)},
                                  {"excise", Money(item.excise_minor, quote)},
                                  {"vat", Money(item.vat_minor, quote)}},
                                 sp));
  }
  return json::object({{"date", FormatDate(quote.date)},
                       {"asOf", FormatTimestamp(quote.as_of)},
                       {"currency", quote.currency},
                       {"deMinimisApplied", quote.de_minimis_applied},
                       {"complete", quote.complete},
                       {"notes", Strings(quote.notes, sp)},
                       {"items", std::move(items)},
                       {"totals", {{"customsDuty", Money(quote.customs_duty_minor, quote)},
                                   {"excise", Money(quote.excise_minor, quote)},
                                   {"vat", Money(quote.vat_minor, quote)},
                                   {"total", Money(quote.total_minor, quote)}}}},
                      sp);
}

}  // namespace clearway::tariff
