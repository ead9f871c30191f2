// The JSON writer and small helpers over a validated Declaration. ToJson() writes exactly the
// keys ParseDeclaration() reads, so parse(ToJson(d)) == d.

#include <set>

#include "declaration/declaration.h"
#include "declaration/internal/json_reader.h"

namespace clearway::declaration {

namespace {

namespace json = boost::json;

json::object AddressJson(const Address& address) {
  json::object out;
  out["street"] = address.street;
  out["city"] = address.city;
  if (!address.postcode.empty()) out["postcode"] = address.postcode;
  out["country"] = address.country;
  return out;
}

json::object PartyJson(const Party& party) {
  json::object out;
  out["id"] = party.id;
  out["name"] = party.name;
  out["address"] = AddressJson(party.address);
  return out;
}

json::object TransportJson(const Transport& transport) {
  json::object out;
  out["mode"] = transport.mode;
  out["identity"] = transport.identity;
  out["nationality"] = transport.nationality;
  json::array containers;
  for (const auto& container : transport.containers) containers.emplace_back(container);
  out["containers"] = std::move(containers);
  return out;
}

json::object InvoiceJson(const Invoice& invoice) {
  json::object out;
  out["number"] = invoice.number;
  out["date"] = FormatDate(invoice.date);
  out["currency"] = invoice.currency;
  out["total"] = invoice.total.ToDecimalString();
  out["incoterm"] = invoice.incoterm;
  if (invoice.freight) out["freight"] = invoice.freight->ToDecimalString();
  if (invoice.insurance) out["insurance"] = invoice.insurance->ToDecimalString();
  return out;
}

json::object GoodsItemJson(const GoodsItem& item) {
  json::object out;
  out["sequence"] = item.sequence;
  out["commodityCode"] = item.commodity_code;
  out["description"] = item.description;
  out["origin"] = item.origin;
  out["netMass"] = internal::FormatThousandths(item.net_mass_grams, true);
  out["grossMass"] = internal::FormatThousandths(item.gross_mass_grams, true);
  out["quantity"] =
      json::object{{"value", internal::FormatThousandths(item.quantity.thousandths, false)},
                   {"unit", item.quantity.unit}};
  out["price"] = item.price.ToDecimalString();
  json::array documents;
  for (const auto& document : item.documents) {
    json::object entry{{"code", document.code}};
    if (!document.reference.empty()) entry["reference"] = document.reference;
    documents.emplace_back(std::move(entry));
  }
  out["documents"] = std::move(documents);
  return out;
}

}  // namespace

std::string_view DeclarationTypeName(DeclarationType type) {
  return type == DeclarationType::kImport ? "import" : "export";
}

Result<DeclarationType> ParseDeclarationType(std::string_view name) {
  if (name == "import") return DeclarationType::kImport;
  if (name == "export") return DeclarationType::kExport;
  return Error::InvalidArgument("type", "bad-declaration-type", "must be \"import\" or \"export\"");
}

json::value ToJson(const Declaration& declaration) {
  json::object out;
  out["type"] = DeclarationTypeName(declaration.type);
  out["procedure"] = declaration.procedure;
  out["office"] = declaration.office;
  out["declarant"] = PartyJson(declaration.declarant);
  if (declaration.importer) out["importer"] = PartyJson(*declaration.importer);
  if (declaration.exporter) out["exporter"] = PartyJson(*declaration.exporter);
  if (declaration.consignee) out["consignee"] = PartyJson(*declaration.consignee);
  out["transport"] = TransportJson(declaration.transport);
  out["invoice"] = InvoiceJson(declaration.invoice);
  json::array items;
  for (const auto& item : declaration.goods_items) items.emplace_back(GoodsItemJson(item));
  out["goodsItems"] = std::move(items);
  return out;
}

std::string HsChapters(const Declaration& declaration) {
  std::set<std::string> chapters;
  for (const auto& item : declaration.goods_items) {
    if (item.commodity_code.size() >= 2) chapters.insert(item.commodity_code.substr(0, 2));
  }
  std::string out;
  for (const auto& chapter : chapters) {
    if (!out.empty()) out += ',';
    out += chapter;
  }
  return out;
}

const std::string& OrganisationOf(const Declaration& declaration) {
  // The trader whose goods are declared owns the declaration; the declarant party may be a
  // broker lodging on its behalf. Validation guarantees the party is present for the type.
  if (declaration.type == DeclarationType::kImport && declaration.importer) {
    return declaration.importer->id;
  }
  if (declaration.type == DeclarationType::kExport && declaration.exporter) {
    return declaration.exporter->id;
  }
  return declaration.declarant.id;
}

}  // namespace clearway::declaration
