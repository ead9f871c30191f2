#include "api/retention_routes.h"

#include <string>
#include <utility>

#include <boost/json.hpp>

#include "api/auth.h"
#include "api/route_util.h"
#include "common/json.h"

namespace clearway::api {

namespace {

namespace json = boost::json;
using identity::Principal;
using identity::TokenScope;

json::value HoldJson(const store::LegalHold& hold) {
  json::object out{{"id", hold.hold.id},
                   {"scope", hold.hold.scope},
                   {"target", hold.hold.target_id},
                   {"caseReference", hold.hold.case_reference},
                   {"reason", hold.hold.reason},
                   {"placedBy", hold.hold.placed_by},
                   {"placedAt", FormatTimestamp(hold.hold.placed_at)},
                   {"active", hold.active()}};
  if (hold.release.has_value()) {
    out["releasedBy"] = hold.release->released_by;
    out["releasedAt"] = FormatTimestamp(hold.release->released_at);
    out["releaseReason"] = hold.release->reason;
  }
  return out;
}

// Body() parses the request body as a JSON object.
Result<json::object> Body(const Request& request) {
  if (request.body.empty()) {
    return Error::InvalidArgument("", "empty-body", "send the JSON document in the body");
  }
  CW_ASSIGN_OR_RETURN(json::value body, ParseJson(request.body));
  if (!body.is_object()) return Error::InvalidArgument("", "wrong-type", "send a JSON object");
  return std::move(body.as_object());
}

// Text() is the string member `name`, "" when absent; kInvalidArgument "wrong-type" when it is
// not a string.
Result<std::string> Text(const json::object& body, std::string_view name) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr) return std::string();
  if (!value->is_string()) {
    return Error::InvalidArgument(std::string(name), "wrong-type",
                                  std::string(name) + " must be a string");
  }
  return std::string(value->as_string());
}

json::value PlanJson(const app::RetentionPlan& plan) {
  json::array items;
  for (const app::PlanItem& item : plan.items) {
    json::array held;
    for (const std::string& id : item.held_by) held.push_back(json::value(id));
    items.push_back(json::object{{"class", app::RecordClassName(item.record_class)},
                                 {"id", item.id},
                                 {"closedAt", FormatTimestamp(item.closed_at)},
                                 {"dueAt", FormatTimestamp(item.due_at)},
                                 {"heldBy", std::move(held)},
                                 {"count", item.count}});
  }
  return json::object{{"asOf", FormatTimestamp(plan.as_of)},
                      {"due", plan.due()},
                      {"held", plan.held()},
                      {"items", std::move(items)}};
}

}  // namespace

void RegisterRetentionRoutes(Router& router, app::Runtime& runtime) {
  auto add = [&router](std::string_view method, std::string_view pattern, Handler handler) {
    Status added = router.Add(method, pattern, std::move(handler));
    CW_CHECK(added.ok());
  };
  add("GET", "/v1/retention/holds",
      Guarded(runtime, TokenScope::kRetentionRead, 200,
              [&runtime](const Request& request, const Principal& caller) -> Result<json::value> {
                auto all = request.QueryParam("all");
                if (all.has_value() && *all != "true" && *all != "false") {
                  return Error::InvalidArgument("all", "bad-parameter", "all is true or false");
                }
                CW_ASSIGN_OR_RETURN(
                    std::vector<store::LegalHold> holds,
                    runtime.retention().ListHolds(caller, all.has_value() && *all == "true"));
                json::array items;
                for (const store::LegalHold& hold : holds) items.push_back(HoldJson(hold));
                return json::value(json::object{{"items", std::move(items)}});
              }));
  add("POST", "/v1/retention/holds",
      Guarded(runtime, TokenScope::kRetentionWrite, 201,
              [&runtime](const Request& request, const Principal& caller) -> Result<json::value> {
                // The policy first: a caller who may not place holds learns nothing more.
                CW_RETURN_IF_ERROR(identity::Policy::CanManageRetention(caller));
                CW_ASSIGN_OR_RETURN(json::object body, Body(request));
                app::HoldRequest hold;
                CW_ASSIGN_OR_RETURN(hold.scope, Text(body, "scope"));
                CW_ASSIGN_OR_RETURN(hold.target_id, Text(body, "target"));
                CW_ASSIGN_OR_RETURN(hold.case_reference, Text(body, "caseReference"));
                CW_ASSIGN_OR_RETURN(hold.reason, Text(body, "reason"));
                CW_ASSIGN_OR_RETURN(store::LegalHold placed,
                                    runtime.retention().PlaceHold(caller, hold));
                return HoldJson(placed);
              }));
  add("POST", "/v1/retention/holds/{id}/release",
      Guarded(runtime, TokenScope::kRetentionWrite, 200,
              [&runtime](const Request& request, const Principal& caller) -> Result<json::value> {
                CW_RETURN_IF_ERROR(identity::Policy::CanManageRetention(caller));
                CW_ASSIGN_OR_RETURN(json::object body, Body(request));
                CW_ASSIGN_OR_RETURN(std::string reason, Text(body, "reason"));
                CW_ASSIGN_OR_RETURN(
                    store::LegalHold released,
                    runtime.retention().ReleaseHold(caller, std::string(*request.PathParam("id")),
                                                    reason));
                return HoldJson(released);
              }));
  add("GET", "/v1/retention/plan",
      Guarded(runtime, TokenScope::kRetentionRead, 200,
              [&runtime](const Request& request, const Principal& caller) -> Result<json::value> {
                CW_ASSIGN_OR_RETURN(std::optional<Timestamp> at, TimestampParam(request, "at"));
                CW_ASSIGN_OR_RETURN(app::RetentionPlan plan,
                                    runtime.retention().Plan(caller, at));
                return PlanJson(plan);
              }));
  add("POST", "/v1/retention/run",
      Guarded(runtime, TokenScope::kRetentionWrite, 200,
              [&runtime](const Request&, const Principal& caller) -> Result<json::value> {
                CW_ASSIGN_OR_RETURN(app::RetentionRunReport report,
                                    runtime.retention().Run(caller));
                json::array purges;
                for (const std::string& id : report.purge_ids) purges.push_back(json::value(id));
                return json::value(json::object{{"at", FormatTimestamp(report.at)},
                                                {"purges", std::move(purges)},
                                                {"declarations", report.declarations},
                                                {"securityEvents", report.security_events},
                                                {"sessions", report.sessions},
                                                {"held", report.held}});
              }));
}

}  // namespace clearway::api
