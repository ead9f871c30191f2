#include "tariff/lookup.h"

#include <algorithm>

#include "common/iso_codes.h"

namespace clearway::tariff {

Result<std::vector<Measure>> FindMeasures(TariffStore& store, const MeasureQuery& query) {
  if (query.code.empty() || !IsCommodityCodePrefix(query.code)) {
    return Error::InvalidArgument("code", "bad-commodity-code",
                                  "give 2, 4, 6, 8 or 10 digits of the commodity code, no dots");
  }
  if (!IsCountryCode(query.origin)) {
    return Error::InvalidArgument("origin", "unknown-country",
                                  "give the origin as an ISO 3166-1 alpha-2 code such as AR");
  }
  CW_ASSIGN_OR_RETURN(auto candidates, store.MeasuresFor(query.code, query.date, query.as_of));
  CW_ASSIGN_OR_RETURN(auto groups, store.GroupsOf(query.origin, query.as_of));
  std::vector<Measure> out;
  for (auto& measure : candidates) {
    if (CoversCode(measure, query.code) && ValidOn(measure, query.date) &&
        CoversOrigin(measure, query.origin, groups)) {
      out.push_back(std::move(measure));
    }
  }
  std::sort(out.begin(), out.end(), [](const Measure& a, const Measure& b) {
    if (a.type != b.type) return a.type < b.type;
    if (a.commodity_code.size() != b.commodity_code.size()) {
      return a.commodity_code.size() > b.commodity_code.size();
    }
    return a.id < b.id;
  });
  return out;
}

}  // namespace clearway::tariff
