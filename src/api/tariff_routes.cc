#include "api/tariff_routes.h"

#include <charconv>
#include <string>

#include "api/auth.h"
#include "api/route_util.h"
#include "app/data_views.h"
#include "common/json.h"
#include "declaration/declaration.h"
#include "tariff/tariff.h"

namespace clearway::api {

namespace {

namespace json = boost::json;

constexpr int64_t kDefaultLimit = 20;
constexpr int64_t kMaxSearchLimit = 100;
constexpr int64_t kMaxChangesLimit = 1000;

void AddRoute(Router& router, std::string_view method, std::string_view pattern, Handler handler) {
  Status added = router.Add(method, pattern, std::move(handler));
  CW_CHECK(added.ok());
}

// Any signed-in caller may read the tariff; an API token needs tariff:read (api/auth.h).
Result<std::string> Required(const Request& request, std::string_view name) {
  auto value = request.QueryParam(name);
  if (!value || value->empty()) {
    return Error::InvalidArgument(std::string(name), "required",
                                  "the query parameter " + std::string(name) + " is required");
  }
  return std::string(*value);
}

Result<Date> DateParam(const Request& request, std::string_view name, Timestamp now,
                       bool required) {
  auto value = request.QueryParam(name);
  if (!value || value->empty()) {
    if (required) return Required(request, name).error();
    return DateOf(now);
  }
  auto date = ParseDate(*value);
  if (!date.ok()) return Error::InvalidArgument(std::string(name), "bad-date", "use YYYY-MM-DD");
  return *date;
}

Result<Timestamp> AsOfParam(const Request& request, Timestamp now) {
  auto value = request.QueryParam("asOf");
  if (!value || value->empty()) return now;
  auto at = ParseTimestamp(*value);
  if (!at.ok()) return Error::InvalidArgument("asOf", "bad-timestamp", "use RFC 3339");
  return *at;
}

Result<int64_t> LimitParam(const Request& request, int64_t max) {
  auto value = request.QueryParam("limit");
  if (!value || value->empty()) return kDefaultLimit;
  int64_t limit = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), limit);
  if (ec != std::errc() || end != value->data() + value->size() || limit < 1 || limit > max) {
    return Error::InvalidArgument("limit", "bad-parameter",
                                  "limit must be a whole number from 1 to " + std::to_string(max));
  }
  return limit;
}

// Guarded() authenticates, then runs `body`; any Error becomes a problem.
template <class Body>
Handler Guarded(app::Runtime& runtime, Body body) {
  return [&runtime, body](const Request& request) -> Response {
    auto caller = Authenticate(runtime, request, identity::TokenScope::kTariffRead);
    if (!caller.ok()) return ErrorResponse(caller.error(), request);
    Result<json::value> answer = body(request);
    if (!answer.ok()) return ErrorResponse(answer.error(), request);
    return JsonResponse(200, *answer);
  };
}

}  // namespace

