// ParseDeclaration(): reads the JSON form strictly and reports every problem at once. Each
// section writes what it could read into the Declaration; the Declaration is returned only
// when no problem was recorded, so partially filled values never escape.

#include <set>

#include "common/iso_codes.h"
#include "common/json.h"
#include "declaration/declaration.h"
#include "declaration/internal/json_reader.h"

namespace clearway::declaration {

namespace {

using internal::ArrayElements;
using internal::Field;
using internal::FormatThousandths;
using internal::ObjectReader;
using internal::Problems;
using internal::ReadCode;
using internal::ReadInteger;
using internal::ReadMoney;
using internal::ReadText;
using internal::ReadThousandths;

template <class T>
void Assign(T& out, std::optional<T> value) {
  if (value) out = std::move(*value);
}

std::optional<std::string> ReadCountry(const Field& field, Problems& problems) {
  return ReadCode(field, IsCountryCode, "unknown-country",
                  "an ISO 3166-1 alpha-2 code in upper case such as DE", problems);
}

void ParseAddress(const Field& field, Address& out, Problems& problems) {
  ObjectReader object(field, {"street", "city", "postcode", "country"}, problems);
  Assign(out.street, ReadText(object.Require("street"), kMaxNameLength, problems));
  Assign(out.city, ReadText(object.Require("city"), kMaxNameLength, problems));
  Field postcode = object.Find("postcode");
  // An empty postcode is the same as none: not every country has postcodes.
  bool empty = postcode.value != nullptr && postcode.value->is_string() &&
               postcode.value->get_string().empty();
  if (!empty) Assign(out.postcode, ReadText(postcode, kMaxPostcodeLength, problems));
  Assign(out.country, ReadCountry(object.Require("country"), problems));
}

void ParseParty(const Field& field, Party& out, Problems& problems) {
  ObjectReader object(field, {"id", "name", "address"}, problems);
  Assign(out.id, ReadCode(object.Require("id"), IsEori, "bad-eori",
                          "an EORI number: a country code then 1 to 15 upper-case letters or "
                          "digits, such as DE123456789012345",
                          problems));
  Assign(out.name, ReadText(object.Require("name"), kMaxNameLength, problems));
  ParseAddress(object.Require("address"), out.address, problems);
}

void ParseOptionalParty(const Field& field, std::optional<Party>& out, Problems& problems) {
  if (field.value == nullptr) return;
  ParseParty(field, out.emplace(), problems);
}

void ParseContainer(const Field& field, std::set<std::string>& seen, Transport& out,
                    Problems& problems) {
  if (field.value == nullptr) return;
  if (!field.value->is_string()) {
    problems.Add(field.path, "wrong-type", "must be a string such as \"MSCU1234566\"");
    return;
  }
  std::string id(field.value->get_string());
  if (!IsContainerId(id)) {
    std::string message =
        "must be an ISO 6346 container number: 3-letter owner code, U, J or "
        "Z, 6 digits and the check digit, such as MSCU1234566";
    auto check = ContainerCheckDigit(id);
    if (check && id.size() == 11) {
      message = "the check digit is wrong: it should be " + std::to_string(*check);
    }
    problems.Add(field.path, "bad-container-id", std::move(message));
    return;
  }
  if (!seen.insert(id).second) {
    problems.Add(field.path, "duplicate-container", "container " + id + " is listed twice");
    return;
  }
  out.containers.push_back(std::move(id));
}

void ParseTransport(const Field& field, Transport& out, Problems& problems) {
  ObjectReader object(field, {"mode", "identity", "nationality", "containers"}, problems);
  Field mode = object.Require("mode");
  if (auto value = ReadInteger(mode, problems)) {
    if (IsTransportMode(*value)) {
      out.mode = static_cast<int>(*value);
    } else {
      problems.Add(mode.path, "bad-transport-mode",
                   "must be a UN/ECE Rec 19 mode 1..9 (1 sea, 2 rail, 3 road, 4 air, 5 post, "
                   "6 multimodal, 7 fixed installation, 8 inland waterway, 9 own propulsion)");
    }
  }
  Assign(out.identity, ReadText(object.Require("identity"), kMaxReferenceLength, problems));
  Assign(out.nationality, ReadCountry(object.Require("nationality"), problems));
  std::set<std::string> seen;
  for (const Field& container :
       ArrayElements(object.Find("containers"), kMaxContainers, problems)) {
    ParseContainer(container, seen, out, problems);
  }
}

// What later checks need from the invoice: its currency and total, when they are valid.
struct InvoiceFacts {
  std::optional<std::string> currency;
  std::optional<Money> total;
};

InvoiceFacts ParseInvoice(const Field& field, Timestamp now, Invoice& out, Problems& problems) {
  ObjectReader object(
      field, {"number", "date", "currency", "total", "incoterm", "freight", "insurance"}, problems);
  InvoiceFacts facts;
  Assign(out.number, ReadText(object.Require("number"), kMaxReferenceLength, problems));
  Field date = object.Require("date");
  if (auto text = ReadText(date, 64, problems)) {
    auto parsed = ParseDate(*text);
    if (!parsed.ok()) {
      problems.Add(date.path, "bad-date", "must be a calendar date YYYY-MM-DD such as 2026-11-02");
    } else if (*parsed > DateOf(now)) {
      problems.Add(date.path, "date-in-future",
                   "must not be after today (" + FormatDate(DateOf(now)) + ", UTC)");
    } else {
      out.date = *parsed;
    }
  }
  facts.currency = ReadCode(object.Require("currency"), IsCurrencyCode, "unknown-currency",
                            "an ISO 4217 currency code in upper case such as EUR", problems);
  Assign(out.currency, facts.currency);
  facts.total = ReadMoney(object.Require("total"), facts.currency, false, problems);
  Assign(out.total, facts.total);
  Assign(out.incoterm, ReadCode(object.Require("incoterm"), IsIncoterm, "bad-incoterm",
                                "an Incoterms 2020 rule: EXW, FCA, CPT, CIP, DAP, DPU, DDP, "
                                "FAS, FOB, CFR or CIF",
                                problems));
  out.freight = ReadMoney(object.Find("freight"), facts.currency, true, problems);
  out.insurance = ReadMoney(object.Find("insurance"), facts.currency, true, problems);
  return facts;
}

void ParseQuantity(const Field& field, Quantity& out, Problems& problems) {
  ObjectReader object(field, {"value", "unit"}, problems);
  Assign(out.thousandths, ReadThousandths(object.Require("value"), "in its unit", problems));
  Assign(out.unit,
         ReadCode(object.Require("unit"), IsUnitCode, "bad-unit",
                  "a UN/ECE Rec 20 unit code such as KGM, NAR, LTR, MTQ or PR", problems));
}

void ParseDocument(const Field& field, Document& out, Problems& problems) {
  ObjectReader object(field, {"code", "reference"}, problems);
  Assign(out.code,
         ReadCode(object.Require("code"), IsDocumentCode, "bad-document-code",
                  "a 4-character document code such as U004, N954, Y900 or C400", problems));
  Assign(out.reference, ReadText(object.Find("reference"), kMaxReferenceLength, problems));
}

// Returns the item's price when it is valid (for the invoice total check).
std::optional<Money> ParseGoodsItem(const Field& field, size_t index,
                                    const std::optional<std::string>& currency, GoodsItem& out,
                                    Problems& problems) {
  ObjectReader object(field,
                      {"sequence", "commodityCode", "description", "origin", "netMass", "grossMass",
                       "quantity", "price", "documents"},
                      problems);
  Field sequence = object.Require("sequence");
  if (auto value = ReadInteger(sequence, problems)) {
    if (*value != static_cast<int64_t>(index) + 1) {
      problems.Add(sequence.path, "sequence-out-of-order",
                   "must be " + std::to_string(index + 1) +
                       ": goods items are numbered 1, 2, 3... in the order given");
    } else {
      out.sequence = static_cast<int>(*value);
    }
  }
  Assign(out.commodity_code,
         ReadCode(object.Require("commodityCode"), IsCommodityCode, "bad-commodity-code",
                  "6, 8 or 10 digits starting with an HS chapter 01-97, such as 0202300010",
                  problems));
  Assign(out.description, ReadText(object.Require("description"), kMaxDescriptionLength, problems));
  Assign(out.origin, ReadCountry(object.Require("origin"), problems));
  Field net_field = object.Require("netMass");
  auto net = ReadThousandths(net_field, "kg", problems);
  auto gross = ReadThousandths(object.Require("grossMass"), "kg", problems);
  Assign(out.net_mass_grams, net);
  Assign(out.gross_mass_grams, gross);
  if (net && gross && *net > *gross) {
    problems.Add(net_field.path, "net-mass-exceeds-gross-mass",
                 "net mass " + FormatThousandths(*net, true) + " kg must not exceed gross mass " +
                     FormatThousandths(*gross, true) + " kg");
  }
  ParseQuantity(object.Require("quantity"), out.quantity, problems);
  auto price = ReadMoney(object.Require("price"), currency, false, problems);
  Assign(out.price, price);
  auto documents = ArrayElements(object.Find("documents"), kMaxDocumentsPerItem, problems);
  out.documents.resize(documents.size());
  for (size_t doc_idx = 0; doc_idx < documents.size(); ++doc_idx) {
    ParseDocument(documents[doc_idx], out.documents[doc_idx], problems);
  }
  return price;
}

void ParseGoodsItems(const Field& field, const InvoiceFacts& invoice, const Field& total_field,
                     std::vector<GoodsItem>& out, Problems& problems) {
  if (field.value != nullptr && field.value->is_array() && field.value->get_array().empty()) {
    problems.Add(field.path, "required", "at least one goods item is required");
    return;
  }
  auto items = ArrayElements(field, kMaxGoodsItems, problems);
  out.resize(items.size());
  std::optional<Money> sum;
  if (invoice.currency) sum = Money(0, *invoice.currency);
  for (size_t item_idx = 0; item_idx < items.size(); ++item_idx) {
    auto price =
        ParseGoodsItem(items[item_idx], item_idx, invoice.currency, out[item_idx], problems);
    if (!sum) continue;
    if (!price) {
      sum.reset();
      continue;
    }
    auto added = CheckedAdd(*sum, *price);
    if (!added.ok()) {
      problems.Add(total_field.path, "bad-amount", "the goods items' prices add up out of range");
      sum.reset();
      continue;
    }
    sum = *added;
  }
  if (items.empty() || !sum || !invoice.total || *sum == *invoice.total) return;
  problems.Add(total_field.path, "invoice-total-mismatch",
               "is " + invoice.total->ToDecimalString() +
                   " but the goods items' prices add up to " + sum->ToDecimalString() + " " +
                   sum->currency() + "; they must be equal");
}

}  // namespace

Result<Declaration> ParseDeclaration(const boost::json::value& json, Timestamp now) {
  Problems problems(kMaxProblems);
  Declaration out;
  ObjectReader root(Field{&json, ""},
                    {"type", "procedure", "office", "declarant", "importer", "exporter",
                     "consignee", "transport", "invoice", "goodsItems"},
                    problems);
  if (!root.valid()) return problems.ToError();

  auto type = ReadCode(
      root.Require("type"), [](std::string_view name) { return ParseDeclarationType(name).ok(); },
      "bad-declaration-type", "\"import\" or \"export\"", problems);
  if (type) out.type = ParseDeclarationType(*type).value();
  Field procedure = root.Require("procedure");
  Assign(out.procedure, ReadCode(procedure, IsProcedureCode, "bad-procedure",
                                 "a 4-digit Customs Procedure Code (requested then previous "
                                 "procedure, 00 for none) such as 4000 or 1000",
                                 problems));
  auto direction = RequestedProcedureDirection(out.procedure);
  if (type && direction && *direction != ProcedureDirection::kEither &&
      (*direction == ProcedureDirection::kImport) != (out.type == DeclarationType::kImport)) {
    problems.Add(procedure.path, "procedure-type-mismatch",
                 "procedure " + out.procedure + " is not used for an " +
                     std::string(DeclarationTypeName(out.type)) + " declaration");
  }
  Assign(out.office, ReadCode(root.Require("office"), IsOfficeCode, "bad-office",
                              "a customs office code: a country code then 6 letters or digits, "
                              "such as DE004700",
                              problems));

  ParseParty(root.Require("declarant"), out.declarant, problems);
  bool is_import = type && out.type == DeclarationType::kImport;
  bool is_export = type && out.type == DeclarationType::kExport;
  ParseOptionalParty(is_import ? root.Require("importer") : root.Find("importer"), out.importer,
                     problems);
  ParseOptionalParty(is_export ? root.Require("exporter") : root.Find("exporter"), out.exporter,
                     problems);
  ParseOptionalParty(root.Find("consignee"), out.consignee, problems);
  ParseTransport(root.Require("transport"), out.transport, problems);

  Field invoice_field = root.Require("invoice");
  InvoiceFacts invoice = ParseInvoice(invoice_field, now, out.invoice, problems);
  ParseGoodsItems(root.Require("goodsItems"), invoice,
                  Field{nullptr, internal::ChildPath(invoice_field.path, "total")}, out.goods_items,
                  problems);

  if (!problems.empty()) return problems.ToError();
  return out;
}

Result<Declaration> ParseDeclarationText(std::string_view text, Timestamp now) {
  CW_ASSIGN_OR_RETURN(auto json, ParseJson(text));
  return ParseDeclaration(json, now);
}

}  // namespace clearway::declaration
