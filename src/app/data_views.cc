#include "app/data_views.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace clearway::app {

namespace {

namespace json = boost::json;
using identity::Role;

constexpr size_t kViewCount = 6;
constexpr size_t kResourceCount = 6;

using Fields = std::vector<AllowedField>;

// ---- The building blocks of the table ------------------------------------------------------
// Each block is a list of paths relative to where a resource puts it. docs/data-minimisation.md
// is this table in prose; change both together.

Fields Show(std::initializer_list<std::string_view> paths) {
  Fields out;
  for (std::string_view path : paths) out.push_back({std::string(path), FieldTreatment::kShow});
  return out;
}

Fields Prefixed(std::string_view prefix, const Fields& fields) {
  Fields out;
  for (const AllowedField& field : fields) {
    out.push_back({std::string(prefix) + field.path, field.treatment});
  }
  return out;
}

Fields Joined(std::initializer_list<Fields> parts) {
  Fields out;
  for (const Fields& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// A party of the declaration body in full (id, name, address).
Fields FullParty(std::string_view party) {
  return Prefixed(std::string(party) + ".",
                  Show({"id", "name", "address.street", "address.city", "address.postcode",
                        "address.country"}));
}

// A party as risk analysts see it: a pseudonym for its id (so history features and profiles
// can still follow it) and its country; no name, no street, no city.
Fields PseudonymousParty(std::string_view party) {
  return {{std::string(party) + ".id", FieldTreatment::kPseudonymise},
          {std::string(party) + ".address.country", FieldTreatment::kShow}};
}

// A party as the exchange agreement gives it: its EORI and country (mirror-data matching),
// never its name or address.
Fields ExchangedParty(std::string_view party) {
  return Show({std::string(party) + ".id", std::string(party) + ".address.country"});
}

Fields GoodsFacts() {
  return Prefixed("goodsItems[].",
                  Show({"sequence", "commodityCode", "description", "origin", "netMass",
                        "grossMass", "quantity.value", "quantity.unit", "price",
                        "documents[].code"}));
}

Fields InvoiceValues() {
  return Prefixed("invoice.", Show({"currency", "total", "incoterm", "freight", "insurance"}));
}

// The declaration body (declaration/declaration.h ToJson()) per view.
Fields BodyOf(DataView view) {
  switch (view) {
    case DataView::kFiler:
    case DataView::kOfficer:
      return Joined({Show({"type", "procedure", "office"}), FullParty("declarant"),
                     FullParty("importer"), FullParty("exporter"), FullParty("consignee"),
                     Show({"transport.mode", "transport.identity", "transport.nationality",
                           "transport.containers", "invoice.number", "invoice.date"}),
                     InvoiceValues(), GoodsFacts(),
                     Show({"goodsItems[].documents[].reference"})});
    case DataView::kRiskAnalyst:
      return Joined({Show({"type", "procedure", "office"}), PseudonymousParty("declarant"),
                     PseudonymousParty("importer"), PseudonymousParty("exporter"),
                     PseudonymousParty("consignee"),
                     Show({"transport.mode", "transport.nationality", "invoice.date"}),
                     InvoiceValues(), GoodsFacts()});
    case DataView::kAuditor:
      return Show({"type", "procedure", "office"});
    case DataView::kPartner:
      return Joined({Show({"type", "procedure", "office"}), ExchangedParty("importer"),
                     ExchangedParty("exporter"),
                     Show({"transport.mode", "transport.identity", "transport.nationality",
                           "transport.containers"}),
                     InvoiceValues(), GoodsFacts()});
    case DataView::kAdministrator:
      break;
  }
  return {};
}

// The summary of a declaration (a list item; the head of the resource) per view.
Fields SummaryOf(DataView view) {
  switch (view) {
    case DataView::kFiler:
    case DataView::kOfficer:
      return Show({"id", "version", "status", "channel", "wcoResponseCode", "type",
                   "organisation", "office", "hsChapters", "filedBy", "createdAt", "updatedAt",
                   "links.self"});
    case DataView::kRiskAnalyst:
      return Joined({Show({"id", "version", "status", "channel", "wcoResponseCode", "type",
                           "office", "hsChapters", "createdAt", "updatedAt", "links.self"}),
                     Fields{{"organisation", FieldTreatment::kPseudonymise}}});
    case DataView::kAuditor:
      return Show({"id", "version", "status", "channel", "wcoResponseCode", "type", "office",
                   "hsChapters", "createdAt", "updatedAt", "links.self"});
    case DataView::kAdministrator:
      return Show({"id", "version", "status", "type", "organisation", "office", "createdAt",
                   "updatedAt", "links.self"});
    case DataView::kPartner:
      return Show({"id", "version", "status", "type", "office", "hsChapters", "createdAt",
                   "updatedAt", "links.self"});
  }
  return {};
}

const Fields kQuoteTotals = Show({"currency", "customsDuty", "excise", "vat", "total",
                                  "complete"});

// The rest of the declaration resource (routes.cc Resource()): history, actions, quote summary.
Fields ResourceExtrasOf(DataView view) {
  const Fields history_facts =
      Prefixed("history[].", Show({"sequence", "version", "from", "to", "channel", "at"}));
  switch (view) {
    case DataView::kFiler:
    case DataView::kOfficer:
      return Joined({history_facts, Show({"history[].actor", "history[].reason",
                                          "allowedActions", "links.assessment", "links.quote"}),
                     Prefixed("quote.", kQuoteTotals)});
    case DataView::kRiskAnalyst:
      return Joined({history_facts, Show({"links.assessment"}), Prefixed("quote.", kQuoteTotals)});
    case DataView::kAuditor:
      // Amounts: the duty totals only, which auditors reconcile with revenue; never prices.
      return Joined({history_facts, Show({"links.assessment", "links.quote"}),
                     Prefixed("quote.", kQuoteTotals)});
    case DataView::kAdministrator:
    case DataView::kPartner:
      break;
  }
  return {};
}

// The stored duty quote (tariff::QuoteToJson() plus "quotaClaims") in full.
Fields FullQuote() {
  return Joined(
      {Show({"date", "asOf", "currency", "deMinimisApplied", "complete", "notes",
             "totals.customsDuty", "totals.excise", "totals.vat", "totals.total",
             "quotaClaims[].orderNumber", "quotaClaims[].thousandths"}),
       Prefixed("items[].",
                Show({"sequence", "commodityCode", "origin", "customsValue", "valuation", "notes",
                      "missingDocuments", "prohibited", "complete", "customsDuty", "excise",
                      "vat", "applied[].measureId", "applied[].type", "applied[].code",
                      "applied[].geo", "applied[].legalBase", "applied[].duty",
                      "applied[].amount", "applied[].collected", "applied[].arithmetic",
                      "applied[].agreement"}))});
}

Fields QuoteTotals() {
  return Show({"date", "asOf", "currency", "deMinimisApplied", "complete", "totals.customsDuty",
               "totals.excise", "totals.vat", "totals.total"});
}

// The risk decision (app/assessment.h) in full.
Fields FullRisk() {
  return Show({"channel", "lane", "cause", "postClearanceAudit", "score", "modelProbability",
               "modelVersion", "anomaly", "profilesHit", "instructions",
               "contributions[].feature", "contributions[].logOdds", "reasons", "currency",
               "routing", "quote.status", "quote.reason", "quote.message"});
}

std::optional<Fields> AssessmentOf(DataView view) {
  const Fields head = Show({"declarationId", "version", "at", "links.declaration", "links.self"});
  const Fields quote_status = Show({"quoteStatus.status", "quoteStatus.reason",
                                    "quoteStatus.message"});
  switch (view) {
    case DataView::kFiler:
      return Joined({head, Show({"channel", "links.quote"}), quote_status,
                     Prefixed("quote.", FullQuote())});
    case DataView::kOfficer:
    case DataView::kRiskAnalyst:
      return Joined({head, Show({"channel", "declarationChannel", "links.quote"}), quote_status,
                     Prefixed("quote.", FullQuote()), Prefixed("risk.", FullRisk())});
    case DataView::kAuditor:
      return Joined({head, Show({"channel", "declarationChannel", "links.quote"}), quote_status,
                     Prefixed("quote.", QuoteTotals()), Prefixed("risk.", FullRisk())});
    case DataView::kAdministrator:
      return head;
    case DataView::kPartner:
      break;
  }
  return std::nullopt;
}

std::optional<Fields> QuoteOf(DataView view) {
  const Fields head = Show({"declaration_id", "version", "as_of", "stored"});
  switch (view) {
    case DataView::kFiler:
    case DataView::kOfficer:
      return Joined({head, FullQuote()});
    case DataView::kAuditor:
      return Joined({head, QuoteTotals()});
    case DataView::kAdministrator:
      return head;
    case DataView::kRiskAnalyst:
    case DataView::kPartner:
      break;
  }
  return std::nullopt;
}

std::optional<Fields> ReceiptOf(DataView view) {
  // Commitments, record ids and leaf indices with their proofs: enough to check that the
  // declaration's records are in the log, without the records (or the salts that would let
  // a guess of their content be confirmed).
  const Fields commitments = Joined(
      {Show({"declaration_id", "version", "origin", "checkpoint", "tree_size"}),
       Prefixed("entries[].", Show({"kind", "record_id", "index", "commitment", "leaf_hash",
                                    "inclusion_proof"}))});
  switch (view) {
    case DataView::kFiler:
    case DataView::kOfficer:
      return Joined({commitments, Show({"entries[].salt", "entries[].record"})});
    case DataView::kAuditor:
    case DataView::kAdministrator:
      return commitments;
    case DataView::kRiskAnalyst:
    case DataView::kPartner:
      break;
  }
  return std::nullopt;
}

std::optional<Fields> Build(DataView view, ViewedResource resource) {
  switch (resource) {
    case ViewedResource::kDeclaration:
      return Joined({SummaryOf(view), Prefixed("declaration.", BodyOf(view)),
                     ResourceExtrasOf(view)});
    case ViewedResource::kDeclarationList:
      return Joined({Prefixed("items[].", SummaryOf(view)), Show({"nextCursor"})});
    case ViewedResource::kVersions:
      return Joined({Prefixed("items[].", SummaryOf(view)),
                     Prefixed("items[].declaration.", BodyOf(view))});
    case ViewedResource::kAssessment:
      return AssessmentOf(view);
    case ViewedResource::kQuote:
      return QuoteOf(view);
    case ViewedResource::kReceipt:
      return ReceiptOf(view);
  }
  return std::nullopt;
}

constexpr std::array<DataView, kViewCount> kViews = {
    DataView::kFiler,   DataView::kOfficer,       DataView::kRiskAnalyst,
    DataView::kAuditor, DataView::kAdministrator, DataView::kPartner};
constexpr std::array<ViewedResource, kResourceCount> kResources = {
    ViewedResource::kDeclaration, ViewedResource::kDeclarationList, ViewedResource::kVersions,
    ViewedResource::kAssessment,  ViewedResource::kQuote,           ViewedResource::kReceipt};

// The table, built once: [view][resource].
struct Table {
  std::array<std::array<std::optional<Fields>, kResourceCount>, kViewCount> lists;
  Table() {
    for (size_t view_idx = 0; view_idx < kViewCount; ++view_idx) {
      for (size_t resource_idx = 0; resource_idx < kResourceCount; ++resource_idx) {
        lists[view_idx][resource_idx] = Build(kViews[view_idx], kResources[resource_idx]);
      }
    }
  }
};

const Table& TheTable() {
  static const Table table;
  return table;
}

// ---- Minimise() ----------------------------------------------------------------------------

// The allow-list as a map from path to treatment, plus every proper prefix of a listed path
// (the objects and arrays on the way to a listed member).
struct Compiled {
  std::map<std::string, FieldTreatment, std::less<>> listed;
  std::set<std::string, std::less<>> on_the_way;
};

Compiled Compile(const Fields& fields) {
  Compiled out;
  for (const AllowedField& field : fields) {
    out.listed.emplace(field.path, field.treatment);
    for (size_t pos = 0; pos < field.path.size(); ++pos) {
      if (field.path[pos] == '.' || field.path[pos] == '[') {
        out.on_the_way.insert(field.path.substr(0, pos));
      }
    }
  }
  return out;
}

bool AllScalars(const json::array& array) {
  return std::all_of(array.begin(), array.end(), [](const json::value& element) {
    return !element.is_object() && !element.is_array();
  });
}

std::string Child(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

// Filter() returns what of `value` (found at `path`) the allow-list keeps, or nullopt. `path`
// is one buffer for the whole walk: each level appends its part and takes it off again, so no
// member costs a string of its own.
std::optional<json::value> Filter(const json::value& value, std::string& path,
                                  const Compiled& allow, const Pseudonymiser& pseudonymise);

json::object FilterObject(const json::object& object, std::string& path,
                          const Compiled& allow, const Pseudonymiser& pseudonymise) {
  json::object out(object.storage());
  out.reserve(object.size());
  const size_t length = path.size();
  for (const auto& member : object) {
    if (length != 0) path += '.';
    path += member.key();
    if (auto kept = Filter(member.value(), path, allow, pseudonymise)) {
      out[member.key()] = std::move(*kept);
    }
    path.resize(length);
  }
  return out;
}

std::optional<json::value> Filter(const json::value& value, std::string& path,
                                  const Compiled& allow, const Pseudonymiser& pseudonymise) {
  const auto listed = allow.listed.find(path);
  if (value.is_object()) {
    // Objects are never shown whole: only their listed members.
    if (!allow.on_the_way.contains(path)) return std::nullopt;
    return json::value(FilterObject(value.get_object(), path, allow, pseudonymise));
  }
  if (value.is_array()) {
    const json::array& array = value.get_array();
    if (listed != allow.listed.end() && AllScalars(array)) return value;
    if (!allow.on_the_way.contains(path)) return std::nullopt;
    const size_t length = path.size();
    path += "[]";
    json::array out(array.storage());
    out.reserve(array.size());
    for (const json::value& element : array) {
      if (auto kept = Filter(element, path, allow, pseudonymise)) {
        out.push_back(std::move(*kept));
      }
    }
    path.resize(length);
    return json::value(std::move(out));
  }
  if (listed != allow.listed.end()) {
    if (listed->second == FieldTreatment::kPseudonymise && value.is_string()) {
      return json::value(pseudonymise(value.get_string()), value.storage());
    }
    return value;
  }
  // null where an object was expected (e.g. "quote": null) says nothing: keep it.
  if (value.is_null() && allow.on_the_way.contains(path)) return value;
  return std::nullopt;
}

// Elements of arrays of objects are reached through "path[]": the array's own path is on the
// way to them, and so is "path[]".
void CollectPaths(const json::value& value, const std::string& path,
                  std::set<std::string>& out) {
  if (value.is_object()) {
    const json::object& object = value.get_object();
    if (object.empty() && !path.empty()) out.insert(path);
    for (const auto& member : object) CollectPaths(member.value(), Child(path, member.key()), out);
    return;
  }
  if (value.is_array() && !AllScalars(value.get_array())) {
    for (const json::value& element : value.get_array()) CollectPaths(element, path + "[]", out);
    return;
  }
  out.insert(path);
}

const Error& Forbidden() {
  static const Error error =
      Error::PermissionDenied("forbidden", "you are not allowed to do this");
  return error;
}

}  // namespace

std::string_view DataViewName(DataView view) {
  switch (view) {
    case DataView::kFiler:
      return "filer";
    case DataView::kOfficer:
      return "officer";
    case DataView::kRiskAnalyst:
      return "risk_analyst";
    case DataView::kAuditor:
      return "auditor";
    case DataView::kAdministrator:
      return "administrator";
    case DataView::kPartner:
      return "partner";
  }
  return "none";
}

const std::vector<AllowedField>* AllowListOf(DataView view, ViewedResource resource) {
  const auto& entry =
      TheTable().lists[static_cast<size_t>(view)][static_cast<size_t>(resource)];
  return entry ? &*entry : nullptr;
}

std::optional<DataView> DataViewOf(Role role) {
  switch (role) {
    case Role::kDeclarant:
    case Role::kBroker:
      return DataView::kFiler;
    case Role::kOfficer:
      return DataView::kOfficer;
    case Role::kRiskAnalyst:
      return DataView::kRiskAnalyst;
    case Role::kAuditor:
      return DataView::kAuditor;
    case Role::kAdministrator:
      return DataView::kAdministrator;
    case Role::kPartner:
      return DataView::kPartner;
    case Role::kTariffManager:
      break;
  }
  return std::nullopt;
}

Result<DataView> DataViewFor(const identity::Principal& principal,
                             const identity::DeclarationScope& scope) {
  CW_RETURN_IF_ERROR(identity::Policy::CanRead(principal, scope));
  std::optional<DataView> view = DataViewOf(principal.role);
  if (!view) return Forbidden();
  return *view;
}

Result<DataView> DataViewFor(const identity::Principal& principal,
                             const identity::DeclarationScope& scope, ViewedResource resource) {
  CW_ASSIGN_OR_RETURN(DataView view, DataViewFor(principal, scope));
  if (AllowListOf(view, resource) == nullptr) return Forbidden();
  return view;
}

Result<json::object> Minimise(const json::object& full, DataView view, ViewedResource resource,
                              const Pseudonymiser& pseudonymise, json::storage_ptr storage) {
  const std::vector<AllowedField>* fields = AllowListOf(view, resource);
  if (fields == nullptr) return Forbidden();
  // Compiled once per (view, resource): the table never changes.
  static const auto compiled = [] {
    std::array<std::array<Compiled, kResourceCount>, kViewCount> out;
    for (size_t view_idx = 0; view_idx < kViewCount; ++view_idx) {
      for (size_t resource_idx = 0; resource_idx < kResourceCount; ++resource_idx) {
        const auto& entry = TheTable().lists[view_idx][resource_idx];
        if (entry) out[view_idx][resource_idx] = Compile(*entry);
      }
    }
    return out;
  }();
  std::string path;
  path.reserve(128);
  json::object filtered = FilterObject(
      full, path, compiled[static_cast<size_t>(view)][static_cast<size_t>(resource)], pseudonymise);
  json::object out(std::move(filtered), storage);  // a move when the storages are the same
  out["view"] = DataViewName(view);
  return out;
}

std::set<std::string> MemberPaths(const json::value& value) {
  std::set<std::string> out;
  CollectPaths(value, "", out);
  return out;
}

std::set<std::string> AllowedPaths(DataView view, ViewedResource resource) {
  std::set<std::string> out;
  if (const auto* fields = AllowListOf(view, resource)) {
    for (const AllowedField& field : *fields) out.insert(field.path);
  }
  return out;
}

}  // namespace clearway::app
