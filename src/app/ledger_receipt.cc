#include "app/ledger_receipt.h"

#include <algorithm>

#include "common/json.h"
#include "crypto/crypto.h"
#include "ledger/checkpoint.h"

namespace clearway::app {

namespace json = boost::json;

namespace {

Error Malformed(const std::string& field, const std::string& message) {
  return Error::InvalidArgument(field, "malformed-receipt", message);
}

template <size_t N>
Result<std::array<uint8_t, N>> HexArray(const json::object& object, const char* name,
                                        const std::string& path) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return Malformed(path + name, "must be hex text");
  auto bytes = crypto::FromHex(value->get_string());
  if (!bytes.ok() || bytes->size() != N) {
    return Malformed(path + name, "must be " + std::to_string(N) + " bytes of hex");
  }
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<std::string> Text(const json::object& object, const char* name, const std::string& path) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return Malformed(path + name, "must be a string");
  return std::string(value->get_string());
}

Result<int64_t> Integer(const json::object& object, const char* name, const std::string& path) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !(value->is_int64() || value->is_uint64())) {
    return Malformed(path + name, "must be a whole number");
  }
  if (value->is_uint64()) {
    if (value->get_uint64() > static_cast<uint64_t>(INT64_MAX)) {
      return Malformed(path + name, "is too large");
    }
    return static_cast<int64_t>(value->get_uint64());
  }
  if (value->get_int64() < 0) return Malformed(path + name, "must not be negative");
  return value->get_int64();
}

Result<ReceiptEntry> EntryFromJson(const json::value& value, const std::string& path) {
  if (!value.is_object()) return Malformed(path, "must be an object");
  const json::object& object = value.get_object();
  ReceiptEntry entry;
  CW_ASSIGN_OR_RETURN(entry.leaf.kind, Text(object, "kind", path));
  CW_ASSIGN_OR_RETURN(entry.leaf.record_id, Text(object, "record_id", path));
  CW_ASSIGN_OR_RETURN(int64_t index, Integer(object, "index", path));
  entry.index = static_cast<uint64_t>(index);
  CW_ASSIGN_OR_RETURN(entry.leaf.commitment, HexArray<32>(object, "commitment", path));
  CW_ASSIGN_OR_RETURN(entry.leaf_hash, HexArray<32>(object, "leaf_hash", path));
  // Both or neither: a commitment-only receipt leaves out the record and its salt.
  const bool has_salt = object.contains("salt");
  const bool has_record = object.contains("record");
  if (has_salt != has_record) {
    return Malformed(path + (has_salt ? "record" : "salt"),
                     "must be given with the entry's " + std::string(has_salt ? "salt" : "record"));
  }
  entry.disclosed = has_record;
  if (entry.disclosed) {
    CW_ASSIGN_OR_RETURN(entry.salt, HexArray<32>(object, "salt", path));
    CW_ASSIGN_OR_RETURN(entry.record, Text(object, "record", path));
  }
  const json::value* proof = object.if_contains("inclusion_proof");
  if (proof != nullptr && !proof->is_null()) {
    if (!proof->is_array()) return Malformed(path + "inclusion_proof", "must be an array");
    std::vector<ledger::Hash> hashes;
    for (const json::value& item : proof->get_array()) {
      auto bytes = item.is_string() ? crypto::FromHex(item.get_string())
                                    : Result<std::vector<uint8_t>>(Malformed("", ""));
      if (!bytes.ok() || bytes->size() != 32) {
        return Malformed(path + "inclusion_proof", "must list 32-byte hashes in hex");
      }
      ledger::Hash hash{};
      std::copy(bytes->begin(), bytes->end(), hash.begin());
      hashes.push_back(hash);
    }
    entry.inclusion_proof = std::move(hashes);
  }
  return entry;
}

// CheckRecordNames() makes sure the canonical record is the record the entry names, so a
// receipt cannot pair one record's bytes with another record's leaf.
Status CheckRecordNames(const ReceiptEntry& entry) {
  Error mismatch = Error::DataLoss("record-mismatch", "the record of " + entry.leaf.record_id +
                                                          " is not the record its leaf names");
  auto parsed = ParseJson(entry.record);
  if (!parsed.ok() || !parsed->is_object()) return mismatch;
  const json::object& record = parsed->get_object();
  const json::value* kind = record.if_contains("kind");
  if (kind == nullptr || !kind->is_string() || kind->get_string() != entry.leaf.kind)
    return mismatch;
  const bool is_version = entry.leaf.kind == ledger::kKindDeclarationVersion;
  const json::value* id = record.if_contains(is_version ? "id" : "declarationId");
  const json::value* number = record.if_contains(is_version ? "version" : "sequence");
  if (id == nullptr || !id->is_string() || number == nullptr || !number->is_int64()) {
    return mismatch;
  }
  std::string expected = std::string(id->get_string()) + (is_version ? "@v" : "#") +
                         std::to_string(number->get_int64());
  if (expected != entry.leaf.record_id) return mismatch;
  return OkStatus();
}

}  // namespace

