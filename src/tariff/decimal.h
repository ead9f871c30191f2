// File: tariff/decimal.h
//
// Decimal is an exact fixed-point number with six fraction digits, held as an integer count of
// millionths. The tariff uses it for rates ("12.8" %), specific amounts ("176.8" EUR per
// 100 kg) and exchange rates ("1.0842" USD per EUR): never a double. Products and quotients
// go through 128-bit integers and are rounded once, half away from zero (RoundDiv()).
//
//   auto rate = ParseDecimal("12.8", "duty");   // Decimal{12'800'000}
//   rate->ToString();                            // "12.8"
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clearway::tariff {

inline constexpr int64_t kDecimalScale = 1'000'000;

// Int128 is the compiler's 128-bit integer (GCC and Clang), for exact intermediate products.
__extension__ typedef __int128 Int128;

struct Decimal {
  int64_t micros = 0;  // the value times 10^6

  // ToString() is the shortest exact form: "12.8", "0", "-0.000001", "1024".
  std::string ToString() const;
  friend auto operator<=>(const Decimal&, const Decimal&) = default;
};

// ParseDecimal() reads "12.8", "0.5", "1,024.00" (a comma is accepted only as a thousands
// separator followed by exactly three digits) or "-3". At most six fraction digits.
// Error kInvalidArgument "bad-decimal" with `field` as the field path.
Result<Decimal> ParseDecimal(std::string_view text, std::string_view field);

// RoundDiv() is num / den rounded half away from zero; den must not be zero (CW_CHECK).
Int128 RoundDiv(Int128 num, Int128 den);

// FormatMinor() writes an amount in minor units with `exponent` fraction digits:
// FormatMinor(123450, 2) == "1234.50", FormatMinor(-5, 2) == "-0.05".
std::string FormatMinor(int64_t minor_units, int exponent);

// Pow10() is 10^n for 0 <= n <= 18.
int64_t Pow10(int n);

}  // namespace clearway::tariff
