#include "tariff/measure.h"

#include <algorithm>
#include <array>
#include <utility>

namespace clearway::tariff {

namespace {
constexpr std::array<std::pair<MeasureType, std::string_view>, 10> kTypeNames = {{
    {MeasureType::kThirdCountryDuty, "third-country-duty"},
    {MeasureType::kPreference, "preference"},
    {MeasureType::kSuspension, "suspension"},
    {MeasureType::kTariffQuota, "tariff-quota"},
    {MeasureType::kAntiDumping, "anti-dumping"},
    {MeasureType::kCountervailing, "countervailing"},
    {MeasureType::kVat, "vat"},
    {MeasureType::kExcise, "excise"},
    {MeasureType::kProhibition, "prohibition"},
    {MeasureType::kRestriction, "restriction"},
}};
}  // namespace

std::string_view MeasureTypeName(MeasureType type) {
  for (const auto& [value, name] : kTypeNames) {
    if (value == type) return name;
  }
  return "third-country-duty";
}

Result<MeasureType> ParseMeasureType(std::string_view name, std::string_view field) {
  for (const auto& [value, known] : kTypeNames) {
    if (known == name) return value;
  }
  return Error::InvalidArgument(std::string(field), "unknown-measure-type",
                                "'" + std::string(name) + "' is not a measure type");
}

bool IsDutyType(MeasureType type) {
  return type != MeasureType::kProhibition && type != MeasureType::kRestriction;
}

bool SameContent(const Measure& a, const Measure& b) {
  Measure left = a;
  left.recorded_at = b.recorded_at;
  return left == b;
}

bool CoversCode(const Measure& measure, std::string_view code) {
  return code.substr(0, measure.commodity_code.size()) == measure.commodity_code;
}

bool CoversOrigin(const Measure& measure, std::string_view origin,
                  const std::set<std::string>& groups_of_origin) {
  if (std::find(measure.excluded.begin(), measure.excluded.end(), origin) !=
      measure.excluded.end()) {
    return false;
  }
  return measure.geo == kErgaOmnes || measure.geo == origin ||
         groups_of_origin.count(measure.geo) > 0;
}

bool ValidOn(const Measure& measure, Date date) {
  return measure.valid_from <= date && (!measure.valid_to || date < *measure.valid_to);
}

std::string_view MeasureChangeKindName(MeasureChange::Kind kind) {
  switch (kind) {
    case MeasureChange::Kind::kNew:
      return "new";
    case MeasureChange::Kind::kModified:
      return "modified";
    case MeasureChange::Kind::kEnded:
      return "ended";
  }
  return "new";
}

}  // namespace clearway::tariff
