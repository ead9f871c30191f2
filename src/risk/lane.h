// File: risk/lane.h
//
// Lane: the four control lanes of the risk engine, in order of increasing control. Green
// releases, blue releases now and selects for post-clearance audit, yellow is a documentary
// check, red a physical inspection. The declaration lifecycle knows three channels; ToChannel()
// maps blue to green (the goods are released) and the audit mark travels in the Assessment.
//
//   risk::ParseLane("red").value();              // Lane::kRed
//   risk::ToChannel(risk::Lane::kBlue);          // declaration::Channel::kGreen
//   std::max(risk::Lane::kYellow, risk::Lane::kRed);  // kRed: lanes order by severity
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "common/result.h"
#include "declaration/lifecycle.h"

namespace clearway::risk {

enum class Lane { kGreen = 0, kBlue = 1, kYellow = 2, kRed = 3 };

inline constexpr Lane kAllLanes[] = {Lane::kGreen, Lane::kBlue, Lane::kYellow, Lane::kRed};

// LaneName() gives "green", "blue", "yellow" or "red".
std::string_view LaneName(Lane lane);

// ParseLane() inverts LaneName(); otherwise kInvalidArgument "unknown-lane".
Result<Lane> ParseLane(std::string_view name);

// ToChannel() is the lifecycle channel a lane routes to (blue -> green).
declaration::Channel ToChannel(Lane lane);

}  // namespace clearway::risk
