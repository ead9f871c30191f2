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
                  Param("createdFrom", "query", "RFC 3339, inclusive"),
                  Param("createdTo", "query", "RFC 3339, exclusive"),
                  Param("limit", "query", "1..500, default 50", false, "integer"),
                  Param("cursor", "query", "nextCursor of the previous page")})}};
  paths["/v1/declarations/{id}"] = {
      {"get", Op("Fetch a declaration with its history", "getDeclaration", true,
                 {{"200", Resp("the declaration", "DeclarationResource")},
                  {"404", ProblemResponse("no such declaration or version")}},
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
  paths["/v1/declarations/{id}/receipt"] = {
      {"get", Op("Ledger receipt: leaf index, commitment and inclusion proof of the current "
                 "version and every transition",
                 "getReceipt", true,
                 {{"200", Resp("the receipt", "Receipt")},
                  {"404", ProblemResponse("no such declaration")}},
                 id_param)}};

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
  schemas["Receipt"] = {
      {"type", "object"},
      {"description", "see docs/api.md, Ledger"},
      {"properties",
       {{"declaration_id", {{"type", "string"}}},
        {"version", {{"type", "integer"}}},
        {"origin", {{"type", "string"}}},
        {"checkpoint", {{"type", json::array{"string", "null"}}}},
        {"tree_size", {{"type", json::array{"integer", "null"}}}},
        {"entries", {{"type", "array"}}}}}};
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
        {"allowedActions", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  schemas["DeclarationPage"] = {
      {"type", "object"},
      {"properties",
       {{"items", {{"type", "array"}}}, {"nextCursor", {{"type", json::array{"string", "null"}}}}}}};
  schemas["Problem"] = {
      {"type", "object"},
      {"description", "RFC 9457 problem details; see docs/errors.md"},
      {"properties",
  schemas["LedgerWitnesses"] = {
      {"type", "object"},
      {"properties",
       {{"witnesses", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  schemas["AcceptedCosignatures"] = {
      {"type", "object"},
      {"properties",
       {{"size", {{"type", "integer"}}},
        {"witnesses", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
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
      {"security", json::array{json::object{{"basicAuth", json::array{}}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", std::move(schemas)},
        {"securitySchemes", {{"basicAuth", {{"type", "http"}, {"scheme", "basic"}}}}}}}};
}

}  // namespace

const json::value& OpenApiDocument() {
  static const json::value document = Build();
  return document;
}

}  // namespace clearway::api
