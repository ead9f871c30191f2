// File: app/witness_state.h
//
// What a witness remembers between rounds (`clearway witness cosign`): for each log it
// witnesses, the last checkpoint it cosigned (the log's signed note), and every fork it has
// detected, with the evidence. Kept as JSON in a file only its owner may read, replaced
// atomically (write, fsync, rename) so a crash never leaves a half-written state: a witness
// that forgot what it cosigned could be made to cosign a fork.
//
//   CW_ASSIGN_OR_RETURN(WitnessState state, LoadWitnessState("var/witness/state.json"));
//   state.last_cosigned["customs.example/hamburg"] = note;
//   CW_RETURN_IF_ERROR(SaveWitnessState("var/witness/state.json", state));
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace clearway::app {

// The evidence of a fork: the checkpoint cosigned before and the one that contradicts it.
struct ForkRecord {
  std::string origin;
  std::string cosigned_note;
  std::string refused_note;
  Timestamp detected_at{};
};

struct WitnessState {
  std::map<std::string, std::string> last_cosigned;  // origin -> the log's signed note
  std::vector<ForkRecord> forks;
};

// LoadWitnessState() reads the state; a missing file is the empty state. Errors:
// kFailedPrecondition "state-exposed" when group or others may access the file; kDataLoss
// "state-malformed" when it is not a state this code wrote.
Result<WitnessState> LoadWitnessState(const std::string& path);

// SaveWitnessState() replaces the file atomically with mode 0600. kUnavailable "write-failed".
Status SaveWitnessState(const std::string& path, const WitnessState& state);

}  // namespace clearway::app
