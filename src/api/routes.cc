#include "api/routes.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <optional>

#include "api/error_catalog.h"
#include "api/route_util.h"
#include "api/auth.h"
#include "api/ledger_routes.h"
#include "api/risk_routes.h"
#include "api/session_routes.h"
#include "api/retention_routes.h"
#include "api/security_routes.h"
#include "api/tariff_routes.h"
#include "api/openapi.h"
#include "app/data_views.h"
#include "api/problem.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "declaration/declaration.h"

namespace clearway::api {

namespace {

namespace decl = clearway::declaration;
using app::DeclarationRecord;
using identity::Principal;

constexpr size_t kMaxIdempotencyKeyLength = 255;

Response Fail(const Error& error, const Request& request) {
  return ErrorResponse(error, request);
}


Result<boost::json::value> JsonBody(const Request& request) {
  if (request.body.empty()) {
    return Error::InvalidArgument("", "empty-body", "the request needs a JSON body");
  }
  return ParseJson(request.body);
}

// The Idempotency-Key of a POST/PUT: 1..255 visible ASCII characters, hashed with the request.
// `parsed` is the body the route already parsed (nullptr: parse it here), so a filing's body is
// parsed once.
Result<std::optional<app::IdempotencyContext>> IdempotencyOf(
    const Request& request, const boost::json::value* parsed_body = nullptr) {
  auto key = request.Header("idempotency-key");
  if (!key) return std::optional<app::IdempotencyContext>();
  bool printable = !key->empty() && key->size() <= kMaxIdempotencyKeyLength;
  for (char c : *key) printable = printable && c > 0x20 && c < 0x7f;
  if (!printable) {
    return Error::InvalidArgument("Idempotency-Key", "bad-idempotency-key",
                                  "Idempotency-Key must be 1..255 visible ASCII characters");
  }
  std::string material = request.method + " " + request.path + "\n";
  if (parsed_body != nullptr && !request.body.empty()) {
    material += CanonicalJson(*parsed_body);
  } else {
    auto parsed = request.body.empty() ? Result<boost::json::value>(boost::json::value())
                                       : ParseJson(request.body);
    material += parsed.ok() ? CanonicalJson(*parsed) : request.body;
  }
  return std::optional<app::IdempotencyContext>(
      app::IdempotencyContext{std::string(*key), crypto::ToHex(crypto::Sha256(material))});
}

Result<int64_t> ParseInteger(std::string_view field, std::string_view text, int64_t min,
                             int64_t max) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Error::InvalidArgument(std::string(field), "bad-parameter",
                                  std::string(field) + " must be a whole number from " +
                                      std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

// The renderers take the storage of the tree they build (Resource() builds in an arena).
boost::json::value OrNull(const std::string& text, boost::json::storage_ptr sp = {}) {
  return text.empty() ? boost::json::value(nullptr, std::move(sp))
                      : boost::json::value(text, std::move(sp));
}

boost::json::array Chapters(const std::string& joined, boost::json::storage_ptr sp = {}) {
  boost::json::array out(std::move(sp));
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    out.emplace_back(std::string_view(joined).substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

boost::json::object Summary(const store::DeclarationRow& row, boost::json::storage_ptr sp = {}) {
  auto status = decl::ParseStatus(row.status);
  auto channel = decl::ParseChannel(row.channel);
  std::string_view wco = status.ok() && channel.ok() ? decl::WcoResponseCode(*status, *channel)
                                                     : std::string_view();
  return boost::json::object({{"id", row.id},
                              {"version", row.version},
                              {"status", row.status},
                              {"channel", OrNull(row.channel, sp)},
                              {"wcoResponseCode", OrNull(std::string(wco), sp)},
                              {"type", row.type},
                              {"organisation", row.organisation_id},
                              {"office", row.office},
                              {"hsChapters", Chapters(row.hs_chapters, sp)},
                              {"filedBy", row.declarant_id},
                              {"createdAt", FormatTimestamp(row.created_at)},
                              {"updatedAt", FormatTimestamp(row.updated_at)},
                              {"links", {{"self", "/v1/declarations/" + row.id}}}},
                             sp);
}

boost::json::array History(const std::vector<store::TransitionRow>& transitions,
                           boost::json::storage_ptr sp = {}) {
  boost::json::array out(sp);
  out.reserve(transitions.size());
  for (const auto& t : transitions) {
    out.push_back(boost::json::object({{"sequence", t.sequence},
                                       {"version", t.version},
                                       {"from", OrNull(t.from_status, sp)},
                                       {"to", t.to_status},
                                       {"channel", OrNull(t.channel, sp)},
                                       {"actor", t.actor},
                                       {"reason", t.reason},
                                       {"at", FormatTimestamp(t.at)}},
                                      sp));
  }
  return out;
}

// The actions this caller could take now, so clients need not mirror the state machine.
boost::json::array AllowedFor(const Principal& principal, const store::DeclarationRow& row,
                              boost::json::storage_ptr sp = {}) {
  boost::json::array out(std::move(sp));
  auto status = decl::ParseStatus(row.status);
  auto channel = decl::ParseChannel(row.channel);
  if (!status.ok() || !channel.ok()) return out;
  std::optional<decl::ActorKind> actor;
  if (identity::Policy::CanDecide(principal, {row.organisation_id, row.office}).ok()) {
    actor = decl::ActorKind::kOfficer;
  } else if (identity::Policy::CanFile(principal, row.organisation_id).ok()) {
    actor = decl::ActorKind::kDeclarant;
  }
  if (!actor) return out;
  for (decl::Action action : decl::AllowedActions(*status, *channel, *actor)) {
    out.emplace_back(decl::ActionName(action));
  }
  return out;
}

// Resource() is the declaration resource as `principal` may see it: the full rendering passed
// through its data view (app/data_views.h). kPermissionDenied "forbidden" when it has none.
// The whole tree, the answer included, is built in `sp` (RenderWith() passes an arena).
Result<boost::json::object> Resource(app::Runtime& runtime, const Principal& principal,
                                     const DeclarationRecord& record,
                                     boost::json::storage_ptr sp = {}) {
  CW_ASSIGN_OR_RETURN(app::DataView view,
                      app::DataViewFor(principal, {record.row.organisation_id, record.row.office},
                                       app::ViewedResource::kDeclaration));
  boost::json::object out = Summary(record.row, sp);
  auto payload = ParseJson(record.row.payload, sp);
  out["declaration"] =
      payload.ok() ? std::move(payload).value() : boost::json::value(nullptr, sp);
  out["history"] = History(record.transitions, sp);
  out["allowedActions"] = AllowedFor(principal, record.row, sp);
  // Issue 7: the trader does not learn why the risk engine routed it (app/assessment.h); the
  // quote made at filing is summarised, the assessment linked.
  auto assessment_view =
      app::AssessmentViewFor(principal, {record.row.organisation_id, record.row.office});
  if (assessment_view.ok() && *assessment_view == app::AssessmentView::kTrader) {
    out["history"] = History(app::TraderHistory(record.transitions), sp);
  }
  if (record.assessment) {
    if (auto quote = app::QuoteSummaryOf(*record.assessment, sp)) out["quote"] = std::move(*quote);
    out["links"].as_object()["assessment"] = "/v1/declarations/" + record.row.id + "/assessment";
    out["links"].as_object()["quote"] = "/v1/declarations/" + record.row.id + "/quote";
  }
  return app::Minimise(out, view, app::ViewedResource::kDeclaration, runtime.pseudonymiser(), sp);
}

// The callers of changes (filers, officers) may always read what they changed; should the
// view refuse anyway, the stored answer is the refusal, never the unfiltered resource.
app::Renderer RenderWith(app::Runtime& runtime, const Principal& principal, int status) {
  return [&runtime, principal, status](const DeclarationRecord& record) {
    // Every tree of the rendering lives in one arena, released at once when it is serialised.
    boost::json::monotonic_resource arena(16384);
    auto shown = Resource(runtime, principal, record, &arena);
    if (!shown.ok()) {
      return app::StoredResponse{403, ProblemFromError(shown.error()).body, record.row.id};
    }
    return app::StoredResponse{status, boost::json::serialize(*shown), record.row.id};
  };
}

Response FromOutcome(const app::Outcome& outcome, bool created) {
  Response response;
  response.status = outcome.response.status_code;
  response.content_type = std::string(kJsonContentType);
  response.body = outcome.response.body;
  if (created) {
    response.headers.emplace_back("Location", "/v1/declarations/" + outcome.response.resource_id);
  }
  if (outcome.replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

std::string ETagOf(int64_t version) { return "\"" + std::to_string(version) + "\""; }

// If-Match: "3" (or 3) names the version the caller amended.
Result<std::optional<int64_t>> IfMatchOf(const Request& request) {
  auto header = request.Header("if-match");
  if (!header) return std::optional<int64_t>();
  std::string_view text = *header;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  auto version = ParseInteger("If-Match", text, 1, INT32_MAX);
  if (!version.ok()) return std::move(version).error();
  return std::optional<int64_t>(*version);
}

// A protected handler: authenticate, then run `body` with the principal.
template <class F>
Handler Protected(app::Runtime& runtime, F body) {
  return [&runtime, body](const Request& request) -> Response {
    // API tokens need the scope of what the route does; sessions are judged by the policy.
    const identity::TokenScope scope = request.method == "GET"
                                           ? identity::TokenScope::kDeclarationsRead
                                           : identity::TokenScope::kDeclarationsWrite;
    auto principal = Authenticate(runtime, request, scope);
    if (!principal.ok()) return Fail(principal.error(), request);
    Response response = body(request, *principal);
    if (response.status == 403) {
      runtime.identity().RecordDenied(*principal, request.route_pattern, ContextOf(request));
    }
    return response;
  };
}

// Route patterns are constants of this file: a refusal is a programmer error.
void AddRoute(Router& router, std::string_view method, std::string_view pattern, Handler handler) {
  Status added = router.Add(method, pattern, std::move(handler));
  CW_CHECK(added.ok());
}

}  // namespace

void RegisterRoutes(Router& router, app::Runtime& runtime, Metrics& metrics) {
  metrics.AddGauge("clearway_declarations", "Declarations in the store", [&runtime] {
    auto count = runtime.store().CountDeclarations();
    return count.ok() ? static_cast<double>(*count) : -1.0;
  });
  // Every security event becomes one structured log line (no secrets: the event model refuses
  // them), for the operator's SIEM.
  runtime.security_log().AddObserver([](const identity::SecurityEvent& event) {
    spdlog::info(R"({{"event":"security_event","data":{}}})", identity::SecurityEventJson(event));
  });
  metrics.AddGauge("clearway_security_events_unjournaled_total",
                   "Security events the store failed to write (kept in the log stream only)",
                   [&runtime] { return static_cast<double>(runtime.security_log().unjournaled()); });
  metrics.AddGauge("clearway_security_events_dropped_total",
                   "Security events refused as malformed (a bug: they name a secret or are empty)",
                   [&runtime] { return static_cast<double>(runtime.security_log().dropped()); });
  app::LedgerService& ledger = runtime.ledger();
  metrics.AddGauge("clearway_ledger_checkpoint_failures_total",
                   "Background checkpoints that failed to be signed or kept",
                   [&ledger] { return static_cast<double>(ledger.checkpoint_failures()); });
  metrics.AddGauge("clearway_ledger_forks_detected_total",
                   "Fork alarms: checkpoints signed by this log's key that its tree denies",
                   [&ledger] { return static_cast<double>(ledger.forks_detected()); });
  metrics.AddGauge("clearway_ledger_tree_size", "Leaves in the ledger", [&runtime] {
    auto size = runtime.store().LedgerTree().LeafCount();
    return size.ok() ? static_cast<double>(*size) : -1.0;
  });
  metrics.AddGauge("clearway_ledger_checkpoint_size", "Tree size of the latest signed checkpoint",
                   [&ledger] {
                     auto latest = ledger.LatestCheckpoint();
                     return latest.ok() ? static_cast<double>(latest->size) : -1.0;
                   });
  AddRoute(router, "GET", "/healthz", [&runtime](const Request&) {
    auto count = runtime.store().CountDeclarations();
    if (!count.ok()) return Problem(503, "store-unavailable", "Unavailable", "store unavailable");
    return JsonResponse(200, boost::json::object{{"status", "ok"}});
  });

  AddRoute(router, "GET", "/metrics", [&metrics](const Request&) {
    return TextResponse(200, metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  AddRoute(router, "GET", "/v1/openapi.json", [](const Request&) {
    return JsonResponse(200, OpenApiDocument());
  });

  auto& service = runtime.declarations();

  AddRoute(router, "POST", "/v1/declarations",
             Protected(runtime, [&service, &runtime](const Request& request,
                                                     const Principal& principal) {
               auto body = JsonBody(request);
               auto idem = IdempotencyOf(request, body.ok() ? &*body : nullptr);
               if (!idem.ok()) return Fail(idem.error(), request);
               if (!body.ok()) return Fail(body.error(), request);
               auto draft = request.QueryParam("draft");
               bool is_draft = draft && (*draft == "true" || *draft == "1");
               auto outcome = service.File(principal, *body, is_draft,
                                           idem->has_value() ? &**idem : nullptr,
                                           RenderWith(runtime, principal, 201));
               if (!outcome.ok()) return Fail(outcome.error(), request);
               return FromOutcome(*outcome, true);
             }));

  AddRoute(router, "GET", "/v1/declarations",
             Protected(runtime, [&service, &runtime](const Request& request,
                                                     const Principal& principal) {
               // The page shows each row through the caller's view; a role without one
               // (tariff managers) lists nothing.
               std::optional<app::DataView> view = app::DataViewOf(principal.role);
               if (!view) {
                 return Fail(Error::PermissionDenied("forbidden", "you are not allowed to do this"),
                             request);
               }
               app::ListQuery query;
               store::PageRequest page;
               auto param = [&](std::string_view name) {
                 auto v = request.QueryParam(name);
                 return v ? std::string(*v) : std::string();
               };
               query.status = param("status");
               query.type = param("type");
               query.channel = param("channel");
               query.office = param("office");
               // Exact look-ups through blind indexes: the values never reach the database.
               query.invoice_number = param("invoiceNumber");
               query.container = param("container");
               for (auto [name, target] : {std::pair{"createdFrom", &query.created_from},
                                           std::pair{"createdTo", &query.created_to}}) {
                 if (auto text = request.QueryParam(name)) {
                   auto t = ParseTimestamp(*text);
                   if (!t.ok()) {
                     Error e = t.error();
                     e.field_path = name;
                     return Fail(e, request);
                   }
                   *target = *t;
                 }
               }
               if (auto limit = request.QueryParam("limit")) {
                 auto n = ParseInteger("limit", *limit, 1, 500);
                 if (!n.ok()) return Fail(n.error(), request);
                 page.limit = static_cast<int>(*n);
               }
               page.after_cursor = param("cursor");
               if (!query.status.empty()) {
                 if (auto s = decl::ParseStatus(query.status); !s.ok()) {
                   Error e = s.error();
                   e.field_path = "status";
                   return Fail(e, request);
                 }
               }
               auto result = service.List(principal, query, page);
               if (!result.ok()) return Fail(result.error(), request);
               boost::json::array items;
               for (const auto& row : result->items) items.push_back(Summary(row));
               auto shown = app::Minimise(
                   boost::json::object{{"items", std::move(items)},
                                       {"nextCursor", OrNull(result->next_cursor)}},
                   *view, app::ViewedResource::kDeclarationList, runtime.pseudonymiser());
               if (!shown.ok()) return Fail(shown.error(), request);
               return JsonResponse(200, *shown);
             }));

  AddRoute(router, "GET", "/v1/declarations/{id}",
             Protected(runtime, [&service, &runtime](const Request& request,
                                                     const Principal& principal) {
               std::optional<int64_t> version;
               if (auto v = request.QueryParam("version")) {
                 auto n = ParseInteger("version", *v, 1, INT32_MAX);
                 if (!n.ok()) return Fail(n.error(), request);
                 version = *n;
               }
               auto record = service.Get(principal, std::string(*request.PathParam("id")), version);
               if (!record.ok()) return Fail(record.error(), request);
               auto shown = Resource(runtime, principal, *record);
               if (!shown.ok()) return Fail(shown.error(), request);
               Response response = JsonResponse(200, *shown);
               response.headers.emplace_back("ETag", ETagOf(record->row.version));
               return response;
             }));

  AddRoute(router, "PUT", "/v1/declarations/{id}",
             Protected(runtime, [&service, &runtime](const Request& request,
                                                     const Principal& principal) {
               auto body = JsonBody(request);
               auto idem = IdempotencyOf(request, body.ok() ? &*body : nullptr);
               if (!idem.ok()) return Fail(idem.error(), request);
               auto if_match = IfMatchOf(request);
               if (!if_match.ok()) return Fail(if_match.error(), request);
               if (!body.ok()) return Fail(body.error(), request);
               auto outcome = service.Amend(principal, std::string(*request.PathParam("id")), *body,
                                            *if_match, idem->has_value() ? &**idem : nullptr,
                                            RenderWith(runtime, principal, 200));
               if (!outcome.ok()) return Fail(outcome.error(), request);
               return FromOutcome(*outcome, false);
             }));

  AddRoute(router, "GET", "/v1/declarations/{id}/versions",
             Protected(runtime, [&service, &runtime](const Request& request,
                                                     const Principal& principal) {
               auto versions = service.Versions(principal, std::string(*request.PathParam("id")));
               if (!versions.ok()) return Fail(versions.error(), request);
               if (versions->empty()) {
                 return Fail(Error::NotFound("declaration-not-found", "no such declaration"),
                             request);
               }
               // The view of the current version's scope, which Versions() checked.
               const store::DeclarationRow& current = versions->back();
               auto view = app::DataViewFor(principal, {current.organisation_id, current.office},
                                            app::ViewedResource::kVersions);
               if (!view.ok()) return Fail(view.error(), request);
               boost::json::array items;
               for (const auto& row : *versions) {
                 boost::json::object item = Summary(row);
                 auto payload = ParseJson(row.payload);
                 item["declaration"] = payload.ok() ? std::move(payload).value()
                                                    : boost::json::value(nullptr);
                 items.push_back(std::move(item));
               }
               auto shown = app::Minimise(boost::json::object{{"items", std::move(items)}}, *view,
                                          app::ViewedResource::kVersions, runtime.pseudonymiser());
               if (!shown.ok()) return Fail(shown.error(), request);
               return JsonResponse(200, *shown);
             }));

  // Lifecycle actions. The declarant's: submit (a draft) and invalidate; the officer's:
  // decisions. The body, when present, is {"reason": "..."} (and "action" for decisions).
  auto action_route = [&](std::optional<decl::Action> fixed) {
    return Protected(runtime, [&service, &runtime, fixed](const Request& request,
                                                          const Principal& principal) {
      auto idem = IdempotencyOf(request);
      if (!idem.ok()) return Fail(idem.error(), request);
      std::string reason;
      std::optional<decl::Action> action = fixed;
      if (!request.body.empty()) {
        auto body = ParseJson(request.body);
        if (!body.ok()) return Fail(body.error(), request);
        if (!body->is_object()) {
          return Fail(Error::InvalidArgument("", "wrong-type", "the body must be a JSON object"),
                      request);
        }
        const auto& obj = body->get_object();
        for (const auto& kv : obj) {
          if (kv.key() != "reason" && (fixed || kv.key() != "action")) {
            return Fail(Error::InvalidArgument(std::string(kv.key()), "unknown-field",
                                               "unknown field"),
                        request);
          }
        }
        if (const auto* r = obj.if_contains("reason")) {
          if (!r->is_string()) {
            return Fail(Error::InvalidArgument("reason", "wrong-type", "reason must be a string"),
                        request);
          }
          reason = std::string(r->get_string());
        }
        if (!fixed) {
          if (const auto* a = obj.if_contains("action"); a != nullptr && a->is_string()) {
            auto parsed = decl::ParseAction(a->get_string());
            if (!parsed.ok()) {
              Error e = parsed.error();
              e.field_path = "action";
              return Fail(e, request);
            }
            action = *parsed;
          }
        }
      }
      if (!action) {
        return Fail(Error::InvalidArgument("action", "required",
                                           "say which decision: route_green, route_yellow, "
                                           "route_red, release, hold, seize or reject"),
                    request);
      }
      if (!fixed && (*action == decl::Action::kSubmit || *action == decl::Action::kInvalidate ||
                     *action == decl::Action::kAmend || *action == decl::Action::kAccept)) {
        return Fail(Error::InvalidArgument("action", "unknown-action",
                                           "not an officer decision: use route_green, "
                                           "route_yellow, route_red, release, hold, seize or reject"),
                    request);
      }
      auto outcome = service.Act(principal, std::string(*request.PathParam("id")), *action,
                                 reason, idem->has_value() ? &**idem : nullptr,
                                 RenderWith(runtime, principal, 200));
      if (!outcome.ok() && outcome.error().reason == "override-reason-required") {
        return OverrideReasonRequired(outcome.error(), request);  // 422 (api/risk_routes.h)
      }
      if (!outcome.ok()) return Fail(outcome.error(), request);
      return FromOutcome(*outcome, false);
    });
  };
  AddRoute(router, "POST", "/v1/declarations/{id}/submit", action_route(decl::Action::kSubmit));
  AddRoute(router, "POST", "/v1/declarations/{id}/invalidate", action_route(decl::Action::kInvalidate));
  AddRoute(router, "POST", "/v1/declarations/{id}/decisions", action_route(std::nullopt));

  RegisterLedgerRoutes(router, runtime);
  RegisterSessionRoutes(router, runtime);
  RegisterTariffRoutes(router, runtime);
  RegisterRiskRoutes(router, runtime, metrics);  // issue 7 (api/risk_routes.h)
  RegisterSecurityRoutes(router, runtime);
  RegisterRetentionRoutes(router, runtime);  // issue 5 (api/retention_routes.h)
}

}  // namespace clearway::api
