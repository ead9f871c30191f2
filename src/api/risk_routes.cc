#include "api/risk_routes.h"

#include <string>

#include "api/auth.h"
#include "api/error_catalog.h"
#include "api/problem.h"
#include "api/route_util.h"
#include "app/data_views.h"
#include "common/json.h"
#include "risk/profiles.h"

namespace clearway::api {

namespace {

namespace json = boost::json;
using identity::Principal;
using identity::TokenScope;

void AddRoute(Router& router, std::string_view method, std::string_view pattern, Handler handler) {
  Status added = router.Add(method, pattern, std::move(handler));
  CW_CHECK(added.ok());  // patterns are constants of this file
}

json::value ProfileJson(const risk::RiskProfile& profile) {
  auto written = ParseJson(risk::ProfilesToJson({profile}));
  CW_CHECK(written.ok());  // ProfilesToJson() writes JSON
  return written->get_object().at("profiles").get_array().at(0);
}

json::array ProfilesJson(const std::vector<risk::RiskProfile>& profiles) {
  auto written = ParseJson(risk::ProfilesToJson(profiles));
  CW_CHECK(written.ok());
  return written->get_object().at("profiles").get_array();
}

Error Unavailable() {
  return Error::Unavailable("risk-engine-unavailable",
                            "the risk engine is not running on this server");
}

std::string IdOf(const Request& request) { return std::string(*request.PathParam("id")); }

}  // namespace

Response OverrideReasonRequired(const Error& error, const Request& request) {
  ProblemDetails problem;
  problem.status = 422;
  problem.reason = error.reason;
  problem.title = "Override reason required";
  problem.detail = error.message;
  problem.instance = request.path;
  problem.hint = ErrorHint(error.reason);
  problem.errors.push_back(FieldProblem{"reason", error.reason, error.message, problem.hint});
  return ProblemResponse(std::move(problem));
}

void RegisterRiskRoutes(Router& router, app::Runtime& runtime, Metrics& metrics) {
  metrics.AddGauge("clearway_risk_quota_draw_failures_total",
                   "Quota draws refused after a declaration was filed (quota exhausted since "
                   "its quote)",
                   [&runtime] {
                     app::RiskService* risk = runtime.risk();
                     return risk == nullptr ? 0.0
                                            : static_cast<double>(risk->quota_draw_failures());
                   });

  AddRoute(router, "GET", "/v1/declarations/{id}/assessment",
           Guarded(runtime, TokenScope::kDeclarationsRead, 200,
                   [&runtime](const Request& request,
                              const Principal& principal) -> Result<json::value> {
                     // 0 when absent: the latest version.
                     CW_ASSIGN_OR_RETURN(int64_t version,
                                         IntegerParam(request, "version", 1, INT32_MAX, 0));
                     CW_ASSIGN_OR_RETURN(
                         app::AssessmentAccess found,
                         runtime.declarations().GetAssessment(
                             principal, IdOf(request),
                             version > 0 ? std::optional<int64_t>(version) : std::nullopt));
                     const store::DeclarationRow& row = found.declaration;
                     CW_ASSIGN_OR_RETURN(
                         app::DataView view,
                         app::DataViewFor(principal, {row.organisation_id, row.office},
                                          app::ViewedResource::kAssessment));
                     CW_ASSIGN_OR_RETURN(
                         json::object shown,
                         app::Minimise(app::AssessmentJson(found.assessment, row, found.view),
                                       view, app::ViewedResource::kAssessment,
                                       runtime.pseudonymiser()));
                     return json::value(std::move(shown));
                   }));

  AddRoute(router, "POST", "/v1/declarations/{id}/inspection-result",
           Guarded(runtime, TokenScope::kDeclarationsWrite, 201,
                   [&runtime](const Request& request,
                              const Principal& principal) -> Result<json::value> {
                     app::RiskService* risk = runtime.risk();
                     if (risk == nullptr) return Unavailable();
                     if (request.body.empty()) {
                       return Error::InvalidArgument("", "empty-body",
                                                     "send {\"fraudFound\": true|false, ...}");
                     }
                     CW_ASSIGN_OR_RETURN(json::value body, ParseJson(request.body));
                     CW_ASSIGN_OR_RETURN(app::InspectionRecord record,
                                         risk->RecordInspection(principal, IdOf(request), body));
                     return json::value(json::object{
                         {"declarationId", record.declaration_id},
                         {"version", record.version},
                         {"fraudFound", record.fraud_found},
                         {"dutiesRaised", record.duties_raised},
                         {"currency", "EUR"},
                         {"inspectedOn", FormatDate(record.inspected_on)},
                         {"recordedBy", record.recorded_by}});
                   }));

  AddRoute(router, "GET", "/v1/risk/profiles",
           Guarded(runtime, TokenScope::kRiskRead, 200,
                   [&runtime](const Request&, const Principal& principal) -> Result<json::value> {
                     app::RiskService* risk = runtime.risk();
                     if (risk == nullptr) return Unavailable();
                     CW_ASSIGN_OR_RETURN(auto profiles, risk->ListProfiles(principal));
                     json::array changes;
                     for (const auto& c : risk->profiles().Changes()) {
                       changes.push_back(json::object{{"profile", c.profile},
                                                      {"change", c.change},
                                                      {"by", c.by},
                                                      {"at", FormatTimestamp(c.at)}});
                     }
                     return json::value(json::object{{"profiles", ProfilesJson(profiles)},
                                                     {"changes", std::move(changes)},
                                                     {"modelVersion", risk->model_version()}});
                   }));

  AddRoute(router, "POST", "/v1/risk/profiles",
           Guarded(runtime, TokenScope::kRiskWrite, 201,
                   [&runtime](const Request& request,
                              const Principal& principal) -> Result<json::value> {
                     app::RiskService* risk = runtime.risk();
                     if (risk == nullptr) return Unavailable();
                     if (request.body.empty()) {
                       return Error::InvalidArgument("", "empty-body", "send one profile as JSON");
                     }
                     CW_ASSIGN_OR_RETURN(risk::RiskProfile created,
                                         risk->CreateProfile(principal, request.body));
                     return ProfileJson(created);
                   }));

  AddRoute(router, "POST", "/v1/risk/profiles/{id}/test",
           Guarded(runtime, TokenScope::kRiskRead, 200,
                   [&runtime](const Request& request,
                              const Principal& principal) -> Result<json::value> {
                     app::RiskService* risk = runtime.risk();
                     if (risk == nullptr) return Unavailable();
                     CW_ASSIGN_OR_RETURN(app::ProfileTrial trial,
                                         risk->TestProfile(principal, IdOf(request)));
                     double rate = trial.declarations == 0
                                       ? 0.0
                                       : static_cast<double>(trial.declaration_hits) /
                                             static_cast<double>(trial.declarations);
                     return json::value(json::object{{"profile", trial.profile},
                                                     {"declarations", trial.declarations},
                                                     {"lines", trial.lines},
                                                     {"declarationHits", trial.declaration_hits},
                                                     {"lineHits", trial.line_hits},
                                                     {"hitRate", rate},
                                                     {"inspectedHits", trial.inspected_hits},
                                                     {"fraudHits", trial.fraud_hits}});
                   }));

  for (bool activate : {true, false}) {
    AddRoute(router, "POST",
             activate ? "/v1/risk/profiles/{id}/activate" : "/v1/risk/profiles/{id}/retire",
             Guarded(runtime, TokenScope::kRiskWrite, 200,
                     [&runtime, activate](const Request& request,
                                          const Principal& principal) -> Result<json::value> {
                       app::RiskService* risk = runtime.risk();
                       if (risk == nullptr) return Unavailable();
                       CW_ASSIGN_OR_RETURN(risk::RiskProfile changed,
                                           activate ? risk->ActivateProfile(principal,
                                                                            IdOf(request))
                                                    : risk->RetireProfile(principal,
                                                                          IdOf(request)));
                       return ProfileJson(changed);
                     }));
  }
}

}  // namespace clearway::api
