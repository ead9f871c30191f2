// File: common/iso_codes.h
//
// Reference code lists used at the edges: ISO 3166-1 alpha-2 country codes and ISO 4217
// currency codes with their minor-unit exponents. Lookups are case-sensitive (codes are
// upper case) and thread-safe (the tables are immutable).
//
//   IsCountryCode("DE");          // true
//   CurrencyExponent("JPY");      // 0
#pragma once

#include <optional>
#include <string_view>

namespace clearway {

// IsCountryCode() is true for an officially assigned ISO 3166-1 alpha-2 code.
bool IsCountryCode(std::string_view code);

// IsCurrencyCode() is true for an active ISO 4217 alphabetic currency code.
bool IsCurrencyCode(std::string_view code);

// CurrencyExponent() gives the number of minor-unit digits of an ISO 4217 currency
// (2 for EUR, 0 for JPY, 3 for KWD), or nullopt for an unknown code.
std::optional<int> CurrencyExponent(std::string_view code);

}  // namespace clearway
