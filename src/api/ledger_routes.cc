#include "api/ledger_routes.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "api/auth.h"
#include "api/error_catalog.h"
#include "api/route_util.h"
#include "api/problem.h"
#include "app/data_views.h"
#include "app/ledger_receipt.h"
#include "common/json.h"
#include "crypto/crypto.h"

namespace clearway::api {

namespace {

namespace json = boost::json;

// Sizes and indices are bounded by what a JSON number carries exactly.
constexpr uint64_t kMaxTreeSize = uint64_t{1} << 53;

Response Fail(const Error& error, const Request& request) {
  return ErrorResponse(error, request);
}

Error BadParameter(std::string_view name, const std::string& message) {
  return Error::InvalidArgument(std::string(name), "bad-parameter", message);
}

Result<uint64_t> ParseCount(std::string_view name, std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      value > kMaxTreeSize) {
    return BadParameter(name, std::string(name) + " must be a whole number from 0 to 2^53");
  }
  return value;
}

Result<uint64_t> QueryCount(const Request& request, std::string_view name) {
  auto text = request.QueryParam(name);
  if (!text) return BadParameter(name, "the query parameter " + std::string(name) + " is required");
  return ParseCount(name, *text);
}

json::array HexList(const std::vector<ledger::Hash>& hashes) {
  json::array out;
  for (const ledger::Hash& hash : hashes) out.emplace_back(crypto::ToHex(hash));
  return out;
}

void AddRoute(Router& router, std::string_view method, std::string_view pattern, Handler handler,
              RouteOptions options = {}) {
  Status added = router.Add(method, pattern, std::move(handler), std::move(options));
  CW_CHECK(added.ok());
}

// A signed note is a few hundred bytes; one with every witness's line is still small.
RouteOptions NoteBody() {
  RouteOptions options;
  options.content_types = {"text/plain"};
  options.max_body_bytes = 64 * 1024;
  return options;
}

struct WitnessRequest {
  uint64_t old_size = 0;
  std::string checkpoint;
};

Result<WitnessRequest> ParseWitnessRequest(const Request& request) {
  if (request.body.empty()) {
    return Error::InvalidArgument("", "empty-body", "send {\"old_size\": N} as JSON");
  }
  CW_ASSIGN_OR_RETURN(json::value body, ParseJson(request.body));
  if (!body.is_object()) {
    return Error::InvalidArgument("", "wrong-type", "the body must be a JSON object");
  }
  WitnessRequest out;
  bool has_size = false;
  for (const auto& field : body.get_object()) {
    if (field.key() == "old_size") {
      const json::value& size = field.value();
      if (!(size.is_uint64() || (size.is_int64() && size.get_int64() >= 0))) {
        return Error::InvalidArgument("old_size", "wrong-type", "old_size must be a whole number");
      }
      out.old_size = size.is_uint64() ? size.get_uint64() : static_cast<uint64_t>(size.get_int64());
      has_size = true;
    } else if (field.key() == "checkpoint") {
      if (!field.value().is_string()) {
        return Error::InvalidArgument("checkpoint", "wrong-type",
                                      "checkpoint must be the signed note as a string");
      }
      out.checkpoint = std::string(field.value().get_string());
    } else {
      return Error::InvalidArgument(std::string(field.key()), "unknown-field", "unknown field");
    }
  }
  if (!has_size) return Error::InvalidArgument("old_size", "required", "old_size is required");
  return out;
}

}  // namespace