void RegisterTariffRoutes(Router& router, app::Runtime& runtime) {
  AddRoute(router, "GET", "/v1/measures",
           Guarded(runtime, [&runtime](const Request& request) -> Result<json::value> {
             Timestamp now = runtime.clock().Now();
             CW_ASSIGN_OR_RETURN(std::string code, Required(request, "code"));
             CW_ASSIGN_OR_RETURN(std::string origin, Required(request, "origin"));
             CW_ASSIGN_OR_RETURN(Date date, DateParam(request, "date", now, false));
             CW_ASSIGN_OR_RETURN(Timestamp as_of, AsOfParam(request, now));
             CW_ASSIGN_OR_RETURN(auto measures, tariff::FindMeasures(runtime.tariff(),
                                                                     {code, origin, date, as_of}));
             return json::value(json::object{{"code", code},
                                             {"origin", origin},
                                             {"date", FormatDate(date)},
                                             {"asOf", FormatTimestamp(as_of)},
                                             {"measures", tariff::MeasuresToJson(measures)}});
           }));

  AddRoute(router, "GET", "/v1/measures/changes",
           Guarded(runtime, [&runtime](const Request& request) -> Result<json::value> {
             CW_ASSIGN_OR_RETURN(Date since,
                                 DateParam(request, "since", runtime.clock().Now(), true));
             CW_ASSIGN_OR_RETURN(int64_t limit, LimitParam(request, kMaxChangesLimit));
             CW_ASSIGN_OR_RETURN(auto changes,
                                 runtime.tariff().ChangesSince(std::chrono::sys_days(since),
                                                               static_cast<size_t>(limit)));
             return json::value(json::object{{"since", FormatDate(since)},
                                             {"changes", tariff::ChangesToJson(changes)}});
           }));

  AddRoute(router, "GET", "/v1/tariff/search",
           Guarded(runtime, [&runtime](const Request& request) -> Result<json::value> {
             CW_ASSIGN_OR_RETURN(std::string q, Required(request, "q"));
             CW_ASSIGN_OR_RETURN(int64_t limit, LimitParam(request, kMaxSearchLimit));
             CW_ASSIGN_OR_RETURN(auto hits,
                                 runtime.tariff().Search(q, static_cast<size_t>(limit)));
             return json::value(
                 json::object{{"q", q}, {"results", tariff::SearchHitsToJson(hits)}});
           }));

  AddRoute(router, "POST", "/v1/duty/quote",
           Guarded(runtime, [&runtime](const Request& request) -> Result<json::value> {
             if (request.body.empty()) {
               return Error::InvalidArgument("", "empty-body", "send a declaration as JSON");
             }
             Timestamp now = runtime.clock().Now();
             CW_ASSIGN_OR_RETURN(auto declaration,
                                 declaration::ParseDeclarationText(request.body, now));
             tariff::QuoteOptions options;
             CW_ASSIGN_OR_RETURN(options.date, DateParam(request, "date", now, false));
             CW_ASSIGN_OR_RETURN(options.as_of, AsOfParam(request, now));
             CW_ASSIGN_OR_RETURN(tariff::DutyQuote quote,
                                 runtime.duty().Quote(declaration, options));
             return json::value(tariff::QuoteToJson(quote));
           }));

  // The quote of a filed declaration version: the one stored with its assessment when it was
  // filed (issue 7), else reproduced from the tariff as it was recorded when the version was
  // filed (bitemporal as_of), at the date it was filed. Quotas are read, never drawn here.
  AddRoute(router, "GET", "/v1/declarations/{id}/quote", [&runtime](const Request& request) {
    auto principal = api::Authenticate(runtime, request, identity::TokenScope::kDeclarationsRead);
    if (!principal.ok()) return ErrorResponse(principal.error(), request);
    std::optional<int64_t> version;
    if (auto v = request.QueryParam("version")) {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
      if (ec != std::errc() || end != v->data() + v->size() || n < 1) {
        return ErrorResponse(Error::InvalidArgument("version", "bad-parameter",
                                                    "version must be a whole number >= 1"),
                             request);
      }
      version = n;
    }
    auto record = runtime.declarations().Get(*principal, std::string(*request.PathParam("id")),
                                             version);
    if (!record.ok()) return ErrorResponse(Denied(runtime, *principal, request, record.error()), request);
    // The quote as the caller's data view shows it (app/data_views.h); views without one are
    // refused before any work.
    auto view = app::DataViewFor(*principal, {record->row.organisation_id, record->row.office},
                                 app::ViewedResource::kQuote);
    if (!view.ok()) return ErrorResponse(Denied(runtime, *principal, request, view.error()), request);
    auto shown = [&](const json::object& body) {
      auto minimised =
          app::Minimise(body, *view, app::ViewedResource::kQuote, runtime.pseudonymiser());
      if (!minimised.ok()) return ErrorResponse(minimised.error(), request);
      return JsonResponse(200, *minimised);
    };
    if (record->assessment && !record->assessment->quote.empty()) {
      auto stored = ParseJson(record->assessment->quote);
      if (stored.ok() && stored->is_object()) {
        json::object body = std::move(stored->get_object());
        body["declaration_id"] = record->row.id;
        body["version"] = record->row.version;
        body["as_of"] = FormatTimestamp(record->assessment->at);
        body["stored"] = true;
        return shown(body);
      }
    }
    Timestamp filed = record->row.created_at;
    for (const store::TransitionRow& transition : record->transitions) {
      if (transition.version == record->row.version) {
        filed = transition.at;
        break;
      }
    }
    auto declaration = declaration::ParseDeclarationText(record->row.payload, filed);
    if (!declaration.ok()) return ErrorResponse(declaration.error(), request);
    tariff::QuoteOptions options;
    options.date = DateOf(filed);
    options.as_of = filed;
    auto quote = runtime.duty().Quote(*declaration, options);
    if (!quote.ok()) return ErrorResponse(quote.error(), request);
    json::object body = tariff::QuoteToJson(*quote);
    body["declaration_id"] = record->row.id;
    body["version"] = record->row.version;
    body["as_of"] = FormatTimestamp(filed);
    body["stored"] = false;
    return shown(body);
  });
}

}  // namespace clearway::api
