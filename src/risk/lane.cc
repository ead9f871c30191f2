#include "risk/lane.h"

#include <string>

namespace clearway::risk {

std::string_view LaneName(Lane lane) {
  switch (lane) {
    case Lane::kGreen:
      return "green";
    case Lane::kBlue:
      return "blue";
    case Lane::kYellow:
      return "yellow";
    case Lane::kRed:
      return "red";
  }
  return "green";
}

Result<Lane> ParseLane(std::string_view name) {
  for (Lane lane : kAllLanes) {
    if (LaneName(lane) == name) return lane;
  }
  return Error::InvalidArgument("", "unknown-lane",
                                "'" + std::string(name) + "' is not green, blue, yellow or red");
}

declaration::Channel ToChannel(Lane lane) {
  switch (lane) {
    case Lane::kGreen:
    case Lane::kBlue:
      return declaration::Channel::kGreen;
    case Lane::kYellow:
      return declaration::Channel::kYellow;
    case Lane::kRed:
      return declaration::Channel::kRed;
  }
  return declaration::Channel::kGreen;
}

}  // namespace clearway::risk
