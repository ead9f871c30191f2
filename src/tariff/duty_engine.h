// File: tariff/duty_engine.h
//
// The duty engine quotes what a declaration owes, goods item by goods item, and explains it:
// the customs value (invoice price plus freight and insurance by incoterm, converted at the
// exchange rate valid on the date), every measure applied with its legal base and arithmetic,
// every measure considered but not applied with the reason (proof of origin not declared,
// quota exhausted...), VAT on customs value plus duties plus excise, and the de minimis rule.
// docs/tariff.md states each rule; the short form:
//
//   customs value  CIF basis: EXW/FCA/FAS/FOB add freight + insurance, CFR/CPT add insurance,
//                  the others add nothing; shares by price, the last item takes the remainder
//   customs duty   the lowest of: the third-country rate (or a suspension), each preference
//                  whose proof of origin (a condition document code) is declared, each tariff
//                  quota with enough balance; plus anti-dumping/countervailing by producer
//                  (the exporter's id as additional code, else the "all others" rate)
//   VAT            the most specific VAT measure x (customs value + duties + excise)
//   de minimis     customs duties are not collected when the consignment's intrinsic value
//                  (sum of item prices) is at most options.de_minimis_minor (a configurable
//                  demo rule after Regulation (EC) No 1186/2009 art. 23: EUR 150); VAT and
//                  excise are still due
//   rounding       each line once to the cent, half away from zero (tariff/duty_expression.h)
//
//   DutyEngine engine(store, clock);
//   CW_ASSIGN_OR_RETURN(DutyQuote quote, engine.Quote(declaration));
//   boost::json::value body = QuoteToJson(quote);          // tariff/tariff_json.h
//
// Thread safety: Quote() may be called from many threads at once (as safe as the store).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "declaration/declaration.h"
#include "tariff/tariff_store.h"

namespace clearway::tariff {

struct DutyEngineOptions {
  std::string currency = "EUR";    // the quote (and tariff) currency
  int64_t de_minimis_minor = 15000;  // EUR 150.00: demo rule, configurable
};

struct QuoteOptions {
  std::optional<Date> date;         // the date the measures are taken at; default: today (UTC)
  std::optional<Timestamp> as_of;   // the tariff as recorded then; default: now
  // draw_quotas records the quota draws of the quote (filing); a plain quote only reads.
  bool draw_quotas = false;
  std::string reference;            // recorded with quota draws (a declaration id)
};

// A measure the engine applied, with its arithmetic.
struct AppliedMeasure {
  std::string measure_id;
  MeasureType type = MeasureType::kThirdCountryDuty;
  std::string commodity_code;
  std::string geo;
  std::string legal_base;
  std::string agreement;
  std::string duty;                  // the expression, canonical text
  int64_t amount_minor = 0;
  bool collected = true;             // false when waived (de minimis)
  std::vector<std::string> arithmetic;
};

struct ItemQuote {
  int sequence = 0;
  std::string commodity_code;
  std::string origin;
  int64_t customs_value_minor = 0;
  std::vector<std::string> valuation;  // the customs value's arithmetic
  std::vector<AppliedMeasure> applied;
  std::vector<std::string> notes;      // measures considered and not applied, and why
  std::vector<std::string> missing_documents;  // restrictions whose document is not declared
  bool prohibited = false;
  bool complete = true;                // false when no third-country duty measure was found
  int64_t customs_duty_minor = 0;      // collected: tariff duty + anti-dumping/countervailing
  int64_t excise_minor = 0;
  int64_t vat_minor = 0;
};

struct DutyQuote {
  Date date = std::chrono::year{2026} / 1 / 1;
  Timestamp as_of{};
  std::string currency;
  std::vector<ItemQuote> items;
  std::vector<std::string> notes;      // consignment-level rules (de minimis, conversion)
  bool de_minimis_applied = false;
  bool complete = true;
  int64_t customs_duty_minor = 0;
  int64_t excise_minor = 0;
  int64_t vat_minor = 0;
  int64_t total_minor = 0;
  int exponent = 2;
  // The tariff quotas the quote counts on: order number -> thousandths of the quota's unit
  // (empty when de minimis applies). DrawQuotas() draws them once the declaration is filed.
  std::map<std::string, int64_t> quota_draws;
};

class DutyEngine {
 public:
  // The store and clock must outlive the engine.
  DutyEngine(TariffStore& store, const Clock& clock, DutyEngineOptions options = {});

  // Quote() quotes an import declaration. Errors: kInvalidArgument "not-an-import";
  // kFailedPrecondition "no-exchange-rate" (no rate of the invoice currency, or of a specific
  // duty's currency, valid on the date), "quantity-unit-required" (field
  // goodsItems[i].quantity.unit: a duty per litre or item and a quantity in another unit);
  // kInvalidArgument "bad-duty-expression" for a stored expression that no longer parses;
  // store errors. A quote with draw_quotas may also fail with "quota-exhausted" when another
  // filing drew the balance first (nothing is drawn then).
  Result<DutyQuote> Quote(const declaration::Declaration& declaration,
                          const QuoteOptions& options = {}) const;

  // DrawQuotas() records the quote's quota draws for `reference` (a declaration id) at `at`.
  // Idempotent per (quota, reference): drawing again for the same declaration draws nothing
  // more, so a retried filing draws once. Errors as TariffStore::DrawQuota(); draws made
  // before an error stay.
  Status DrawQuotas(const DutyQuote& quote, std::string_view reference, Timestamp at) const;

  const DutyEngineOptions& options() const { return options_; }

 private:
  TariffStore& store_;
  const Clock& clock_;
  DutyEngineOptions options_;
};

}  // namespace clearway::tariff
