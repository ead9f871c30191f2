// File: cli/witness_commands.h
//
// `clearway witness …`: run a witness for a partner administration's log. A witness keeps its
// own cosigning key and state; each round it asks the log for its latest checkpoint and a
// consistency proof from the last checkpoint it cosigned, checks both, cosigns, remembers the
// checkpoint and hands the cosignature back to the log, which serves it on its checkpoints.
//
//   clearway witness key --key-file var/witness/key --name witness.douane.example
//                                     make (once) and print the witness's verifier key; the
//                                     log's operator lists it in [ledger] witnesses
//   clearway witness cosign --url URL --log-key K --key-file F --state var/witness/state.json
//                                     one round (run it from cron or a timer)
//
// A fork — a checkpoint that does not extend the one cosigned before, or that the log itself
// disowns — is refused, reported on stderr with the evidence and kept in the state file.
// Exit codes: 0 cosigned (or nothing new); 1 fork detected, or the log refused; 2 the round
// could not run (flags, files, network).
#pragma once

#include <string>

namespace clearway::cli {

struct WitnessFlags {
  std::string key_file = "var/witness/key";
  std::string name;       // names a new key
  std::string state_file = "var/witness/state.json";
  std::string log_key;    // the log's verifier key, or a file holding it
  std::string url;        // the log's server; else CLEARWAY_URL, else https://127.0.0.1:8443
  std::string ca_cert;    // else CLEARWAY_CA_CERT, else var/tls/cert.pem when present
};

int WitnessKeyCommand(const WitnessFlags& flags);
int WitnessCosignCommand(const WitnessFlags& flags);

}  // namespace clearway::cli
