// File: declaration/declaration.h
//
// The customs declaration: a subset of the WCO Data Model (declaration type, procedure, office,
// parties, transport, invoice and goods items), its camelCase JSON form, strict validation that
// reports every problem at once, and the lifecycle state machine (declaration/lifecycle.h,
// included here). The JSON form is described field by field in docs/declaration.md; the
// canonical sample is docs/example-declaration.json (ExampleDeclarationJson()).
//
//   auto json = ParseJson(body);                       // common/json.h
//   auto decl = ParseDeclaration(*json, clock.Now());
//   if (!decl.ok()) return decl.error();               // reason "validation-failed", details:
//                                                      //   goodsItems[2].origin: unknown-country
//   HsChapters(*decl);                                 // "02,16"
//   ToJson(*decl);                                     // the same shape back
//
// Money is integer minor units (common/money.h) in the invoice currency; masses are integer
// grams; quantities integer thousandths of their unit. No double anywhere.
//
// Thread safety: all functions are pure; the types are plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/money.h"
#include "common/result.h"
#include "common/time.h"
#include "declaration/lifecycle.h"        // IWYU pragma: export
#include "declaration/reference_codes.h"  // IWYU pragma: export

namespace clearway::declaration {

// Length limits of text fields, in Unicode code points.
inline constexpr size_t kMaxNameLength = 256;         // names, streets, cities
inline constexpr size_t kMaxDescriptionLength = 512;  // goods descriptions
inline constexpr size_t kMaxReferenceLength = 70;     // invoice numbers, references, identities
inline constexpr size_t kMaxPostcodeLength = 17;
inline constexpr size_t kMaxGoodsItems = 999;
inline constexpr size_t kMaxContainers = 999;
inline constexpr size_t kMaxDocumentsPerItem = 99;
// At most this many problems are listed; a last detail "too-many-problems" says there are more.
inline constexpr size_t kMaxProblems = 100;

enum class DeclarationType { kImport, kExport };

// DeclarationTypeName() gives "import" or "export".
std::string_view DeclarationTypeName(DeclarationType type);

// ParseDeclarationType() accepts "import" or "export"; otherwise kInvalidArgument
// "bad-declaration-type".
Result<DeclarationType> ParseDeclarationType(std::string_view name);

struct Address {
  std::string street;
  std::string city;
  std::string postcode;  // may be empty: not every country has postcodes
  std::string country;   // ISO 3166-1 alpha-2
  friend bool operator==(const Address&, const Address&) = default;
};

// A party to the declaration (declarant, importer, exporter, consignee).
struct Party {
  std::string id;  // EORI-style: country code + 1..15 alphanumerics
  std::string name;
  Address address;
  friend bool operator==(const Party&, const Party&) = default;
};

struct Transport {
  int mode = 0;                         // UN/ECE Rec 19, 1..9
  std::string identity;                 // vessel name, flight number, plate…
  std::string nationality;              // ISO 3166-1 alpha-2 of the means of transport
  std::vector<std::string> containers;  // ISO 6346, check digit verified, no duplicates
  friend bool operator==(const Transport&, const Transport&) = default;
};

struct Invoice {
  std::string number;
  Date date = std::chrono::year{1970} / 1 / 1;
  std::string currency;  // ISO 4217; every Money of the declaration is in it
  Money total;           // equals the sum of the goods items' prices exactly
  std::string incoterm;  // Incoterms 2020
  std::optional<Money> freight;
  std::optional<Money> insurance;
  friend bool operator==(const Invoice&, const Invoice&) = default;
};

// Quantity in the unit of measure: 1.5 LTR is {1500, "LTR"}.
struct Quantity {
  int64_t thousandths = 0;
  std::string unit;  // UN/ECE Rec 20
  friend bool operator==(const Quantity&, const Quantity&) = default;
};

// A document or certificate produced for a goods item (WCO "additional document").
struct Document {
  std::string code;  // 4 characters, e.g. "U004"
  std::string reference;
  friend bool operator==(const Document&, const Document&) = default;
};

struct GoodsItem {
  int sequence = 0;            // 1..n, in order
  std::string commodity_code;  // 6, 8 or 10 digits
  std::string description;
  std::string origin;  // ISO 3166-1 alpha-2
  int64_t net_mass_grams = 0;
  int64_t gross_mass_grams = 0;  // >= net mass
  Quantity quantity;
  Money price;  // in the invoice currency
  std::vector<Document> documents;
  friend bool operator==(const GoodsItem&, const GoodsItem&) = default;
};

// Declaration is a validated customs declaration: every value in it passed ParseDeclaration().
struct Declaration {
  DeclarationType type = DeclarationType::kImport;
  std::string procedure;  // Customs Procedure Code, e.g. "4000"
  std::string office;     // customs office of declaration, e.g. "DE004700"
  Party declarant;
  std::optional<Party> importer;  // present for an import
  std::optional<Party> exporter;  // present for an export
  std::optional<Party> consignee;
  Transport transport;
  Invoice invoice;
  std::vector<GoodsItem> goods_items;
  friend bool operator==(const Declaration&, const Declaration&) = default;
};

// ParseDeclaration() reads and validates the JSON form; `now` bounds the invoice date.
// On success returns the Declaration. On failure returns kInvalidArgument reason
// "validation-failed", message "N problems", whose `details` list every problem (up to
// kMaxProblems), each with a JSON field path such as "goodsItems[2].origin" (0-based indices),
// a stable reason (the table in docs/declaration.md) and a message saying what is expected.
Result<Declaration> ParseDeclaration(const boost::json::value& json, Timestamp now);

// ParseDeclarationText() parses JSON text then calls ParseDeclaration(). Malformed JSON gives
// kInvalidArgument "malformed-json" (common/json.h) with no details.
Result<Declaration> ParseDeclarationText(std::string_view text, Timestamp now);

// ToJson() gives the JSON form ParseDeclaration() reads: ParseDeclaration(ToJson(d)) == d.
// Money and masses are written as decimal strings ("43200.00", "4800.000").
boost::json::value ToJson(const Declaration& declaration);

// HsChapters() gives the sorted unique 2-digit HS chapters of the goods, joined by ",", e.g.
// "02,16" (the clear index field the store keeps).
std::string HsChapters(const Declaration& declaration);

// OrganisationOf() is the organisation (tenant) a declaration belongs to: the trader whose
// goods it declares — the importer of an import, the exporter of an export. The declarant
// party is who lodges it: that trader itself or a broker representing it.
const std::string& OrganisationOf(const Declaration& declaration);

// ExampleDeclarationJson() is the canonical sample, the same text as
// docs/example-declaration.json: an import of Argentine beef into Hamburg.
std::string_view ExampleDeclarationJson();

}  // namespace clearway::declaration
