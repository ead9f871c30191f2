// File: tariff/duty_expression.h
//
// A duty expression is how a measure says what is owed, in the textual form of the EU TARIC
// and the UK Global Tariff:
//
//   "12.8 %"                                   ad valorem
//   "176.8 EUR / 100 kg"                       specific (per kg, 100 kg, tonne, l, hl, item,
//                                              1000 items)
//   "12.8 % + 176.8 EUR / 100 kg"              compound
//   "12.8 % + 176.8 EUR / 100 kg MAX 18.9 %"   with a maximum (MIN for a minimum; both may
//                                              be specific or ad valorem)
//   "Free"                                     0 %
//
// ParseDutyExpression() turns the text into components; EvaluateDuty() applies them to a
// goods item's customs value, net mass and quantity and explains the arithmetic line by line.
//
// Arithmetic and rounding (stated once, used everywhere): each component is computed exactly
// to 10^-6 of the minor unit of the quote currency (128-bit integers); components are summed,
// the minimum and maximum applied, and the result is rounded once to the minor unit, half away
// from zero. A specific amount in another currency is converted with the exchange rate the
// caller supplies (units of that currency per unit of the quote currency), before rounding.
//
//   auto expr = ParseDutyExpression("12.8 % + 176.8 EUR / 100 kg", "measures[0].duty");
//   DutyBasis basis{.value_minor = 4320000, .currency = "EUR", .exponent = 2,
//                   .net_mass_grams = 4800000};
//   auto duty = EvaluateDuty(*expr, basis, NoConversion);   // 5529.60 + 8486.40 EUR
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "tariff/decimal.h"

namespace clearway::tariff {

// The quantity a specific duty is charged on.
enum class DutyUnit { kKilogram, kLitre, kItem };

// DutyUnitName() gives "kg", "l" or "item".
std::string_view DutyUnitName(DutyUnit unit);

struct DutyComponent {
  enum class Kind { kAdValorem, kSpecific };
  Kind kind = Kind::kAdValorem;
  Decimal rate;           // percent for ad valorem; money per `per` units for specific
  std::string currency;   // specific only, ISO 4217
  Decimal per{kDecimalScale};  // specific only: the amount is for this many units (100 kg)
  DutyUnit unit = DutyUnit::kKilogram;

  // ToString() is the canonical text: "12.8 %", "176.8 EUR / 100 kg", "32 EUR / 100 l".
  std::string ToString() const;
  friend bool operator==(const DutyComponent&, const DutyComponent&) = default;
};

struct DutyExpression {
  std::vector<DutyComponent> components;  // summed
  std::optional<DutyComponent> minimum;
  std::optional<DutyComponent> maximum;

  // ToString() is the canonical text, which parses back to the same expression.
  std::string ToString() const;
  friend bool operator==(const DutyExpression&, const DutyExpression&) = default;
};

// ParseDutyExpression() parses the text above (case-insensitive units and keywords, spaces
// optional around '/' and '%', "1,024.00" thousands separators). Errors, all kInvalidArgument
// with `field` as the field path: "bad-duty-expression" (empty, a missing or malformed number,
// dangling '+', MIN/MAX twice), "unknown-duty-unit" ("GBP / % vol / hl" and other units the
// engine cannot measure), "unknown-currency" (not ISO 4217).
Result<DutyExpression> ParseDutyExpression(std::string_view text, std::string_view field);

// What a duty is charged on: the item's customs value in the quote currency and its measures.
struct DutyBasis {
  int64_t value_minor = 0;       // customs value in minor units of `currency`
  std::string currency;          // the quote currency
  int exponent = 2;              // its minor-unit digits
  int64_t net_mass_grams = 0;    // thousandths of a kg
  std::optional<int64_t> litres_thousandths;  // when the item's quantity is in LTR or HLT
  std::optional<int64_t> items_thousandths;   // when the item's quantity is in NAR, H87, C62
};

// CurrencyRate gives the units of `currency` per unit of the quote currency (1.0842 USD per
// EUR), or an error when none is valid; only called for specific amounts in another currency.
using CurrencyRate = std::function<Result<Decimal>(std::string_view currency)>;

// DutyArithmetic is an evaluated expression: the amount and the lines that explain it.
struct DutyArithmetic {
  int64_t amount_minor = 0;
  std::vector<std::string> lines;
  bool minimum_applied = false;
  bool maximum_applied = false;
};

// EvaluateDuty() applies `expression` to `basis`. Errors: kFailedPrecondition
// "quantity-unit-required" when a specific component is per litre or per item and the item's
// quantity is not in such a unit; errors of `rate` (e.g. "no-exchange-rate"); kInvalidArgument
// "amount-out-of-range" if the result does not fit in 64 bits.
Result<DutyArithmetic> EvaluateDuty(const DutyExpression& expression, const DutyBasis& basis,
                                    const CurrencyRate& rate);

// MultiplyPercent() is value_minor × percent / 100, rounded half away from zero (VAT, shares).
int64_t MultiplyPercent(int64_t value_minor, Decimal percent);

}  // namespace clearway::tariff
