#include "tariff/internal/valuation.h"

#include "common/iso_codes.h"

namespace clearway::tariff::internal {

namespace {

enum class Addition { kNone, kInsurance, kFreightAndInsurance };

// What the incoterm leaves out of the invoice price, up to the place of entry.
Addition AdditionFor(const std::string& incoterm) {
  if (incoterm == "EXW" || incoterm == "FCA" || incoterm == "FAS" || incoterm == "FOB") {
    return Addition::kFreightAndInsurance;
  }
  if (incoterm == "CFR" || incoterm == "CPT") return Addition::kInsurance;
  // CIF, CIP include both; D-terms include carriage beyond the border, which the declaration
  // does not split out, so nothing is added or deducted (docs/tariff.md).
  return Addition::kNone;
}

// Share() is amount x part / whole, rounded down; the last item takes what is left.
int64_t Share(int64_t amount, int64_t part, int64_t whole) {
  if (whole <= 0) return 0;
  return static_cast<int64_t>(static_cast<Int128>(amount) * part / whole);
}

std::string Fmt(int64_t minor, int exponent, const std::string& currency) {
  return FormatMinor(minor, exponent) + " " + currency;
}

}  // namespace

Result<std::vector<ItemValue>> ValueItems(const declaration::Declaration& declaration,
                                          const std::string& quote_currency, int quote_exponent,
                                          const CurrencyRate& rate, std::vector<std::string>& notes) {
  const auto& invoice = declaration.invoice;
  const std::string& currency = invoice.currency;
  int exponent = CurrencyExponent(currency).value_or(2);
  Addition addition = AdditionFor(invoice.incoterm);
  int64_t freight = 0;
  int64_t insurance = 0;
  if (addition == Addition::kFreightAndInsurance) {
    if (invoice.freight) freight = invoice.freight->minor_units();
    else notes.push_back("incoterm " + invoice.incoterm + ": freight to the border is part of the "
                         "customs value but none was declared; the value may be understated");
  }
  if (addition != Addition::kNone) {
    if (invoice.insurance) insurance = invoice.insurance->minor_units();
    else notes.push_back("incoterm " + invoice.incoterm + ": insurance to the border is part of "
                         "the customs value but none was declared");
  }
  std::optional<Decimal> per_quote;
  if (currency != quote_currency) {
    CW_ASSIGN_OR_RETURN(Decimal found, rate(currency));
    per_quote = found;
  }
  auto convert = [&](int64_t minor) -> int64_t {
    if (!per_quote) return minor;
    // minor / 10^e x 10^qe / rate, rate in millionths.
    return static_cast<int64_t>(RoundDiv(static_cast<Int128>(minor) * Pow10(quote_exponent) *
                                             kDecimalScale,
                                         static_cast<Int128>(Pow10(exponent)) * per_quote->micros));
  };
  const auto& items = declaration.goods_items;
  int64_t total = invoice.total.minor_units();
  int64_t freight_left = freight;
  int64_t insurance_left = insurance;
  std::vector<ItemValue> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    bool last = i + 1 == items.size();
    int64_t price = item.price.minor_units();
    int64_t freight_share = last ? freight_left : Share(freight, price, total);
    int64_t insurance_share = last ? insurance_left : Share(insurance, price, total);
    freight_left -= freight_share;
    insurance_left -= insurance_share;
    int64_t value = price + freight_share + insurance_share;
    ItemValue v;
    v.lines.push_back("invoice price " + Fmt(price, exponent, currency) + " (" + invoice.incoterm +
                      ")");
    if (addition == Addition::kFreightAndInsurance) {
      v.lines.push_back("+ freight share " + Fmt(freight_share, exponent, currency) +
                        " (by price, of " + Fmt(freight, exponent, currency) + ")");
    }
    if (addition != Addition::kNone) {
      v.lines.push_back("+ insurance share " + Fmt(insurance_share, exponent, currency) +
                        " (by price, of " + Fmt(insurance, exponent, currency) + ")");
    }
    v.customs_value_minor = convert(value);
    v.intrinsic_value_minor = convert(price);
    if (per_quote) {
      v.lines.push_back("= " + Fmt(value, exponent, currency) + " / " + per_quote->ToString() +
                        " " + currency + " per " + quote_currency + " = " +
                        Fmt(v.customs_value_minor, quote_exponent, quote_currency) +
                        " customs value");
    } else {
      v.lines.push_back("= " + Fmt(value, exponent, currency) + " customs value");
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace clearway::tariff::internal
