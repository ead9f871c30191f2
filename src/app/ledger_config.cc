#include "app/ledger_config.h"

#include <toml++/toml.h>
#include <charconv>
#include <cstdlib>
#include <sstream>

#include "crypto/signature.h"
#include "ledger/note.h"

namespace clearway::app {

namespace {

Error BadConfig(std::string field, std::string message) {
  return Error::InvalidArgument(std::move(field), "bad-config", std::move(message));
}

Result<int64_t> NonNegative(const toml::node_view<const toml::node>& node, const std::string& path,
                            int64_t fallback) {
  if (!node) return fallback;
  auto value = node.value<int64_t>();
  if (!value || *value < 0) return BadConfig(path, "must be a whole number >= 0");
  return *value;
}

}  // namespace

Result<LedgerConfig> ParseLedgerConfig(std::string_view toml_text) {
  LedgerConfig config;
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    return BadConfig("", std::string(e.description()) + " at " + where.str());
  }
  const auto* table = root["ledger"].as_table();
  if (table == nullptr) return config;
  const auto& t = *table;
  if (t["origin"]) {
    auto origin = t["origin"].value<std::string>();
    if (!origin) return BadConfig("ledger.origin", "must be a string");
    config.origin = *origin;
  }
  CW_ASSIGN_OR_RETURN(int64_t interval,
                      NonNegative(t["checkpoint_interval_ms"], "ledger.checkpoint_interval_ms",
                                  config.checkpoint_interval.count()));
  config.checkpoint_interval = std::chrono::milliseconds(interval);
  CW_ASSIGN_OR_RETURN(int64_t batch, NonNegative(t["checkpoint_batch"], "ledger.checkpoint_batch",
                                                 static_cast<int64_t>(config.checkpoint_batch)));
  config.checkpoint_batch = static_cast<uint64_t>(batch);
  if (t["witnesses"]) {
    const auto* list = t["witnesses"].as_array();
    if (list == nullptr) return BadConfig("ledger.witnesses", "must be an array of verifier keys");
    for (size_t i = 0; i < list->size(); ++i) {
      auto vkey = (*list)[i].value<std::string>();
      if (!vkey) {
        return BadConfig("ledger.witnesses[" + std::to_string(i) + "]", "must be a string");
      }
      config.witnesses.push_back(*vkey);
    }
  }
  CW_RETURN_IF_ERROR(ValidateLedgerConfig(config));
  return config;
}

Status ApplyLedgerEnvironment(LedgerConfig& config) {
  if (const char* origin = std::getenv("CLEARWAY_LEDGER_ORIGIN"); origin != nullptr && *origin) {
    config.origin = origin;
  }
  if (const char* ms = std::getenv("CLEARWAY_LEDGER_CHECKPOINT_MS"); ms != nullptr && *ms) {
    std::string_view text(ms);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
      return BadConfig("CLEARWAY_LEDGER_CHECKPOINT_MS", "must be a whole number of milliseconds");
    }
    config.checkpoint_interval = std::chrono::milliseconds(value);
  }
  if (const char* list = std::getenv("CLEARWAY_LEDGER_WITNESSES"); list != nullptr && *list) {
    config.witnesses.clear();
    std::string_view rest(list);
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      if (!item.empty()) config.witnesses.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return ValidateLedgerConfig(config);
}

Status ValidateLedgerConfig(const LedgerConfig& config) {
  if (!config.origin.empty()) {
    auto key = ledger::MakeVerifierKey(config.origin, ledger::NoteKeyType::kEd25519,
                                       crypto::Ed25519PublicKey{});
    if (!key.ok()) {
      return BadConfig("ledger.origin",
                       "the origin names the log's key: no spaces, control characters or '+'");
    }
  }
  if (config.checkpoint_interval > std::chrono::hours(1)) {
    return BadConfig("ledger.checkpoint_interval_ms", "must be at most one hour");
  }
  if (config.checkpoint_batch < 1) {
    return BadConfig("ledger.checkpoint_batch", "must be at least 1");
  }
  Result<std::vector<ledger::VerifierKey>> witnesses = WitnessKeys(config);
  if (!witnesses.ok()) return std::move(witnesses).error();
  return OkStatus();
}

Result<std::vector<ledger::VerifierKey>> WitnessKeys(const LedgerConfig& config) {
  std::vector<ledger::VerifierKey> keys;
  for (size_t i = 0; i < config.witnesses.size(); ++i) {
    const std::string field = "ledger.witnesses[" + std::to_string(i) + "]";
    Result<ledger::VerifierKey> key = ledger::ParseVerifierKey(config.witnesses[i]);
    if (!key.ok()) return BadConfig(field, "not a verifier key: " + key.error().message);
    if (key->type != ledger::NoteKeyType::kCosignatureV1) {
      return BadConfig(field, "a witness key must be a cosignature/v1 key (type 0x04)");
    }
    for (const ledger::VerifierKey& other : keys) {
      if (other.name == key->name && other.KeyId() == key->KeyId()) {
        return BadConfig(field, "the witness " + key->name + " is listed twice");
      }
    }
    keys.push_back(*std::move(key));
  }
  return keys;
}

}  // namespace clearway::app