void RegisterLedgerRoutes(Router& router, app::Runtime& runtime) {
  app::LedgerService& ledger = runtime.ledger();

  // A checkpoint is served with the cosignatures of the witnesses that verified it.
  auto serve = [&ledger](const Result<store::CheckpointRow>& checkpoint, const Request& request) {
    if (!checkpoint.ok()) return Fail(checkpoint.error(), request);
    auto note = ledger.ServedNote(*checkpoint);
    if (!note.ok()) return Fail(note.error(), request);
    return TextResponse(200, *note);
  };
  AddRoute(router, "GET", "/v1/ledger/checkpoint", [&ledger, serve](const Request& request) {
    return serve(ledger.LatestCheckpoint(), request);
  });
  AddRoute(router, "GET", "/v1/ledger/checkpoint/witnessed",
           [&ledger, serve](const Request& request) {
             return serve(ledger.LatestWitnessedCheckpoint(), request);
           });
  AddRoute(router, "GET", "/v1/ledger/checkpoints/{size}",
           [&ledger, serve](const Request& request) {
             auto size = ParseCount("size", *request.PathParam("size"));
             if (!size.ok()) return Fail(size.error(), request);
             return serve(ledger.CheckpointAt(*size), request);
           });

  AddRoute(router, "GET", "/v1/ledger/witnesses", [&ledger](const Request&) {
    json::array keys;
    for (const ledger::VerifierKey& key : ledger.witnesses()) {
      keys.emplace_back(ledger::FormatVerifierKey(key));
    }
    return JsonResponse(200, json::object{{"witnesses", std::move(keys)}});
  });

  AddRoute(router, "POST", "/v1/ledger/cosignatures", [&ledger](const Request& request) {
    auto accepted = ledger.AddCosignatures(request.body);
    if (!accepted.ok()) {
      if (accepted.error().reason == "fork-detected") {
        // Loud on purpose: a witness holds a checkpoint this log's key signed that its tree
        // denies: the key or the store has been misused.
        spdlog::critical(R"({{"event":"ledger_fork_reported","source":"cosignature","request_id":"{}"}})",
                         request.request_id);
      }
      return Fail(accepted.error(), request);
    }
    json::array names;
    for (const std::string& name : accepted->witnesses) names.emplace_back(name);
    return JsonResponse(201, json::object{{"size", accepted->size}, {"witnesses", names}});
  }, NoteBody());

  AddRoute(router, "GET", "/v1/ledger/key",
           [&ledger](const Request&) { return TextResponse(200, ledger.VerifierKeyText()); });

  AddRoute(router, "GET", "/v1/ledger/leaves/{index}", [&ledger](const Request& request) {
    auto index = ParseCount("index", *request.PathParam("index"));
    if (!index.ok()) return Fail(index.error(), request);
    auto leaf = ledger.Leaf(*index);
    if (!leaf.ok()) return Fail(leaf.error(), request);
    json::object body{{"index", leaf->index},
                      {"leaf_hash", crypto::ToHex(leaf->leaf_hash)},
                      {"kind", leaf->kind},
                      {"record_id", leaf->record_id},
                      {"entry", crypto::ToHex(leaf->entry)}};
    if (auto entry = ledger::DecodeLeafEntry(leaf->entry); entry.ok()) {
      body["commitment"] = crypto::ToHex(entry->commitment);
    }
    return JsonResponse(200, body);
  });

  AddRoute(router, "GET", "/v1/ledger/proofs/inclusion", [&ledger](const Request& request) {
    auto index = QueryCount(request, "index");
    if (!index.ok()) return Fail(index.error(), request);
    auto size = QueryCount(request, "size");
    if (!size.ok()) return Fail(size.error(), request);
    auto proof = ledger.InclusionProof(*index, *size);
    if (!proof.ok()) return Fail(proof.error(), request);
    return JsonResponse(
        200, json::object{{"index", *index}, {"size", *size}, {"hashes", HexList(*proof)}});
  });

  AddRoute(router, "GET", "/v1/ledger/proofs/consistency", [&ledger](const Request& request) {
    auto from = QueryCount(request, "from");
    if (!from.ok()) return Fail(from.error(), request);
    auto to = QueryCount(request, "to");
    if (!to.ok()) return Fail(to.error(), request);
    auto proof = ledger.ConsistencyProof(*from, *to);
    if (!proof.ok()) return Fail(proof.error(), request);
    return JsonResponse(200,
                        json::object{{"from", *from}, {"to", *to}, {"hashes", HexList(*proof)}});
  });

  AddRoute(router, "POST", "/v1/ledger/witness/consistency", [&ledger](const Request& request) {
    auto asked = ParseWitnessRequest(request);
    if (!asked.ok()) return Fail(asked.error(), request);
    auto answer = ledger.ProveToLatest(asked->old_size, asked->checkpoint);
    if (!answer.ok()) {
      if (answer.error().reason == "fork-detected") {
        // Loud on purpose: a partner holds a checkpoint this log signed that its tree denies.
        spdlog::critical(R"({{"event":"ledger_fork_reported","size":{},"request_id":"{}"}})",
                         asked->old_size, request.request_id);
      }
      return Fail(answer.error(), request);
    }
    return JsonResponse(200, json::object{{"old_size", answer->old_size},
                                          {"new_size", answer->checkpoint.size},
                                          {"checkpoint", answer->checkpoint.note},
                                          {"hashes", HexList(answer->proof)}});
  });

  AddRoute(router, "GET", "/v1/declarations/{id}/receipt", [&runtime](const Request& request) {
    auto principal = Authenticate(runtime, request, identity::TokenScope::kLedgerRead);
    if (!principal.ok()) return Fail(principal.error(), request);
    auto record =
        runtime.declarations().Get(*principal, std::string(*request.PathParam("id")), std::nullopt);
    if (!record.ok()) return Fail(Denied(runtime, *principal, request, record.error()), request);
    auto view = app::DataViewFor(*principal, {record->row.organisation_id, record->row.office},
                                 app::ViewedResource::kReceipt);
    if (!view.ok()) return Fail(Denied(runtime, *principal, request, view.error()), request);
    auto receipt = runtime.ledger().ReceiptFor(*record);
    if (!receipt.ok()) {
      spdlog::error(R"({{"event":"receipt_failed","reason":"{}","request_id":"{}"}})",
                    receipt.error().reason, request.request_id);
      return Fail(receipt.error(), request);
    }
    // Auditors and administrators get the commitments without the records and salts.
    auto shown = app::Minimise(app::ReceiptToJson(*receipt), *view, app::ViewedResource::kReceipt,
                               runtime.pseudonymiser());
    if (!shown.ok()) return Fail(shown.error(), request);
    return JsonResponse(200, *shown);
  });
}

}  // namespace clearway::api
