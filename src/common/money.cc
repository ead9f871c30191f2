#include "common/money.h"

#include <limits>

#include "common/iso_codes.h"

namespace clearway {

namespace {
Error BadAmount(std::string_view text, std::string why) {
  return Error::InvalidArgument("", "bad-amount",
                                "'" + std::string(text.substr(0, 32)) + "' is not a valid amount: " +
                                    why);
}
}  // namespace

Result<Money> Money::FromMinorUnits(int64_t minor_units, std::string_view currency) {
  if (!IsCurrencyCode(currency)) {
    return Error::InvalidArgument("", "unknown-currency",
                                  "'" + std::string(currency.substr(0, 8)) +
                                      "' is not an ISO 4217 currency code");
  }
  return Money(minor_units, std::string(currency));
}

Result<Money> Money::Parse(std::string_view text, std::string_view currency) {
  auto exponent = CurrencyExponent(currency);
  if (!exponent) return FromMinorUnits(0, currency).error();
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && digits.front() == '-') {
    negative = true;
    digits.remove_prefix(1);
  }
  if (digits.empty()) return BadAmount(text, "empty");
  auto dot = digits.find('.');
  std::string_view whole = digits.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) {
    return BadAmount(text, "expected digits, a point and digits, such as 1234.50");
  }
  if (frac.size() > static_cast<size_t>(*exponent)) {
    return BadAmount(text, std::string(currency) + " has " + std::to_string(*exponent) +
                               " decimal places");
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 10;
  int64_t value = 0;
  auto push = [&](char c) {
    if (c < '0' || c > '9' || value > kMax) return false;
    value = value * 10 + (c - '0');
    return true;
  };
  for (char c : whole) {
    if (!push(c)) return BadAmount(text, "not a number or too large");
  }
  for (size_t i = 0; i < static_cast<size_t>(*exponent); ++i) {
    if (!push(i < frac.size() ? frac[i] : '0')) return BadAmount(text, "not a number or too large");
  }
  return Money(negative ? -value : value, std::string(currency));
}

int Money::exponent() const { return CurrencyExponent(currency_).value_or(2); }

std::string Money::ToDecimalString() const {
  int exp = exponent();
  uint64_t magnitude = minor_units_ < 0 ? static_cast<uint64_t>(-(minor_units_ + 1)) + 1
                                        : static_cast<uint64_t>(minor_units_);
  std::string digits = std::to_string(magnitude);
  if (exp > 0) {
    auto width = static_cast<size_t>(exp);
    if (digits.size() <= width) digits.insert(0, width + 1 - digits.size(), '0');
    digits.insert(digits.size() - width, ".");
  }
  return minor_units_ < 0 ? "-" + digits : digits;
}

Result<Money> CheckedAdd(const Money& a, const Money& b) {
  if (a.currency() != b.currency()) {
    return Error::InvalidArgument("", "currency-mismatch",
                                  "cannot add " + a.currency() + " and " + b.currency());
  }
  int64_t sum = 0;
  if (__builtin_add_overflow(a.minor_units(), b.minor_units(), &sum)) {
    return Error::InvalidArgument("", "overflow", "amount out of range");
  }
  return Money(sum, a.currency());
}

}  // namespace clearway