json::object ReceiptToJson(const Receipt& receipt) {
  json::array entries;
  for (const ReceiptEntry& entry : receipt.entries) {
    json::value proof = nullptr;
    if (entry.inclusion_proof.has_value()) {
      json::array hashes;
      for (const ledger::Hash& hash : *entry.inclusion_proof)
        hashes.emplace_back(crypto::ToHex(hash));
      proof = std::move(hashes);
    }
    json::object out{{"kind", entry.leaf.kind},
                     {"record_id", entry.leaf.record_id},
                     {"index", entry.index},
                     {"commitment", crypto::ToHex(entry.leaf.commitment)},
                     {"leaf_hash", crypto::ToHex(entry.leaf_hash)}};
    if (entry.disclosed) {
      out["salt"] = crypto::ToHex(entry.salt);
      out["record"] = entry.record;
    }
    out["inclusion_proof"] = std::move(proof);
    entries.push_back(std::move(out));
  }
  json::value tree_size = nullptr;
  if (!receipt.checkpoint.empty()) {
    auto note = ledger::ParseNote(receipt.checkpoint);
    auto checkpoint =
        note.ok() ? ledger::ParseCheckpoint(note->text) : Result<ledger::Checkpoint>(note.error());
    if (checkpoint.ok()) tree_size = checkpoint->size;
  }
  return json::object{{"declaration_id", receipt.declaration_id},
                      {"version", receipt.version},
                      {"origin", receipt.origin},
                      {"checkpoint", receipt.checkpoint.empty() ? json::value(nullptr)
                                                                : json::value(receipt.checkpoint)},
                      {"tree_size", std::move(tree_size)},
                      {"entries", std::move(entries)}};
}

Result<Receipt> ReceiptFromJson(std::string_view text) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return Malformed("", "the receipt is not JSON: " + parsed.error().message);
  if (!parsed->is_object()) return Malformed("", "the receipt must be a JSON object");
  const json::object& object = parsed->get_object();
  Receipt receipt;
  CW_ASSIGN_OR_RETURN(receipt.declaration_id, Text(object, "declaration_id", ""));
  CW_ASSIGN_OR_RETURN(receipt.version, Integer(object, "version", ""));
  CW_ASSIGN_OR_RETURN(receipt.origin, Text(object, "origin", ""));
  const json::value* checkpoint = object.if_contains("checkpoint");
  if (checkpoint != nullptr && !checkpoint->is_null()) {
    if (!checkpoint->is_string()) return Malformed("checkpoint", "must be the signed note text");
    receipt.checkpoint = std::string(checkpoint->get_string());
  }
  const json::value* entries = object.if_contains("entries");
  if (entries == nullptr || !entries->is_array()) return Malformed("entries", "must be an array");
  for (size_t idx = 0; idx < entries->get_array().size(); ++idx) {
    CW_ASSIGN_OR_RETURN(ReceiptEntry entry, EntryFromJson(entries->get_array()[idx],
                                                          "entries[" + std::to_string(idx) + "]."));
    receipt.entries.push_back(std::move(entry));
  }
  return receipt;
}

Result<std::vector<ReceiptEntryCheck>> VerifyReceipt(const Receipt& receipt,
                                                     const ledger::VerifierKey& log_key) {
  std::optional<ledger::Checkpoint> checkpoint;
  if (!receipt.checkpoint.empty()) {
    CW_ASSIGN_OR_RETURN(ledger::OpenedCheckpoint opened,
                        ledger::OpenCheckpoint(receipt.checkpoint, log_key));
    if (opened.checkpoint.origin != receipt.origin) {
      return Error::InvalidArgument("checkpoint", "wrong-origin",
                                    "the checkpoint is of log " + opened.checkpoint.origin +
                                        ", the receipt of " + receipt.origin);
    }
    checkpoint = std::move(opened.checkpoint);
  }
  std::vector<ReceiptEntryCheck> checks;
  for (const ReceiptEntry& entry : receipt.entries) {
    if (entry.disclosed) {
      CW_RETURN_IF_ERROR(CheckRecordNames(entry));
      if (ledger::ComputeCommitment(entry.salt, entry.record) != entry.leaf.commitment) {
        return Error::DataLoss(
            "commitment-mismatch",
            "the record and salt of " + entry.leaf.record_id + " do not give its commitment");
      }
    }
    CW_ASSIGN_OR_RETURN(ledger::Hash leaf_hash, ledger::LeafHashOf(entry.leaf));
    if (leaf_hash != entry.leaf_hash) {
      return Error::DataLoss("leaf-hash-mismatch",
                             "the leaf hash of " + entry.leaf.record_id + " is not its entry's");
    }
    ReceiptEntryCheck check{entry.leaf.record_id, entry.index, false, entry.disclosed};
    if (entry.inclusion_proof.has_value()) {
      if (!checkpoint.has_value()) {
        return Error::InvalidArgument("checkpoint", "malformed-receipt",
                                      "an inclusion proof needs the checkpoint it leads to");
      }
      CW_RETURN_IF_ERROR(ledger::VerifyInclusion(entry.index, checkpoint->size, leaf_hash,
                                                 *entry.inclusion_proof, checkpoint->root));
      check.included = true;
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace clearway::app
