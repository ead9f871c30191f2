// File: app/ledger_receipt.h
//
// A receipt lets whoever holds it check, without trusting the server, that a declaration's
// current version and every transition it went through are in the log: for each record the
// receipt carries its canonical bytes and salt (so the commitment can be recomputed), its leaf
// index, and, once a signed checkpoint covers the leaf, the RFC 9162 inclusion proof against
// that checkpoint, which it carries too. JSON form (GET /v1/declarations/{id}/receipt):
//
//   {"declaration_id": "01J…", "version": 2, "origin": "clearway.example/demo",
//    "checkpoint": "<signed note>" | null, "tree_size": 42 | null,
//    "entries": [{"kind": "declaration.version", "record_id": "01J…@v2", "index": 7,
//                 "commitment": "<hex>", "leaf_hash": "<hex>", "salt": "<hex>",
//                 "record": "<canonical record bytes>", "inclusion_proof": ["<hex>", …] | null}]}
//
//   CW_ASSIGN_OR_RETURN(Receipt receipt, ReceiptFromJson(text));
//   CW_ASSIGN_OR_RETURN(auto checks, VerifyReceipt(receipt, log_key));
//
// A receipt shows the declaration to whoever reads it: hand it out as you would the declaration.
// A commitment-only receipt (the auditor's and administrator's view, docs/data-minimisation.md)
// leaves out each entry's "salt" and "record": it still proves that every leaf is in the signed
// log, but not what the records say.
// Everything here is a pure function and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/result.h"
#include "ledger/leaf.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace clearway::app {

struct ReceiptEntry {
  ledger::LeafEntry leaf;
  uint64_t index = 0;
  ledger::Hash leaf_hash{};  // LeafHashOf(leaf), as the log stores it
  // The record and its salt: false when the receipt leaves both out (commitment only).
  bool disclosed = true;
  ledger::CommitmentSalt salt{};
  std::string record;  // the canonical record bytes the commitment covers
  std::optional<std::vector<ledger::Hash>> inclusion_proof;  // when the checkpoint covers it
};

struct Receipt {
  std::string declaration_id;
  int64_t version = 0;
  std::string origin;
  std::string checkpoint;  // the signed note the proofs lead to; "" when none covers a leaf
  std::vector<ReceiptEntry> entries;
};

// ReceiptToJson() gives the JSON form above.
boost::json::object ReceiptToJson(const Receipt& receipt);

// ReceiptFromJson() reads the JSON form; kInvalidArgument "malformed-receipt" naming the field.
Result<Receipt> ReceiptFromJson(std::string_view text);

// What VerifyReceipt() found for one entry.
struct ReceiptEntryCheck {
  std::string record_id;
  uint64_t index = 0;
  bool included = false;  // false: no checkpoint covers the leaf yet (fetch the receipt later)
  bool disclosed = true;  // false: the receipt had no record, so only the leaf was checked
};

// VerifyReceipt() checks every entry: the record names the entry's record id, the salt and
// record give the commitment (for a disclosed entry), and when a proof is given, the leaf is included in the tree of
// the checkpoint, which `log_key` must have signed for the receipt's origin. Returns one check
// per entry. Failures: the checkpoint's (OpenCheckpoint(): "malformed-note", "bad-signature",
// "no-known-signature", …); kInvalidArgument "wrong-origin" when the checkpoint is another log's;
// kDataLoss "record-mismatch" (the record is not the one the entry names),
// "commitment-mismatch", "leaf-hash-mismatch", "root-mismatch" or "proof-length-mismatch" (the
// inclusion proof does not lead to the checkpoint's root); kInvalidArgument "malformed-receipt"
// for a proof without a checkpoint, or for an entry with a record but no salt (or the reverse).
Result<std::vector<ReceiptEntryCheck>> VerifyReceipt(const Receipt& receipt,
                                                     const ledger::VerifierKey& log_key);

}  // namespace clearway::app
