// File: app/data_views.h
//
// Data minimisation (issue 5): what each role sees of a declaration and of the resources made
// from it. One table (data_views.cc, written out in docs/data-minimisation.md) names, for each
// view and each resource, the JSON member paths the view may see. It is an allow-list: a member
// nobody named is dropped, so a field added to a resource stays hidden from every view until
// someone decides who needs it. Every route and export that returns declaration data renders
// its full JSON and passes it through Minimise() with the caller's view; the answer carries a
// "view" member so clients know fields are withheld on purpose.
//
//   CW_ASSIGN_OR_RETURN(DataView view, DataViewFor(principal, {row.organisation_id, row.office}));
//   CW_ASSIGN_OR_RETURN(json::object shown,
//                       Minimise(std::move(full), view, ViewedResource::kDeclaration, pseudo));
//
// Paths name object members joined by "."; "[]" steps into the elements of an array, e.g.
// "declaration.goodsItems[].commodityCode". A listed path whose value is a scalar, null or an
// array of scalars is kept whole; an object is never kept whole, only the listed members
// under it (so listing "declaration" would show nothing). A member listed as pseudonymised
// is replaced by Pseudonymiser(value): a keyed, deterministic pseudonym, so the same party
// gets the same pseudonym in every answer but its identity is not shown.
//
// Thread safety: the functions are pure (the Pseudonymiser must be thread-safe); the tables
// are immutable.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "identity/identity.h"

namespace clearway::app {

// The views of declaration data, one per kind of reader.
enum class DataView {
  kFiler,          // declarant and broker: everything they filed (their own declarations)
  kOfficer,        // officers of the declaration's office: what control needs (everything)
  kRiskAnalyst,    // what profiles and models need; parties as pseudonyms, no names
  kAuditor,        // statuses, dates, office, channel, HS chapters, duty totals, commitments
  kAdministrator,  // metadata only
  kPartner,        // a partner administration: the agreed exchange subset
};

// DataViewName() is the value of the "view" member: "filer", "officer", "risk_analyst",
// "auditor", "administrator", "partner".
std::string_view DataViewName(DataView view);

// The resources made from a declaration that have views.
enum class ViewedResource {
  kDeclaration,      // GET /v1/declarations/{id} and the answers of its changes
  kDeclarationList,  // GET /v1/declarations
  kVersions,         // GET /v1/declarations/{id}/versions
  kAssessment,       // GET /v1/declarations/{id}/assessment
  kQuote,            // GET /v1/declarations/{id}/quote
  kReceipt,          // GET /v1/declarations/{id}/receipt
};

enum class FieldTreatment { kShow, kPseudonymise };

struct AllowedField {
  std::string path;
  FieldTreatment treatment = FieldTreatment::kShow;
};

// AllowListOf() is the allow-list of `view` for `resource`, or nullptr when the view may not
// read that resource at all (the route answers 403 "forbidden").
const std::vector<AllowedField>* AllowListOf(DataView view, ViewedResource resource);

// DataViewOf() is the view a role reads through: declarant and broker kFiler, officer
// kOfficer, and so on; nullopt for roles that read no declaration data (tariff_manager).
std::optional<DataView> DataViewOf(identity::Role role);

// DataViewFor() is the view `principal` reads a declaration with `scope` through. It checks
// identity::Policy::CanRead() first; kPermissionDenied "forbidden" when the principal may not
// read it or has no view.
Result<DataView> DataViewFor(const identity::Principal& principal,
                             const identity::DeclarationScope& scope);

// DataViewFor() with a resource: as above, and kPermissionDenied "forbidden" when the view may
// not read `resource` (AllowListOf() is nullptr). Routes ask this before doing the work.
Result<DataView> DataViewFor(const identity::Principal& principal,
                             const identity::DeclarationScope& scope, ViewedResource resource);

// A keyed, deterministic pseudonym of a value (e.g. a party's EORI). Must be thread-safe.
using Pseudonymiser = std::function<std::string(std::string_view)>;

// Minimise() keeps of `full` only what the allow-list of (`view`, `resource`) names,
// pseudonymises what it says to, and adds "view": DataViewName(view). kPermissionDenied
// "forbidden" when the view may not read the resource. The result lives in `storage`: it is
// built in `full`'s storage and moved there, so an answer built in one arena (a
// boost::json::monotonic_resource, serialised at once) is never copied.
Result<boost::json::object> Minimise(const boost::json::object& full, DataView view,
                                     ViewedResource resource, const Pseudonymiser& pseudonymise,
                                     boost::json::storage_ptr storage = {});

// MemberPaths() lists the paths of `value` in the notation above: every member whose value is
// a scalar, null, an empty object or an array of scalars (an empty array included), with "[]"
// for the elements of arrays of objects. For tests and the documentation.
std::set<std::string> MemberPaths(const boost::json::value& value);

// AllowedPaths() is the set of paths of AllowListOf(view, resource) (empty when nullptr).
std::set<std::string> AllowedPaths(DataView view, ViewedResource resource);

}  // namespace clearway::app
