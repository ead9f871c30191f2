// File: api/ledger_routes.h
//
// The ledger's HTTP routes. Public, read-only, no account needed (any verifier may use them):
//
//   GET  /v1/ledger/checkpoint                      the latest signed checkpoint (text/plain note,
//                                                   with the cosignatures kept for it)
//   GET  /v1/ledger/checkpoint/witnessed            the latest checkpoint a witness cosigned
//   GET  /v1/ledger/checkpoints/{size}              the checkpoint of that size
//   GET  /v1/ledger/witnesses                       {"witnesses": [vkey…]} this log trusts
//   POST /v1/ledger/cosignatures                    a checkpoint note with a witness's
//                                                   cosignature line -> 201 {"size", "witnesses"}
//   GET  /v1/ledger/key                             the verifier key "name+id+base64" (text/plain)
//   GET  /v1/ledger/leaves/{index}                  {"index", "leaf_hash", "kind", "record_id", …}
//   GET  /v1/ledger/proofs/inclusion?index=I&size=N {"index", "size", "hashes": [hex…]}
//   GET  /v1/ledger/proofs/consistency?from=M&to=N  {"from", "to", "hashes": [hex…]}
//   POST /v1/ledger/witness/consistency             {"old_size": M[, "checkpoint": note]} ->
//                                                   {"old_size", "new_size", "checkpoint",
//                                                   "hashes"}
//
// and, with the same authentication and read policy as GET /v1/declarations/{id}:
//
//   GET  /v1/declarations/{id}/receipt              app/ledger_receipt.h
//
// Proof hashes are lower-case hex in RFC 9162 order. docs/api.md describes them for users.
//
//   api::RegisterLedgerRoutes(router, runtime);
#pragma once

#include "api/router.h"
#include "app/runtime.h"

namespace clearway::api {

// RegisterLedgerRoutes() adds the routes above; `runtime` must outlive the router.
void RegisterLedgerRoutes(Router& router, app::Runtime& runtime);

}  // namespace clearway::api
