#include "tariff/duty_engine.h"

#include <algorithm>
#include <map>

#include "common/iso_codes.h"
#include "tariff/internal/valuation.h"
#include "tariff/lookup.h"

namespace clearway::tariff {

namespace {

namespace decl = clearway::declaration;

// Everything one quote shares across its items.
struct Context {
  TariffStore& store;
  Date date;
  Timestamp as_of;
  std::string currency;
  int exponent = 2;
  CurrencyRate rate;
  std::string producer;                      // the exporter's id: the additional code
  std::map<std::string, int64_t> quota_use;  // thousandths taken by earlier items
};

// Per item, what VAT is computed from once the consignment's de minimis is known.
struct Pending {
  std::optional<Measure> vat;
  DutyBasis basis;
};

std::string Fmt(int64_t minor, const Context& ctx) {
  return FormatMinor(minor, ctx.exponent) + " " + ctx.currency;
}

bool ConditionsMet(const Measure& m, const decl::GoodsItem& item) {
  if (m.conditions.empty()) return true;
  for (const auto& document : item.documents) {
    if (std::find(m.conditions.begin(), m.conditions.end(), document.code) != m.conditions.end()) {
      return true;
    }
  }
  return false;
}

std::string Joined(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& code : codes) out += (out.empty() ? "" : " or ") + code;
  return out;
}

DutyBasis BasisOf(const decl::GoodsItem& item, int64_t value, const Context& ctx) {
  DutyBasis basis;
  basis.value_minor = value;
  basis.currency = ctx.currency;
  basis.exponent = ctx.exponent;
  basis.net_mass_grams = item.net_mass_grams;
  const std::string& unit = item.quantity.unit;
  if (unit == "LTR") basis.litres_thousandths = item.quantity.thousandths;
  if (unit == "HLT") basis.litres_thousandths = item.quantity.thousandths * 100;
  if (unit == "NAR" || unit == "H87" || unit == "C62" || unit == "PCE") {
    basis.items_thousandths = item.quantity.thousandths;
  }
  return basis;
}

Result<DutyArithmetic> Evaluate(const Measure& m, const DutyBasis& basis, const Context& ctx,
                                size_t index) {
  CW_ASSIGN_OR_RETURN(DutyExpression expression, ParseDutyExpression(m.duty, "measure " + m.id));
  auto out = EvaluateDuty(expression, basis, ctx.rate);
  if (!out.ok() && out.error().reason == "quantity-unit-required") {
    Error error = out.error();
    error.field_path = "goodsItems[" + std::to_string(index) + "].quantity.unit";
    return error;
  }
  return out;
}

AppliedMeasure Applied(const Measure& m, DutyArithmetic arithmetic, const Context& ctx) {
  AppliedMeasure out;
  out.measure_id = m.id;
  out.type = m.type;
  out.commodity_code = m.commodity_code;
  out.geo = m.geo;
  out.legal_base = m.legal_base;
  out.agreement = m.agreement;
  out.duty = m.duty;
  out.amount_minor = arithmetic.amount_minor;
  out.arithmetic = std::move(arithmetic.lines);
  out.arithmetic.push_back("= " + Fmt(out.amount_minor, ctx) +
                           " (rounded once to the minor unit, half away from zero)");
  return out;
}

std::optional<int64_t> QuotaQuantity(DutyUnit unit, const DutyBasis& basis) {
  switch (unit) {
    case DutyUnit::kKilogram:
      return basis.net_mass_grams;
    case DutyUnit::kLitre:
      return basis.litres_thousandths;
    case DutyUnit::kItem:
      return basis.items_thousandths;
  }
  return std::nullopt;
}

struct Candidate {
  const Measure* measure = nullptr;
  DutyArithmetic arithmetic;
  int64_t quota_take = 0;
};

// The tariff duty: the lowest of the third-country rate, suspensions, proven preferences and
// quotas with balance. Appends notes on what was considered and not applied.
Status TariffDuty(const std::vector<Measure>& measures, const decl::GoodsItem& item,
                  const DutyBasis& basis, size_t index, Context& ctx, ItemQuote& out) {
  std::vector<Candidate> candidates;
  bool have_base = false;
  for (const Measure& m : measures) {
    bool base = m.type == MeasureType::kThirdCountryDuty;
    if (base && have_base) continue;  // only the most specific third-country measure
    if (!base && m.type != MeasureType::kSuspension && m.type != MeasureType::kPreference &&
        m.type != MeasureType::kTariffQuota) {
      continue;
    }
    if (!ConditionsMet(m, item)) {
      out.notes.push_back(std::string(MeasureTypeName(m.type)) + " " + m.id +
                          (m.agreement.empty() ? "" : " (" + m.agreement + ")") +
                          " not applied: proof " + Joined(m.conditions) + " not declared");
      continue;
    }
    Candidate c{&m, {}, 0};
    if (m.type == MeasureType::kTariffQuota) {
      CW_ASSIGN_OR_RETURN(auto state, ctx.store.QuotaOf(m.quota_order, ctx.as_of));
      if (!state) {
        out.notes.push_back("tariff quota " + m.id + " not applied: quota " + m.quota_order +
                            " is not defined");
        continue;
      }
      auto needed = QuotaQuantity(state->quota.unit, basis);
      int64_t left = state->quota.volume_thousandths - state->drawn_thousandths -
                     ctx.quota_use[m.quota_order];
      if (!needed || *needed > left) {
        out.notes.push_back("tariff quota " + m.id + " (order " + m.quota_order +
                            ") not applied: quota exhausted, " + FormatMinor(std::max<int64_t>(left, 0), 3) +
                            " " + std::string(DutyUnitName(state->quota.unit)) + " left, " +
                            (needed ? FormatMinor(*needed, 3) : std::string("an unmeasured quantity")) +
                            " needed; the third-country rate applies");
        continue;
      }
      c.quota_take = *needed;
    }
    CW_ASSIGN_OR_RETURN(c.arithmetic, Evaluate(m, basis, ctx, index));
    have_base = have_base || base;
    candidates.push_back(std::move(c));
  }
  if (!have_base) {
    out.complete = false;
    out.notes.push_back("no third-country duty measure covers " + item.commodity_code +
                        " on this date: the customs duty is not computed");
  }
  if (candidates.empty()) return OkStatus();
  // Lowest amount wins; on a tie the earlier (third-country before preference) is kept.
  auto best = std::min_element(candidates.begin(), candidates.end(),
                               [](const Candidate& a, const Candidate& b) {
                                 return a.arithmetic.amount_minor < b.arithmetic.amount_minor;
                               });
  for (const auto& c : candidates) {
    if (&c == &*best) continue;
    out.notes.push_back(std::string(MeasureTypeName(c.measure->type)) + " " + c.measure->id +
                        " (" + c.measure->duty + ") would be " +
                        Fmt(c.arithmetic.amount_minor, ctx) + ": not the lowest");
  }
  if (best->quota_take > 0) ctx.quota_use[best->measure->quota_order] += best->quota_take;
  AppliedMeasure applied = Applied(*best->measure, best->arithmetic, ctx);
  if (best->quota_take > 0) {
    applied.arithmetic.push_back("uses " + FormatMinor(best->quota_take, 3) + " of quota " +
                                 best->measure->quota_order + " (drawn when filed)");
  }
  out.applied.push_back(std::move(applied));
  return OkStatus();
}

// Anti-dumping and countervailing duties: the producer's own rate, else the "all others" one.
Status TradeRemedies(const std::vector<Measure>& measures, const DutyBasis& basis, size_t index,
                     const Context& ctx, ItemQuote& out) {
  for (MeasureType type : {MeasureType::kAntiDumping, MeasureType::kCountervailing}) {
    const Measure* own = nullptr;
    const Measure* others = nullptr;
    for (const Measure& m : measures) {
      if (m.type != type) continue;
      if (!ctx.producer.empty() && m.additional_code == ctx.producer && own == nullptr) own = &m;
      if (m.additional_code.empty() && others == nullptr) others = &m;
    }
    const Measure* chosen = own != nullptr ? own : others;
    if (chosen == nullptr) continue;
    CW_ASSIGN_OR_RETURN(DutyArithmetic arithmetic, Evaluate(*chosen, basis, ctx, index));
    AppliedMeasure applied = Applied(*chosen, std::move(arithmetic), ctx);
    applied.arithmetic.insert(applied.arithmetic.begin(),
                              own != nullptr ? "producer " + ctx.producer + "'s own rate"
                                             : "rate for all other producers");
    out.applied.push_back(std::move(applied));
  }
  return OkStatus();
}

bool IsCustomsDuty(MeasureType type) {
  return type == MeasureType::kThirdCountryDuty || type == MeasureType::kPreference ||
         type == MeasureType::kSuspension || type == MeasureType::kTariffQuota ||
         type == MeasureType::kAntiDumping || type == MeasureType::kCountervailing;
}

Result<ItemQuote> QuoteItem(const decl::GoodsItem& item, const internal::ItemValue& value,
                            size_t index, Context& ctx, Pending& pending) {
  ItemQuote out;
  out.sequence = item.sequence;
  out.commodity_code = item.commodity_code;
  out.origin = item.origin;
  out.customs_value_minor = value.customs_value_minor;
  out.valuation = value.lines;
  MeasureQuery query{item.commodity_code, item.origin, ctx.date, ctx.as_of};
  CW_ASSIGN_OR_RETURN(std::vector<Measure> measures, FindMeasures(ctx.store, query));
  DutyBasis basis = BasisOf(item, value.customs_value_minor, ctx);
  for (const Measure& m : measures) {
    if (m.type == MeasureType::kProhibition) {
      out.prohibited = true;
      AppliedMeasure applied = Applied(m, {}, ctx);
      applied.arithmetic = {"import prohibited"};
      out.applied.push_back(std::move(applied));
    } else if (m.type == MeasureType::kRestriction) {
      AppliedMeasure applied = Applied(m, {}, ctx);
      bool met = ConditionsMet(m, item);
      applied.arithmetic = {met ? "document " + Joined(m.conditions) + " declared"
                                : "document " + Joined(m.conditions) + " required, not declared"};
      if (!met) out.missing_documents.insert(out.missing_documents.end(), m.conditions.begin(), m.conditions.end());
      out.applied.push_back(std::move(applied));
    }
  }
  if (out.prohibited) {
    out.notes.push_back("the goods are prohibited: no duty is computed");
    return out;
  }
  CW_RETURN_IF_ERROR(TariffDuty(measures, item, basis, index, ctx, out));
  CW_RETURN_IF_ERROR(TradeRemedies(measures, basis, index, ctx, out));
  for (const Measure& m : measures) {
    if (m.type == MeasureType::kExcise) {  // the most specific excise measure
      CW_ASSIGN_OR_RETURN(DutyArithmetic arithmetic, Evaluate(m, basis, ctx, index));
      out.applied.push_back(Applied(m, std::move(arithmetic), ctx));
      break;
    }
  }
  for (const Measure& m : measures) {
    if (m.type == MeasureType::kVat) {
      pending.vat = m;
      break;
    }
  }
  pending.basis = basis;
  return out;
}

Status ApplyVat(const Pending& pending, size_t index, const Context& ctx, ItemQuote& item) {
  if (!pending.vat) {
    item.notes.push_back("no VAT measure covers " + item.commodity_code);
    return OkStatus();
  }
  DutyBasis basis = pending.basis;
  basis.value_minor = item.customs_value_minor + item.customs_duty_minor + item.excise_minor;
  CW_ASSIGN_OR_RETURN(DutyArithmetic arithmetic, Evaluate(*pending.vat, basis, ctx, index));
  AppliedMeasure applied = Applied(*pending.vat, std::move(arithmetic), ctx);
  applied.arithmetic.insert(applied.arithmetic.begin(),
                            "VAT basis = customs value " + Fmt(item.customs_value_minor, ctx) +
                                " + duties " + Fmt(item.customs_duty_minor, ctx) + " + excise " +
                                Fmt(item.excise_minor, ctx) + " = " + Fmt(basis.value_minor, ctx));
  item.vat_minor = applied.amount_minor;
  item.applied.push_back(std::move(applied));
  return OkStatus();
}

}  // namespace

