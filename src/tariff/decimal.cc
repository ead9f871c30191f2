#include "tariff/decimal.h"

#include <cstdlib>
#include <limits>

namespace clearway::tariff {

namespace {
constexpr int kFractionDigits = 6;
// Twelve integer digits keep micros inside int64 and every product of a Decimal, a quantity
// and a money amount inside Int128.
constexpr int kMaxIntegerDigits = 12;
}  // namespace

int64_t Pow10(int n) {
  CW_CHECK(n >= 0 && n <= 18);
  int64_t out = 1;
  for (int i = 0; i < n; ++i) out *= 10;
  return out;
}

std::string Decimal::ToString() const {
  bool negative = micros < 0;
  // Work in unsigned to keep INT64_MIN printable.
  uint64_t magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(micros)
                                : static_cast<uint64_t>(micros);
  std::string out = std::to_string(magnitude / kDecimalScale);
  uint64_t fraction = magnitude % kDecimalScale;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, static_cast<size_t>(kFractionDigits) - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return negative ? "-" + out : out;
}

Result<Decimal> ParseDecimal(std::string_view text, std::string_view field) {
  auto bad = [&] {
    return Error::InvalidArgument(std::string(field), "bad-decimal",
                                  "'" + std::string(text) +
                                      "' is not a decimal number with at most 6 fraction digits");
  };
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  int64_t integer = 0;
  int integer_digits = 0;
  size_t digits_since_comma = 0;
  bool saw_comma = false;
  size_t pos = 0;
  for (; pos < rest.size() && rest[pos] != '.'; ++pos) {
    char c = rest[pos];
    if (c == ',') {
      if (integer_digits == 0 || (saw_comma && digits_since_comma != 3)) return bad();
      saw_comma = true;
      digits_since_comma = 0;
      continue;
    }
    if (c < '0' || c > '9') return bad();
    if (++integer_digits > kMaxIntegerDigits) return bad();
    integer = integer * 10 + (c - '0');
    ++digits_since_comma;
  }
  if (integer_digits == 0 || (saw_comma && digits_since_comma != 3)) return bad();
  int64_t fraction = 0;
  int fraction_digits = 0;
  if (pos < rest.size()) {
    ++pos;  // '.'
    if (pos == rest.size()) return bad();
    for (; pos < rest.size(); ++pos) {
      char c = rest[pos];
      if (c < '0' || c > '9' || ++fraction_digits > kFractionDigits) return bad();
      fraction = fraction * 10 + (c - '0');
    }
  }
  int64_t micros = integer * kDecimalScale + fraction * Pow10(kFractionDigits - fraction_digits);
  return Decimal{negative ? -micros : micros};
}

Int128 RoundDiv(Int128 num, Int128 den) {
  CW_CHECK(den != 0);
  bool negative = (num < 0) != (den < 0);
  Int128 n = num < 0 ? -num : num;
  Int128 d = den < 0 ? -den : den;
  Int128 q = (n + d / 2) / d;  // half away from zero
  return negative ? -q : q;
}

std::string FormatMinor(int64_t minor_units, int exponent) {
  bool negative = minor_units < 0;
  uint64_t magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(minor_units)
                                : static_cast<uint64_t>(minor_units);
  if (exponent <= 0) return (negative ? "-" : "") + std::to_string(magnitude);
  uint64_t scale = static_cast<uint64_t>(Pow10(exponent));
  std::string fraction = std::to_string(magnitude % scale);
  fraction.insert(0, static_cast<size_t>(exponent) - fraction.size(), '0');
  return (negative ? "-" : "") + std::to_string(magnitude / scale) + "." + fraction;
}

}  // namespace clearway::tariff
