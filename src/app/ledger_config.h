// File: app/ledger_config.h
//
// The ledger's settings: the log's origin and when checkpoints are issued. They come from the
// [ledger] table of the configuration file and from the environment:
//
//   [ledger]
//   origin = "customs.example/hamburg"   # CLEARWAY_LEDGER_ORIGIN; default: the key file's, else
//                                        # "clearway.example/demo"
//   checkpoint_interval_ms = 1000        # CLEARWAY_LEDGER_CHECKPOINT_MS; 0: no background signer
//   checkpoint_batch = 4096              # sign early once this many leaves await a checkpoint
//   witnesses = ["witness.douane.example+1a2b3c4d+BL…"]
//                                        # CLEARWAY_LEDGER_WITNESSES (comma-separated): the
//                                        # cosignature/v1 keys of the partners whose
//                                        # cosignatures this log accepts and serves
//
//   CW_ASSIGN_OR_RETURN(app::LedgerConfig ledger, app::ParseLedgerConfig(toml_text));
//   CW_RETURN_IF_ERROR(app::ApplyLedgerEnvironment(ledger));
//   CW_ASSIGN_OR_RETURN(auto runtime, app::Runtime::Open(config, ledger));
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/note.h"

namespace clearway::app {

struct LedgerConfig {
  std::string origin;                                   // "" = the key file's, else the default
  std::chrono::milliseconds checkpoint_interval{1000};  // 0 = checkpoints only on demand
  uint64_t checkpoint_batch = 4096;                     // >= 1
  std::vector<std::string> witnesses;                   // verifier keys, type 0x04
};

// ParseLedgerConfig() reads the [ledger] table of TOML text (defaults when absent).
// kInvalidArgument "bad-config" with the field path ("ledger.origin") for a wrong type or value.
Result<LedgerConfig> ParseLedgerConfig(std::string_view toml_text);

// ApplyLedgerEnvironment() applies CLEARWAY_LEDGER_ORIGIN and CLEARWAY_LEDGER_CHECKPOINT_MS;
// kInvalidArgument "bad-config" for a value that is not a number.
Status ApplyLedgerEnvironment(LedgerConfig& config);

// ValidateLedgerConfig() checks the origin names a key (ledger/note.h: no spaces, controls or
// '+') and the intervals are in range (interval 0..1 h, batch >= 1): kInvalidArgument
// "bad-config".
// Each witness must be a distinct cosignature/v1 verifier key ("bad-config",
// "ledger.witnesses[i]").
Status ValidateLedgerConfig(const LedgerConfig& config);

// WitnessKeys() parses the configured witness keys; errors as ValidateLedgerConfig().
Result<std::vector<ledger::VerifierKey>> WitnessKeys(const LedgerConfig& config);

}  // namespace clearway::app
