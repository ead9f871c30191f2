#include "api/security_routes.h"

#include <boost/json.hpp>
#include <string>
#include <utility>

#include "api/auth.h"
#include "api/route_util.h"
#include "identity/security_event.h"
#include "store/ledger_records.h"

namespace clearway::api {

namespace {

namespace json = boost::json;

constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 500;

// FilterOf() reads and checks the query; names and outcomes must be ones the log can hold.
Result<store::SecurityEventFilter> FilterOf(const Request& request) {
  store::SecurityEventFilter filter;
  if (auto type = request.QueryParam("type")) {
    Result<identity::SecurityEventType> parsed = identity::ParseSecurityEventType(*type);
    if (!parsed.ok()) {
      Error error = std::move(parsed).error();
      error.field_path = "type";
      return error;
    }
    filter.type = std::string(*type);
  }
  if (auto outcome = request.QueryParam("outcome")) {
    Result<identity::SecurityOutcome> parsed = identity::ParseSecurityOutcome(*outcome);
    if (!parsed.ok()) {
      Error error = std::move(parsed).error();
      error.field_path = "outcome";
      return error;
    }
    filter.outcome = std::string(*outcome);
  }
  if (auto actor = request.QueryParam("actor")) {
    if (actor->empty() || actor->size() > identity::kMaxSecurityEventField) {
      return Error::InvalidArgument("actor", "bad-parameter",
                                    "actor must be a user id of 1 to 256 characters");
    }
    filter.actor = std::string(*actor);
  }
  CW_ASSIGN_OR_RETURN(filter.from, TimestampParam(request, "from"));
  CW_ASSIGN_OR_RETURN(filter.to, TimestampParam(request, "to"));
  return filter;
}

Result<json::value> ListEvents(app::Runtime& runtime, const Request& request) {
  CW_ASSIGN_OR_RETURN(store::SecurityEventFilter filter, FilterOf(request));
  store::PageRequest page;
  CW_ASSIGN_OR_RETURN(int64_t limit, IntegerParam(request, "limit", 1, kMaxLimit, kDefaultLimit));
  page.limit = static_cast<int>(limit);
  if (auto cursor = request.QueryParam("cursor")) page.after_cursor = std::string(*cursor);
  CW_ASSIGN_OR_RETURN(store::SecurityEventPage events,
                      runtime.store().ListSecurityEvents(filter, page));
  json::array items;
  for (const store::SecurityEventRow& row : events.items) {
    boost::system::error_code ec;
    json::value event = json::parse(row.event, ec);
    if (ec || !event.is_object()) {
      return Error::DataLoss("security-event-unreadable",
                             "a stored security event is not valid JSON");
    }
    event.as_object()["recordId"] = store::SecurityEventRecordId(row.id);
    items.push_back(std::move(event));
  }
  json::value next = events.next_cursor.empty() ? json::value(nullptr)
                                                : json::value(events.next_cursor);
  return json::value(json::object{{"items", std::move(items)}, {"nextCursor", std::move(next)}});
}

}  // namespace

void RegisterSecurityRoutes(Router& router, app::Runtime& runtime) {
  Status added = router.Add(
      "GET", "/v1/security/events", [&runtime](const Request& request) -> Response {
        auto caller =
            Authenticate(runtime, request, identity::TokenScope::kSecurityEventsRead);
        if (!caller.ok()) return ErrorResponse(caller.error(), request);
        Status allowed = identity::Policy::CanReadSecurityEvents(*caller);
        if (!allowed.ok()) {
          return ErrorResponse(Denied(runtime, *caller, request, allowed.error()), request);
        }
        Result<json::value> answer = ListEvents(runtime, request);
        if (!answer.ok()) return ErrorResponse(answer.error(), request);
        return JsonResponse(200, *answer);
      });
  CW_CHECK(added.ok());
}

}  // namespace clearway::api
