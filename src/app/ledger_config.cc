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
  return OkStatus();
}

}  // namespace clearway::app