DutyEngine::DutyEngine(TariffStore& store, const Clock& clock, DutyEngineOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

Result<DutyQuote> DutyEngine::Quote(const decl::Declaration& declaration,
                                    const QuoteOptions& options) const {
  if (declaration.type != decl::DeclarationType::kImport) {
    return Error::InvalidArgument("type", "not-an-import", "duties are quoted for imports only");
  }
  Timestamp now = clock_.Now();
  DutyQuote quote;
  quote.date = options.date.value_or(DateOf(now));
  quote.as_of = options.as_of.value_or(now);
  quote.currency = options_.currency;
  quote.exponent = CurrencyExponent(options_.currency).value_or(2);
  // One revision for the whole quote: a cache asks it here once, not per look-up.
  std::unique_ptr<TariffStore::ReadScope> reads = store_.BeginReads();
  Context ctx{store_, quote.date, quote.as_of, quote.currency, quote.exponent, {}, {}, {}};
  ctx.rate = [this, &quote](std::string_view currency) -> Result<Decimal> {
    auto rate = store_.RateOn(currency, quote.date, quote.as_of);
    if (!rate.ok()) return rate.error();
    if (!*rate) {
      return Error::FailedPrecondition("no-exchange-rate",
                                       "no " + std::string(currency) + " exchange rate is valid on " +
                                           FormatDate(quote.date));
    }
    return (*rate)->per_unit;
  };
  if (declaration.exporter) ctx.producer = declaration.exporter->id;
  CW_ASSIGN_OR_RETURN(auto values, internal::ValueItems(declaration, quote.currency, quote.exponent,
                                                        ctx.rate, quote.notes));
  std::vector<Pending> pending(declaration.goods_items.size());
  int64_t intrinsic = 0;
  for (size_t i = 0; i < declaration.goods_items.size(); ++i) {
    CW_ASSIGN_OR_RETURN(ItemQuote item,
                        QuoteItem(declaration.goods_items[i], values[i], i, ctx, pending[i]));
    intrinsic += values[i].intrinsic_value_minor;
    quote.items.push_back(std::move(item));
  }
  quote.de_minimis_applied = intrinsic <= options_.de_minimis_minor;
  if (quote.de_minimis_applied) {
    quote.notes.push_back("de minimis: intrinsic value " + Fmt(intrinsic, ctx) + " <= " +
                          Fmt(options_.de_minimis_minor, ctx) +
                          ": customs duties are not collected (VAT and excise are)");
  }
  for (size_t i = 0; i < quote.items.size(); ++i) {
    ItemQuote& item = quote.items[i];
    for (AppliedMeasure& applied : item.applied) {
      if (IsCustomsDuty(applied.type)) {
        applied.collected = !quote.de_minimis_applied;
        if (applied.collected) item.customs_duty_minor += applied.amount_minor;
        else applied.arithmetic.push_back("not collected (de minimis)");
      } else if (applied.type == MeasureType::kExcise) {
        item.excise_minor += applied.amount_minor;
      }
    }
    if (!item.prohibited) CW_RETURN_IF_ERROR(ApplyVat(pending[i], i, ctx, item));
    quote.complete = quote.complete && item.complete;
    quote.customs_duty_minor += item.customs_duty_minor;
    quote.excise_minor += item.excise_minor;
    quote.vat_minor += item.vat_minor;
  }
  quote.total_minor = quote.customs_duty_minor + quote.excise_minor + quote.vat_minor;
  if (!quote.de_minimis_applied) quote.quota_draws = ctx.quota_use;
  if (options.draw_quotas) CW_RETURN_IF_ERROR(DrawQuotas(quote, options.reference, now));
  return quote;
}

Status DutyEngine::DrawQuotas(const DutyQuote& quote, std::string_view reference,
                              Timestamp at) const {
  for (const auto& [order, thousandths] : quote.quota_draws) {
    CW_RETURN_IF_ERROR(store_.DrawQuota(order, thousandths, reference, at));
  }
  return OkStatus();
}

}  // namespace clearway::tariff
