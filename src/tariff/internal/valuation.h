// File: tariff/internal/valuation.h
//
// The customs value of each goods item (the CIF basis of the EU, Union Customs Code art. 70-71):
// the invoice price plus the freight and insurance to the border that the incoterm leaves out,
// shared among items by price, converted to the quote currency.
#pragma once

#include <string>
#include <vector>

#include "declaration/declaration.h"
#include "tariff/duty_expression.h"

namespace clearway::tariff::internal {

struct ItemValue {
  int64_t customs_value_minor = 0;   // quote currency
  int64_t intrinsic_value_minor = 0; // the price alone, quote currency (de minimis)
  std::vector<std::string> lines;
};

// ValueItems() values every goods item. `rate` gives units of the invoice currency per unit of
// the quote currency (not called when they are the same). Consignment-level remarks (freight
// expected but not declared) are appended to `notes`. Errors of `rate`.
Result<std::vector<ItemValue>> ValueItems(const declaration::Declaration& declaration,
                                          const std::string& quote_currency, int quote_exponent,
                                          const CurrencyRate& rate, std::vector<std::string>& notes);

}  // namespace clearway::tariff::internal
