// File: common/money.h
//
// Money is an amount in integer minor units of an ISO 4217 currency: never a floating point
// number. Decimal text at the edges ("1234.50") converts exactly, or is refused.
//
//   auto m = Money::Parse("1234.50", "EUR");   // Money{123450, "EUR"}
//   m->ToDecimalString();                       // "1234.50"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clearway {

class Money {
 public:
  Money() = default;
  // Money(minor_units, currency) does not validate: use Parse() or FromMinorUnits() at edges.
  Money(int64_t minor_units, std::string currency)
      : minor_units_(minor_units), currency_(std::move(currency)) {}

  // Parse() converts decimal text with at most the currency's number of fraction digits.
  // Errors (kInvalidArgument): "unknown-currency", "bad-amount" (not a plain decimal, too many
  // fraction digits for the currency, or out of range).
  static Result<Money> Parse(std::string_view decimal, std::string_view currency);

  // FromMinorUnits() checks the currency code.
  static Result<Money> FromMinorUnits(int64_t minor_units, std::string_view currency);

  int64_t minor_units() const { return minor_units_; }
  const std::string& currency() const { return currency_; }
  int exponent() const;

  // ToDecimalString() is exact: "1234.50" for EUR, "1234" for JPY, "-0.05" for -5 EUR cents.
  std::string ToDecimalString() const;

  friend bool operator==(const Money&, const Money&) = default;

 private:
  int64_t minor_units_ = 0;
  std::string currency_;
};

// CheckedAdd() adds two amounts of one currency; "currency-mismatch" or "overflow" on failure.
Result<Money> CheckedAdd(const Money& a, const Money& b);

}  // namespace clearway
