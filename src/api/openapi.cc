#include "api/openapi.h"

#include <optional>
#include <string>

namespace clearway::api {

namespace {

namespace json = boost::json;

json::object Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json::object JsonContent(const json::object& schema) {
  return {{"application/json", {{"schema", schema}}}};
}

json::object ProblemResponse(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/problem+json", {{"schema", Ref("Problem")}}}}}};
}

json::object Op(const std::string& summary, const std::string& operation_id, bool secured,
                json::object responses, json::array parameters = {},
                std::optional<json::object> request_schema = std::nullopt) {
  json::object op{{"summary", summary}, {"operationId", operation_id}};
  if (!secured) op["security"] = json::array{};
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  if (request_schema) {
    op["requestBody"] = {{"required", true}, {"content", JsonContent(*request_schema)}};
  }
  if (secured) {
    responses["401"] = ProblemResponse("missing or bad credentials");
    responses["403"] = ProblemResponse("not allowed for this caller");
  }
  op["responses"] = std::move(responses);
  return op;
}

json::object Param(const std::string& name, const std::string& in, const std::string& description,
                   bool required = false, const std::string& type = "string") {
  return {{"name", name},
          {"in", in},
          {"required", required},
          {"description", description},
          {"schema", {{"type", type}}}};
}

json::object Resp(const std::string& description, const std::string& schema) {
  return {{"description", description}, {"content", JsonContent(Ref(schema))}};
}

json::value Build() {
  json::array id_param{Param("id", "path", "declaration id (ULID)", true)};
  json::object idem = Param("Idempotency-Key", "header",
                            "retries with the same key return the first response");
  json::object action_body{
      {"type", "object"},
      {"properties", {{"reason", {{"type", "string"}, {"maxLength", 1000}}}}},
      {"additionalProperties", false}};
  json::object decision_body{
      {"type", "object"},
      {"required", json::array{"action"}},
      {"properties",
       {{"action",
         {{"type", "string"},
          {"enum", json::array{"route_green", "route_yellow", "route_red", "release", "hold",
                               "seize", "reject"}}}},
        {"reason", {{"type", "string"}, {"maxLength", 1000}}}}},
      {"additionalProperties", false}};

  json::object paths;
  paths["/healthz"] = {{"get", Op("Liveness and store health", "getHealth", false,
                                  {{"200", {{"description", "healthy"}}},
                                   {"503", ProblemResponse("store unavailable")}})}};
  paths["/metrics"] = {{"get", Op("Prometheus metrics (text exposition format)", "getMetrics",
                                  false, {{"200", {{"description", "metrics"}}}})}};
  paths["/v1/openapi.json"] = {{"get", Op("This document", "getOpenApi", false,
                                          {{"200", {{"description", "OpenAPI 3.1"}}}})}};
  paths["/v1/declarations"] = {
      {"post", Op("File a declaration (validated, stored durably, accepted)", "fileDeclaration",
                  true,
                  {{"201", Resp("filed", "DeclarationResource")},
                   {"400", ProblemResponse("malformed JSON")},
                   {"413", ProblemResponse("body too large")},
                   {"415", ProblemResponse("not application/json")},
                   {"422", ProblemResponse("validation failed: every problem listed")}},
                  {idem, Param("draft", "query", "true to save a draft instead of filing")},
                  Ref("Declaration"))},
      {"get", Op("List declarations visible to the caller, newest first", "listDeclarations",
                 true, {{"200", Resp("a page", "DeclarationPage")},
                        {"400", ProblemResponse("bad filter or cursor")}},
                 {Param("status", "query", "lifecycle status"),
                  Param("type", "query", "import or export"),
                  Param("channel", "query", "green, yellow or red"),
                  Param("office", "query", "customs office"),
                  Param("invoiceNumber", "query",
                        "exact invoice number (case and spaces ignored; looked up by blind index)"),
                  Param("container", "query",
                        "exact ISO 6346 container id (looked up by blind index)"),
                  Param("createdFrom", "query", "RFC 3339, inclusive"),
                  Param("createdTo", "query", "RFC 3339, exclusive"),
                  Param("limit", "query", "1..500, default 50", false, "integer"),
                  Param("cursor", "query", "nextCursor of the previous page")})}};
  paths["/v1/declarations/{id}"] = {
      {"get", Op("Fetch a declaration with its history", "getDeclaration", true,
                 {{"200", Resp("the declaration", "DeclarationResource")},
                  {"404", ProblemResponse("no such declaration or version")},
                  {"410", ProblemResponse("purged under the retention policy "
                                          "(declaration-purged)")}},
                 {id_param[0], Param("version", "query", "a past version", false, "integer")})},
      {"put", Op("Amend: replace with a new version", "amendDeclaration", true,
                 {{"200", Resp("amended", "DeclarationResource")},
                  {"404", ProblemResponse("no such declaration")},
                  {"409", ProblemResponse("illegal in this status, or version mismatch")},
                  {"422", ProblemResponse("validation failed")}},
                 {id_param[0], idem,
                  Param("If-Match", "header", "the version amended, e.g. \"2\"")},
                 Ref("Declaration"))}};
  paths["/v1/declarations/{id}/versions"] = {
      {"get", Op("Every version of a declaration", "listVersions", true,
                 {{"200", {{"description", "versions, oldest first"}}},
                  {"404", ProblemResponse("no such declaration")}},
                 id_param)}};
  paths["/v1/declarations/{id}/submit"] = {
      {"post", Op("Submit a draft", "submitDeclaration", true,
                  {{"200", Resp("submitted and accepted", "DeclarationResource")},
                   {"409", ProblemResponse("not a draft")}},
                  {id_param[0], idem})}};
  paths["/v1/declarations/{id}/invalidate"] = {
      {"post", Op("Invalidate (withdraw) before release", "invalidateDeclaration", true,
                  {{"200", Resp("invalidated", "DeclarationResource")},
                   {"409", ProblemResponse("illegal in this status")},
                   {"400", ProblemResponse("reason missing")}},
                  {id_param[0], idem}, action_body)}};
  paths["/v1/declarations/{id}/decisions"] = {
      {"post", Op("An officer's decision: route, release, hold, seize, reject", "decide", true,
                  {{"200", Resp("decided", "DeclarationResource")},
                   {"409", ProblemResponse("illegal in this status")}},
                  {id_param[0], idem}, decision_body)}};

  // The ledger: public, read-only routes any verifier may use, and the receipt.
  json::object text_note{{"text/plain", {{"schema", {{"type", "string"}}}}}};
  paths["/v1/ledger/checkpoint"] = {
      {"get", Op("The latest signed checkpoint (C2SP tlog-checkpoint in a signed note)",
                 "getLedgerCheckpoint", false,
                 {{"200", {{"description", "the signed note"}, {"content", text_note}}},
                  {"404", ProblemResponse("no checkpoint signed yet")}})}};
  paths["/v1/ledger/checkpoint/witnessed"] = {
      {"get", Op("The latest checkpoint that witnesses cosigned, with their cosignature lines",
                 "getWitnessedCheckpoint", false,
                 {{"200", {{"description", "the cosigned note"}, {"content", text_note}}},
                  {"404", ProblemResponse("no witness has cosigned a checkpoint yet")}})}};
  paths["/v1/ledger/checkpoints/{size}"] = {
      {"get", Op("The checkpoint of one tree size, with the cosignatures kept for it",
                 "getCheckpointAt", false,
                 {{"200", {{"description", "the signed note"}, {"content", text_note}}},
                  {"400", ProblemResponse("bad size")},
                  {"404", ProblemResponse("no checkpoint of that size")}},
                 {Param("size", "path", "tree size", true, "integer")})}};
  paths["/v1/ledger/witnesses"] = {
      {"get", Op("The witnesses whose cosignatures this log accepts (verifier keys)",
                 "getLedgerWitnesses", false,
                 {{"200", Resp("the witness keys", "LedgerWitnesses")}})}};
  {
    json::object cosign = Op(
        "A witness hands in its cosignature: the checkpoint note with its cosignature/v1 line",
        "addCosignatures", false,
        {{"201", Resp("the cosignatures kept", "AcceptedCosignatures")},
         {"400", ProblemResponse("malformed note, foreign or mismatched checkpoint, or a "
                                 "cosignature that does not verify")},
         {"403", ProblemResponse("no witness this log trusts cosigned it")},
         {"404", ProblemResponse("no checkpoint of that size")},
         {"409", ProblemResponse("fork detected, or no witnesses configured")}});
    cosign["requestBody"] = {{"required", true}, {"content", text_note}};
    paths["/v1/ledger/cosignatures"] = {{"post", std::move(cosign)}};
  }
  // Sign-in, sessions, MFA and API tokens (docs/identity.md).
  json::object string_prop{{"type", "string"}};
  paths["/v1/sessions"] = {
      {"post",
       Op("Sign in: password and, when required, a TOTP or recovery code; answers a bearer token "
          "and sets the session cookie",
          "signIn", false,
          {{"201", Resp("signed in", "Session")},
           {"400", ProblemResponse("malformed body")},
           {"401", ProblemResponse("bad credentials, second factor required or wrong")},
           {"403", ProblemResponse("MFA is mandatory for this account and it has none")},
           {"429", ProblemResponse("too many failures: backoff or lockout (Retry-After)")}},
          {},
          json::object{{"type", "object"},
                       {"required", json::array{"username", "password"}},
                       {"properties",
                        {{"username", string_prop},
                         {"password", string_prop},
                         {"totp", string_prop},
                         {"recovery_code", string_prop}}},
                       {"additionalProperties", false}})}};
  paths["/v1/sessions/current"] = {
      {"get", Op("Who am I: the caller and its token", "getSession", true,
                 {{"200", Resp("the caller", "SessionInfo")}})},
      {"delete", Op("Sign out: revoke the presented token", "signOut", true,
                    {{"204", {{"description", "signed out"}}}})}};
  paths["/v1/mfa/enrolment"] = {
      {"post", Op("Begin TOTP enrolment: a fresh secret, its otpauth URI and QR code (SVG)",
                  "beginMfaEnrolment", true,
                  {{"201", Resp("the enrolment offer", "MfaOffer")},
                   {"409", ProblemResponse("a second factor is enrolled already")}})}};
  paths["/v1/mfa/enrolment/confirm"] = {
      {"post", Op("Confirm TOTP enrolment with a first code; answers recovery codes, once",
                  "confirmMfaEnrolment", true,
                  {{"200", Resp("the recovery codes", "RecoveryCodes")},
                   {"409", ProblemResponse("no enrolment begun")}},
                  {},
                  json::object{{"type", "object"},
                               {"required", json::array{"totp"}},
                               {"properties", {{"totp", string_prop}}},
                               {"additionalProperties", false}})}};
  paths["/v1/users/{username}/revoke-sessions"] = {
      {"post", Op("Administrators: revoke every token of a user", "revokeSessions", true,
                  {{"200", Resp("how many tokens were revoked", "Revoked")},
                   {"404", ProblemResponse("no such user")}},
                  {Param("username", "path", "the user", true, "string")})}};
  paths["/v1/api-tokens"] = {
      {"post", Op("Administrators: an API token with scopes for a service account",
                  "issueApiToken", true,
                  {{"201", Resp("the token, shown once", "ApiToken")},
                   {"400", ProblemResponse("unknown scope or bad lifetime")},
                   {"409", ProblemResponse("not an enabled service account")}},
                  {},
                  json::object{{"type", "object"},
                               {"required", json::array{"service_account", "scopes"}},
                               {"properties",
                                {{"service_account", string_prop},
                                 {"scopes", string_prop},
                                 {"lifetime_days", string_prop}}},
                               {"additionalProperties", false}})}};
  paths["/v1/ledger/key"] = {
      {"get", Op("The log's verifier key, name+keyid+base64 (C2SP signed-note)", "getLedgerKey",
                 false, {{"200", {{"description", "the verifier key"}, {"content", text_note}}}})}};
  paths["/v1/ledger/leaves/{index}"] = {
      {"get", Op("One leaf of the log: its hash, kind, record id and commitment", "getLedgerLeaf",
                 false,
                 {{"200", Resp("the leaf", "LedgerLeaf")},
                  {"400", ProblemResponse("bad index")},
                  {"404", ProblemResponse("no such leaf")}},
                 {Param("index", "path", "leaf index, from 0", true, "integer")})}};
  paths["/v1/ledger/proofs/inclusion"] = {
      {"get", Op("RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves",
                 "getInclusionProof", false,
                 {{"200", Resp("the proof", "LedgerProof")},
                  {"400", ProblemResponse("index or size out of range")}},
                 {Param("index", "query", "leaf index", true, "integer"),
                  Param("size", "query", "tree size", true, "integer")})}};
  paths["/v1/ledger/proofs/consistency"] = {
      {"get", Op("RFC 9162 consistency proof from tree size `from` to tree size `to`",
                 "getConsistencyProof", false,
                 {{"200", Resp("the proof", "LedgerProof")},
                  {"400", ProblemResponse("sizes out of range")}},
                 {Param("from", "query", "old tree size", true, "integer"),
                  Param("to", "query", "new tree size", true, "integer")})}};
  paths["/v1/ledger/witness/consistency"] = {
      {"post", Op("A witness: the latest checkpoint and its consistency proof from the size the "
                  "caller saw",
                  "witnessConsistency", false,
                  {{"200", Resp("the latest checkpoint and the proof", "WitnessAnswer")},
                   {"400", ProblemResponse("bad size, or a checkpoint this log did not sign")},
                   {"409", ProblemResponse("fork detected: this log signed the checkpoint sent "
                                           "but its tree disagrees")}},
                  {},
                  json::object{{"type", "object"},
                               {"required", json::array{"old_size"}},
                               {"properties",
                                {{"old_size", {{"type", "integer"}, {"minimum", 0}}},
                                 {"checkpoint", {{"type", "string"}}}}},
                               {"additionalProperties", false}})}};
  paths["/v1/declarations/{id}/quote"] = {
      {"get", Op("The duty and tax quote of a filed version, reproduced from the tariff as it "
                 "was recorded when the version was filed",
                 "getDeclarationQuote", true,
                 {{"200", Resp("the quote, through the caller's data view (a \"view\" member)",
                               "DutyQuote")},
                  {"403", ProblemResponse("forbidden, or the caller's view has no quote")},
                  {"404", ProblemResponse("no such declaration or version")}},
                 {id_param[0], Param("version", "query", "a past version", false, "integer")})}};
  paths["/v1/declarations/{id}/receipt"] = {
      {"get", Op("Ledger receipt: leaf index, commitment and inclusion proof of the current "
                 "version and every transition",
                 "getReceipt", true,
                 {{"200", Resp("the receipt (auditors and administrators: without records and "
                               "salts)", "Receipt")},
                  {"403", ProblemResponse("forbidden, or the caller's view has no receipt")},
                  {"404", ProblemResponse("no such declaration")}},
                 id_param)}};

  // The tariff (issue 6): measures, their changes, nomenclature search and duty quotes.
  json::object date_param = Param("date", "query", "YYYY-MM-DD (default today, UTC)");
  json::object as_of_param =
      Param("asOf", "query", "RFC 3339: the tariff as recorded then (default now)");
  json::object limit_param = Param("limit", "query", "at most this many", false, "integer");
  paths["/v1/measures"] = {
      {"get", Op("Every measure that applies to a commodity code from an origin on a date",
                 "getMeasures", true,
                 {{"200", Resp("the measures with legal base and conditions", "MeasureList")},
                  {"400", ProblemResponse("bad code, origin, date or asOf")}},
                 {Param("code", "query", "commodity code, 2 to 10 digits", true),
                  Param("origin", "query", "ISO 3166-1 alpha-2 country of origin", true),
                  date_param, as_of_param})}};
  paths["/v1/measures/changes"] = {
      {"get", Op("Measure versions (new, modified, ended) recorded since a date",
                 "getMeasureChanges", true,
                 {{"200", Resp("the changes, oldest first", "MeasureChanges")},
                  {"400", ProblemResponse("bad since or limit")}},
                 {Param("since", "query", "YYYY-MM-DD (UTC)", true), limit_param})}};
  paths["/v1/tariff/search"] = {
      {"get", Op("Full-text search of the nomenclature descriptions, best match first",
                 "searchTariff", true,
                 {{"200", Resp("the matches", "TariffSearchResults")},
                  {"400", ProblemResponse("no words to search for, or bad limit")}},
                 {Param("q", "query", "words to find", true), limit_param})}};
  paths["/v1/security/events"] = {
      {"get", Op("The security event log, newest first (auditors and administrators)",
                 "listSecurityEvents", true,
                 {{"200", Resp("a page of events", "SecurityEventPage")},
                  {"400", ProblemResponse("bad filter, limit or cursor")},
                  {"403", ProblemResponse("not an auditor or administrator")}},
                 {Param("type", "query", "event type, e.g. login-failed"),
                  Param("actor", "query", "user id of who acted"),
                  Param("outcome", "query", "success, failure or denied"),
                  Param("from", "query", "RFC 3339, inclusive"),
                  Param("to", "query", "RFC 3339, exclusive"), limit_param,
                  Param("cursor", "query", "nextCursor of the previous page")})}};
  // Retention and legal holds (issue 5, api/retention_routes.h).
  paths["/v1/retention/holds"] = {
      {"get", Op("Legal holds, active ones unless all=true (administrators and auditors)",
                 "listLegalHolds", true,
                 {{"200", Resp("the holds", "LegalHoldList")},
                  {"403", ProblemResponse("not an administrator or auditor")}},
                 {Param("all", "query", "true to include released holds")})},
      {"post", Op("Place a legal hold on a declaration or an organisation (administrators)",
                  "placeLegalHold", true,
                  {{"201", Resp("placed", "LegalHold")},
                   {"400", ProblemResponse("bad scope, target, case reference or reason")},
                   {"403", ProblemResponse("not an administrator")},
                   {"404", ProblemResponse("no such declaration")},
                   {"410", ProblemResponse("the declaration was purged")}},
                  {}, Ref("LegalHoldRequest"))}};
  paths["/v1/retention/holds/{id}/release"] = {
      {"post", Op("Release a legal hold (administrators)", "releaseLegalHold", true,
                  {{"200", Resp("released", "LegalHold")},
                   {"400", ProblemResponse("no reason")},
                   {"403", ProblemResponse("not an administrator")},
                   {"404", ProblemResponse("no such hold")},
                   {"409", ProblemResponse("released already")}},
                  {Param("id", "path", "hold id", true)}, Ref("HoldRelease"))}};
  paths["/v1/retention/plan"] = {
      {"get", Op("What a retention run would purge, when each record closed and fell due, and "
                 "which holds keep it (administrators and auditors)",
                 "getRetentionPlan", true,
                 {{"200", Resp("the plan", "RetentionPlan")},
                  {"400", ProblemResponse("bad at")},
                  {"403", ProblemResponse("not an administrator or auditor")}},
                 {Param("at", "query", "RFC 3339; default now")})}};
  paths["/v1/retention/run"] = {
      {"post", Op("Purge what is due now: crypto-shred declarations, delete security events and "
                  "sessions (administrators)",
                  "runRetention", true,
                  {{"200", Resp("what was purged", "RetentionRun")},
                   {"403", ProblemResponse("not an administrator")}},
                  {})}};
  paths["/v1/duty/quote"] = {
      {"post", Op("Quote duties and taxes of a declaration, explained per goods item",
                  "quoteDuty", true,
                  {{"200", Resp("the quote", "DutyQuote")},
                   {"400", ProblemResponse("malformed body or parameters, or not an import")},
                   {"409", ProblemResponse("no exchange rate, or a quantity unit the duty needs")},
                   {"422", ProblemResponse("the declaration is not valid")}},
                  {date_param, as_of_param}, Ref("Declaration"))}};

  // The risk engine wired into filing (issue 7, api/risk_routes.h).
  json::array profile_param{Param("id", "path", "risk profile id", true)};
  paths["/v1/declarations/{id}/decisions"].as_object()["post"].as_object()["responses"]
      .as_object()["422"] = ProblemResponse("a route against the risk engine's channel without a "
                                            "reason (override-reason-required)");
  paths["/v1/declarations/{id}/assessment"] = {
      {"get", Op("The duty quote and risk decision made when a version was filed (officers of "
                 "the office, risk analysts, auditors: all of it; the trader: channel and quote)",
                 "getAssessment", true,
                 {{"200", Resp("the assessment", "Assessment")},
                  {"400", ProblemResponse("bad version")},
                  {"404", ProblemResponse("no such declaration, version or assessment")}},
                 {id_param[0], Param("version", "query", "a past version", false, "integer")})}};
  paths["/v1/declarations/{id}/inspection-result"] = {
      {"post", Op("Record what an inspection found (officers of the declaration's office)",
                  "recordInspection", true,
                  {{"201", Resp("recorded", "InspectionResult")},
                   {"400", ProblemResponse("malformed body or a bad field")},
                   {"404", ProblemResponse("no such declaration")},
                   {"409", ProblemResponse("the declaration was never under control")}},
                  id_param,
                  json::object{{"type", "object"},
                               {"required", json::array{"fraudFound"}},
                               {"properties",
                                {{"fraudFound", {{"type", "boolean"}}},
                                 {"dutiesRaised", {{"type", "string"}}},
                                 {"inspectedOn", {{"type", "string"}}}}},
                               {"additionalProperties", false}})}};
  paths["/v1/risk/profiles"] = {
      {"get", Op("Every risk profile and the change log (risk analysts, administrators)",
                 "listRiskProfiles", true, {{"200", Resp("the profiles", "RiskProfileList")}})},
      {"post", Op("Store a risk profile as a draft (risk analysts)", "createRiskProfile", true,
                  {{"201", Resp("stored", "RiskProfile")},
                   {"400", ProblemResponse("not a valid profile")},
                   {"409", ProblemResponse("the id is taken")}},
                  {}, Ref("RiskProfile"))}};
  paths["/v1/risk/profiles/{id}/test"] = {
      {"post", Op("How many stored declarations a profile would hit (risk analysts)",
                  "testRiskProfile", true,
                  {{"200", Resp("the hits", "RiskProfileTest")},
                   {"404", ProblemResponse("no such profile")}},
                  profile_param)}};
  for (const char* change : {"activate", "retire"}) {
    paths[std::string("/v1/risk/profiles/{id}/") + change] = {
        {"post", Op(std::string(change == std::string("activate")
                                    ? "Activate a draft profile; the engine applies it at once"
                                    : "Retire a profile") +
                        " (risk analysts)",
                    std::string(change) + "RiskProfile", true,
                    {{"200", Resp("the profile", "RiskProfile")},
                     {"404", ProblemResponse("no such profile")},
                     {"409", ProblemResponse("not allowed in the profile's state")}},
                    profile_param)}};
  }

  json::object schemas;
  json::object hex{{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}};
  json::object hex_list{{"type", "array"}, {"items", hex}};
  schemas["LedgerLeaf"] = {
      {"type", "object"},
      {"properties",
       {{"index", {{"type", "integer"}}},
        {"leaf_hash", hex},
        {"kind", {{"type", "string"}}},
        {"record_id", {{"type", "string"}}},
        {"commitment", hex},
        {"entry", {{"type", "string"}, {"description", "the encoded leaf entry, hex"}}}}}};
  schemas["LedgerProof"] = {
      {"type", "object"},
      {"description", "hashes in RFC 9162 order, lower-case hex"},
      {"properties",
       {{"index", {{"type", "integer"}}},
        {"size", {{"type", "integer"}}},
        {"from", {{"type", "integer"}}},
        {"to", {{"type", "integer"}}},
        {"hashes", hex_list}}}};
  schemas["WitnessAnswer"] = {
      {"type", "object"},
      {"properties",
       {{"old_size", {{"type", "integer"}}},
        {"new_size", {{"type", "integer"}}},
        {"checkpoint", {{"type", "string"}}},
        {"hashes", hex_list}}}};
  json::object user_schema{
      {"type", "object"},
      {"properties",
       {{"username", {{"type", "string"}}},
        {"organisation", {{"type", "string"}}},
        {"role", {{"type", "string"}}},
        {"offices", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"represented", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  schemas["Session"] = {{"type", "object"},
                        {"properties",
                         {{"token", {{"type", "string"}}},
                          {"token_type", {{"type", "string"}}},
                          {"expires_at", {{"type", "string"}}},
                          {"absolute_expires_at", {{"type", "string"}}},
                          {"user", user_schema}}}};
  schemas["SessionInfo"] = {{"type", "object"},
                            {"properties",
                             {{"user", user_schema},
                              {"token_kind", {{"type", "string"}}},
                              {"expires_at", {{"type", "string"}}},
                              {"scopes", {{"type", "string"}}}}}};
  schemas["MfaOffer"] = {{"type", "object"},
                         {"properties",
                          {{"secret", {{"type", "string"}}},
                           {"otpauth_uri", {{"type", "string"}}},
                           {"qr_svg", {{"type", "string"}}}}}};
  schemas["RecoveryCodes"] = {
      {"type", "object"},
      {"properties",
       {{"recovery_codes", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  schemas["Revoked"] = {{"type", "object"},
                        {"properties", {{"revoked", {{"type", "integer"}}}}}};
  schemas["ApiToken"] = {{"type", "object"},
                         {"properties",
                          {{"token", {{"type", "string"}}},
                           {"expires_at", {{"type", "string"}}},
                           {"scopes", {{"type", "string"}}}}}};
  schemas["LedgerWitnesses"] = {
      {"type", "object"},
      {"properties",
       {{"witnesses", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  schemas["AcceptedCosignatures"] = {
      {"type", "object"},
      {"properties",
       {{"size", {{"type", "integer"}}},
        {"witnesses", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  schemas["Receipt"] = {
      {"type", "object"},
      {"description", "see docs/api.md, Ledger"},
      {"properties",
       {{"declaration_id", {{"type", "string"}}},
        {"version", {{"type", "integer"}}},
        {"origin", {{"type", "string"}}},
        {"checkpoint", {{"type", json::array{"string", "null"}}}},
        {"tree_size", {{"type", json::array{"integer", "null"}}}},
        {"entries", {{"type", "array"}}},
        {"view", Ref("DataView")}}}};
  // Issue 5: every answer with declaration data says through which view it was minimised.
  schemas["DataView"] = {
      {"type", "string"},
      {"enum", json::array{"filer", "officer", "risk_analyst", "auditor", "administrator",
                           "partner"}},
      {"description", "the caller's data view: members it may not see are absent on purpose "
                      "(docs/data-minimisation.md)"}};
  schemas["Declaration"] = {
      {"type", "object"},
      {"description", "A customs declaration; see docs/declaration.md for every field."},
      {"required", json::array{"type", "procedure", "office", "declarant", "transport", "invoice",
                               "goodsItems"}}};
  schemas["DeclarationResource"] = {
      {"type", "object"},
      {"properties",
       {{"id", {{"type", "string"}}},
        {"version", {{"type", "integer"}}},
        {"status", {{"type", "string"}}},
        {"channel", {{"type", json::array{"string", "null"}}}},
        {"wcoResponseCode", {{"type", json::array{"string", "null"}}}},
        {"declaration", Ref("Declaration")},
        {"history", {{"type", "array"}}},
        {"allowedActions", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"view", Ref("DataView")}}}};
  schemas["DeclarationPage"] = {
      {"type", "object"},
      {"properties",
       {{"items", {{"type", "array"}}}, {"nextCursor", {{"type", json::array{"string", "null"}}}},
        {"view", Ref("DataView")}}}};
  json::object any_list{{"type", "array"}, {"items", {{"type", "object"}}}};
  schemas["MeasureList"] = {
      {"type", "object"},
      {"properties",
       {{"code", {{"type", "string"}}}, {"origin", {{"type", "string"}}},
        {"date", {{"type", "string"}}}, {"asOf", {{"type", "string"}}}, {"measures", any_list}}}};
  schemas["MeasureChanges"] = {
      {"type", "object"},
      {"properties", {{"since", {{"type", "string"}}}, {"changes", any_list}}}};
  schemas["TariffSearchResults"] = {
      {"type", "object"},
      {"properties", {{"q", {{"type", "string"}}}, {"results", any_list}}}};
  schemas["SecurityEventPage"] = {
      {"type", "object"},
      {"description", "docs/identity.md: each item is the event as committed to the ledger, "
                      "plus its ledger recordId"},
      {"properties", {{"items", any_list}, {"nextCursor", {{"type", json::array{"string", "null"}}}}}}};
  schemas["LegalHold"] = {
      {"type", "object"},
      {"description", "docs/keys.md: a legal hold; releasedBy, releasedAt and releaseReason once "
                      "released"},
      {"required", json::array{"id", "scope", "target", "caseReference", "reason", "placedBy",
                               "placedAt", "active"}}};
  schemas["LegalHoldList"] = {{"type", "object"},
                              {"properties", {{"items", {{"type", "array"},
                                                         {"items", Ref("LegalHold")}}}}}};
  schemas["LegalHoldRequest"] = {
      {"type", "object"},
      {"required", json::array{"scope", "target", "caseReference", "reason"}},
      {"properties",
       {{"scope", {{"type", "string"}, {"enum", json::array{"declaration", "organisation"}}}},
        {"target", {{"type", "string"}}},
        {"caseReference", {{"type", "string"}, {"maxLength", 64}}},
        {"reason", {{"type", "string"}, {"maxLength", 500}}}}}};
  schemas["HoldRelease"] = {{"type", "object"},
                            {"required", json::array{"reason"}},
                            {"properties", {{"reason", {{"type", "string"}}}}}};
  schemas["RetentionPlan"] = {
      {"type", "object"},
      {"description", "docs/keys.md: items of class declaration, security-event or session "
                      "(one line with a count), with closedAt, dueAt and heldBy"}};
  schemas["RetentionRun"] = {
      {"type", "object"},
      {"description", "the purge ids (one ledger entry each) and counts purged or held"}};
  schemas["DutyQuote"] = {
      {"type", "object"},
      {"description", "docs/tariff.md: per item the customs value, every measure applied with "
                      "its legal base and arithmetic, notes, and totals"},
      {"properties",
       {{"date", {{"type", "string"}}}, {"asOf", {{"type", "string"}}},
        {"currency", {{"type", "string"}}}, {"items", any_list},
        {"totals", {{"type", "object"}}}}}};
  schemas["Assessment"] = {
      {"type", "object"},
      {"description", "docs/risk.md, Assessment at filing: risk is present in the full view "
                      "only"},
      {"properties",
       {{"declarationId", {{"type", "string"}}},
        {"version", {{"type", "integer"}}},
        {"at", {{"type", "string"}}},
        {"channel", {{"type", json::array{"string", "null"}}}},
        {"quote", {{"type", json::array{"object", "null"}}}},
        {"quoteStatus", {{"type", json::array{"object", "null"}}}},
        {"risk", {{"type", json::array{"object", "null"}}}},
        {"view", Ref("DataView")}}}};
  schemas["InspectionResult"] = {
      {"type", "object"},
      {"properties",
       {{"declarationId", {{"type", "string"}}},
        {"version", {{"type", "integer"}}},
        {"fraudFound", {{"type", "boolean"}}},
        {"dutiesRaised", {{"type", "string"}}},
        {"currency", {{"type", "string"}}},
        {"inspectedOn", {{"type", "string"}}},
        {"recordedBy", {{"type", "string"}}}}}};
  schemas["RiskProfile"] = {
      {"type", "object"},
      {"description", "docs/risk.md, Risk profiles"},
      {"required", json::array{"id", "description", "conditions"}},
      {"properties",
       {{"id", {{"type", "string"}}},
        {"description", {{"type", "string"}}},
        {"instructions", {{"type", "string"}}},
        {"status", {{"type", "string"}}},
        {"lane", {{"type", "string"}}},
        {"weight", {{"type", "number"}}},
        {"valid_from", {{"type", "string"}}},
        {"valid_to", {{"type", "string"}}},
        {"conditions", {{"type", "object"}}}}}};
  schemas["RiskProfileList"] = {
      {"type", "object"},
      {"properties",
       {{"profiles", any_list}, {"changes", any_list}, {"modelVersion", {{"type", "string"}}}}}};
  schemas["RiskProfileTest"] = {
      {"type", "object"},
      {"properties",
       {{"profile", {{"type", "string"}}},
        {"declarations", {{"type", "integer"}}},
        {"lines", {{"type", "integer"}}},
        {"declarationHits", {{"type", "integer"}}},
        {"lineHits", {{"type", "integer"}}},
        {"hitRate", {{"type", "number"}}},
        {"inspectedHits", {{"type", "integer"}}},
        {"fraudHits", {{"type", "integer"}}}}}};
  schemas["Problem"] = {
      {"type", "object"},
      {"description", "RFC 9457 problem details; see docs/errors.md"},
      {"properties",
       {{"type", {{"type", "string"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "integer"}}},
        {"detail", {{"type", "string"}}},
        {"reason", {{"type", "string"}}},
        {"hint", {{"type", "string"}}},
        {"errors", {{"type", "array"}}}}}};

  return json::object{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Clearway customs declaration API"},
        {"version", "1"},
        {"description", "File, follow and decide customs declarations."}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"security", json::array{json::object{{"bearerAuth", json::array{}}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", std::move(schemas)},
        {"securitySchemes",
         {{"bearerAuth",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description", "a session token from POST /v1/sessions, or an API token"}}}}}}}};
}

}  // namespace

const json::value& OpenApiDocument() {
  static const json::value document = Build();
  return document;
}

}  // namespace clearway::api
