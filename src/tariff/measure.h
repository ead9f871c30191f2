// File: tariff/measure.h
//
// The tariff's data: nomenclature nodes, legal measures (bitemporal versions), geographic
// groups, tariff quotas and exchange rates, as plain values. A Measure applies to its
// commodity code and every code below it (the hierarchy is the code's digits: a measure on
// "0202" covers "020230" and "0202300010"), to the origins of its geographic scope minus its
// exclusions, on the dates [valid_from, valid_to), as recorded at `recorded_at`.
//
//   Measure m;
//   m.id = "TC-0202"; m.type = MeasureType::kThirdCountryDuty; m.commodity_code = "0202";
//   m.geo = kErgaOmnes; m.duty = "12.8 % + 176.8 EUR / 100 kg";
//   CoversCode(m, "0202300010");                 // true
//   CoversOrigin(m, "AR", {"GSP"});              // true: erga omnes
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "tariff/decimal.h"
#include "tariff/duty_expression.h"

namespace clearway::tariff {

// The geographic area code of "every country" (the TARIC erga omnes area 1011).
inline constexpr std::string_view kErgaOmnes = "1011";

enum class MeasureType {
  kThirdCountryDuty,  // the MFN rate, erga omnes
  kPreference,        // a lower rate under a named agreement, for proven origin
  kSuspension,        // an autonomous suspension replacing the third-country rate
  kTariffQuota,       // a preferential rate within a quota volume
  kAntiDumping,       // an additional duty by producer (additional code)
  kCountervailing,    // an additional duty by producer (additional code)
  kVat,               // import VAT, ad valorem on customs value + duties + excise
  kExcise,            // an excise duty
  kProhibition,       // the goods may not be imported
  kRestriction,       // import needs a licence or certificate (a document code)
};

// MeasureTypeName() gives "third-country-duty", "preference", "suspension", "tariff-quota",
// "anti-dumping", "countervailing", "vat", "excise", "prohibition" or "restriction".
std::string_view MeasureTypeName(MeasureType type);

// ParseMeasureType() reads those names; kInvalidArgument "unknown-measure-type" otherwise.
Result<MeasureType> ParseMeasureType(std::string_view name, std::string_view field);

// IsDutyType() is true for the types whose duty expression is required.
bool IsDutyType(MeasureType type);

struct Measure {
  std::string id;                      // stable across the measure's versions
  MeasureType type = MeasureType::kThirdCountryDuty;
  std::string commodity_code;          // 0..10 digits; "" covers every code (VAT)
  std::string geo;                     // "1011", a country "AR" or a group "GSP"
  std::vector<std::string> excluded;   // countries excluded from `geo`
  Date valid_from = std::chrono::year{2000} / 1 / 1;
  std::optional<Date> valid_to;        // exclusive; none = open-ended
  std::string legal_base;              // e.g. "Regulation (EEC) No 2658/87"
  std::vector<std::string> conditions; // document codes; any one declared satisfies
  std::string duty;                    // duty expression text; "" for prohibition/restriction
  std::string agreement;               // preference/quota: the agreement or scheme
  std::string additional_code;         // anti-dumping/countervailing: the producer, "" = others
  std::string quota_order;             // tariff quota: its order number
  Timestamp recorded_at{};             // transaction time of this version

  friend bool operator==(const Measure&, const Measure&) = default;
};

// SameContent() compares everything but recorded_at (an update that repeats a version
// changes nothing).
bool SameContent(const Measure& a, const Measure& b);

// CoversCode() is true when the measure's code is a prefix of `code`.
bool CoversCode(const Measure& measure, std::string_view code);

// CoversOrigin() is true when `origin` is in the measure's area (erga omnes, the country,
// or a group in `groups_of_origin`) and not excluded.
bool CoversOrigin(const Measure& measure, std::string_view origin,
                  const std::set<std::string>& groups_of_origin);

// ValidOn() is true when valid_from <= date < valid_to.
bool ValidOn(const Measure& measure, Date date);

// A node of the nomenclature: HS chapter (2 digits), heading (4), subheading (6) or national
// line (8 or 10 digits).
struct NomenclatureNode {
  std::string code;
  std::string parent;       // "" for a chapter
  std::string description;
  Date valid_from = std::chrono::year{2022} / 1 / 1;
  std::optional<Date> valid_to;
  friend bool operator==(const NomenclatureNode&, const NomenclatureNode&) = default;
};

// A named set of countries (EU, GSP beneficiaries...). Each recording replaces the last.
struct GeoGroup {
  std::string code;
  std::vector<std::string> members;
};

// A tariff quota's volume, in thousandths of its unit (kg, l or items).
struct Quota {
  std::string order_number;
  int64_t volume_thousandths = 0;
  DutyUnit unit = DutyUnit::kKilogram;
};

// How many units of `currency` one unit of the quote currency buys, valid [from, to).
struct ExchangeRate {
  std::string currency;
  Decimal per_unit;
  Date valid_from = std::chrono::year{2000} / 1 / 1;
  std::optional<Date> valid_to;
};

// One row of the change log: a measure version recorded by an update.
struct MeasureChange {
  enum class Kind { kNew, kModified, kEnded };
  Kind kind = Kind::kNew;
  std::string file_id;
  Measure measure;  // the version recorded (its recorded_at is the change's time)
};

// MeasureChangeKindName() gives "new", "modified" or "ended".
std::string_view MeasureChangeKindName(MeasureChange::Kind kind);

}  // namespace clearway::tariff
