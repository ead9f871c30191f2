#include "declaration/lifecycle.h"

#include <optional>
#include <string>

namespace clearway::declaration {

namespace {

template <class Enum, size_t N>
Result<Enum> ParseByName(std::string_view name, const Enum (&all)[N],
                         std::string_view (*name_of)(Enum), std::string_view reason,
                         std::string_view what) {
  for (Enum value : all) {
    if (name_of(value) == name) return value;
  }
  std::string known;
  for (Enum value : all) {
    if (!known.empty()) known += ", ";
    known += "'" + std::string(name_of(value)) + "'";
  }
  return Error::InvalidArgument("", std::string(reason),
                                "'" + std::string(name.substr(0, 32)) + "' is not a " +
                                    std::string(what) + "; expected one of " + known);
}

// Which actor kinds may ever take an action (DESIGN.md roles): declarants file, amend and
// withdraw; officers work the control queue; the system accepts, rejects and routes.
bool ActorMayTake(ActorKind actor, Action action) {
  switch (actor) {
    case ActorKind::kDeclarant:
      return action == Action::kSubmit || action == Action::kAmend || action == Action::kInvalidate;
    case ActorKind::kOfficer:
      return action == Action::kRouteGreen || action == Action::kRouteYellow ||
             action == Action::kRouteRed || action == Action::kRelease || action == Action::kHold ||
             action == Action::kSeize || action == Action::kReject;
    case ActorKind::kSystem:
      return action == Action::kAccept || action == Action::kReject ||
             action == Action::kRouteGreen || action == Action::kRouteYellow ||
             action == Action::kRouteRed;
  }
  return false;
}

// The status-level rules, ignoring who acts. Returns nullopt when the status forbids it.
std::optional<Transition> Target(DeclarationStatus from, Channel channel, Action action) {
  using S = DeclarationStatus;
  auto to = [&](S status, Channel next_channel = Channel::kNone) {
    return Transition{status, next_channel == Channel::kNone ? channel : next_channel, false};
  };
  bool amendable = from == S::kDraft || from == S::kSubmitted || from == S::kAccepted ||
                   from == S::kUnderControl;
  if (action == Action::kAmend && amendable) return Transition{from, channel, true};
  if (action == Action::kInvalidate && amendable) return to(S::kInvalidated);
  switch (from) {
    case S::kDraft:
      if (action == Action::kSubmit) return to(S::kSubmitted);
      break;
    case S::kSubmitted:
      if (action == Action::kAccept) return to(S::kAccepted);
      if (action == Action::kReject) return to(S::kRejected);
      break;
    case S::kAccepted:
      if (action == Action::kRouteGreen) return to(S::kReleased, Channel::kGreen);
      if (action == Action::kRouteYellow) return to(S::kUnderControl, Channel::kYellow);
      if (action == Action::kRouteRed) return to(S::kUnderControl, Channel::kRed);
      break;
    case S::kUnderControl:
      // Officers may move a controlled declaration between yellow and red; a move to the
      // channel it is already in changes nothing and is refused.
      if (action == Action::kRouteYellow && channel != Channel::kYellow) {
        return to(S::kUnderControl, Channel::kYellow);
      }
      if (action == Action::kRouteRed && channel != Channel::kRed) {
        return to(S::kUnderControl, Channel::kRed);
      }
      if (action == Action::kRelease) return to(S::kReleased);
      if (action == Action::kHold) return to(S::kHeld);
      if (action == Action::kSeize) return to(S::kSeized);
      break;
    case S::kHeld:
      if (action == Action::kRelease) return to(S::kReleased);
      if (action == Action::kSeize) return to(S::kSeized);
      break;
    case S::kRejected:
    case S::kReleased:
    case S::kSeized:
    case S::kInvalidated:
      break;
  }
  return std::nullopt;
}

std::string_view Verb(Action action) {
  switch (action) {
    case Action::kSubmit:
      return "submit";
    case Action::kAccept:
      return "accept";
    case Action::kReject:
      return "reject";
    case Action::kRouteGreen:
      return "route to the green channel";
    case Action::kRouteYellow:
      return "route to the yellow channel";
    case Action::kRouteRed:
      return "route to the red channel";
    case Action::kRelease:
      return "release";
    case Action::kHold:
      return "hold";
    case Action::kSeize:
      return "seize";
    case Action::kInvalidate:
      return "invalidate";
    case Action::kAmend:
      return "amend";
  }
  return "act on";
}

Error IllegalTransition(DeclarationStatus from, Channel channel, Action action) {
  std::string message = "cannot " + std::string(Verb(action)) + " a declaration that is " +
                        std::string(StatusName(from));
  bool same_channel = (action == Action::kRouteYellow && channel == Channel::kYellow) ||
                      (action == Action::kRouteRed && channel == Channel::kRed);
  if (from == DeclarationStatus::kUnderControl && same_channel) {
    message += " in that channel already";
  } else if (IsFinal(from)) {
    message += "; that status is final";
  } else if (from == DeclarationStatus::kAccepted && action == Action::kRelease) {
    message += "; route it first";
  } else {
    std::string allowed;
    for (Action candidate : kAllActions) {
      if (!Target(from, channel, candidate)) continue;
      if (!allowed.empty()) allowed += ", ";
      allowed += ActionName(candidate);
    }
    message += "; allowed now: " + allowed;
  }
  return Error::FailedPrecondition("illegal-transition", std::move(message));
}

}  // namespace

std::string_view StatusName(DeclarationStatus status) {
  switch (status) {
    case DeclarationStatus::kDraft:
      return "draft";
    case DeclarationStatus::kSubmitted:
      return "submitted";
    case DeclarationStatus::kAccepted:
      return "accepted";
    case DeclarationStatus::kRejected:
      return "rejected";
    case DeclarationStatus::kUnderControl:
      return "under_control";
    case DeclarationStatus::kReleased:
      return "released";
    case DeclarationStatus::kHeld:
      return "held";
    case DeclarationStatus::kSeized:
      return "seized";
    case DeclarationStatus::kInvalidated:
      return "invalidated";
  }
  return "unknown";
}

std::string_view ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kNone:
      return "";
    case Channel::kGreen:
      return "green";
    case Channel::kYellow:
      return "yellow";
    case Channel::kRed:
      return "red";
  }
  return "unknown";
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kSubmit:
      return "submit";
    case Action::kAccept:
      return "accept";
    case Action::kReject:
      return "reject";
    case Action::kRouteGreen:
      return "route_green";
    case Action::kRouteYellow:
      return "route_yellow";
    case Action::kRouteRed:
      return "route_red";
    case Action::kRelease:
      return "release";
    case Action::kHold:
      return "hold";
    case Action::kSeize:
      return "seize";
    case Action::kInvalidate:
      return "invalidate";
    case Action::kAmend:
      return "amend";
  }
  return "unknown";
}

std::string_view ActorKindName(ActorKind actor) {
  switch (actor) {
    case ActorKind::kDeclarant:
      return "declarant";
    case ActorKind::kOfficer:
      return "officer";
    case ActorKind::kSystem:
      return "system";
  }
  return "unknown";
}

Result<DeclarationStatus> ParseStatus(std::string_view name) {
  return ParseByName(name, kAllStatuses, StatusName, "unknown-status", "declaration status");
}
Result<Channel> ParseChannel(std::string_view name) {
  return ParseByName(name, kAllChannels, ChannelName, "unknown-channel", "channel");
}
Result<Action> ParseAction(std::string_view name) {
  return ParseByName(name, kAllActions, ActionName, "unknown-action", "lifecycle action");
}
Result<ActorKind> ParseActorKind(std::string_view name) {
  return ParseByName(name, kAllActorKinds, ActorKindName, "unknown-actor-kind", "actor kind");
}

bool IsFinal(DeclarationStatus status) {
  return status == DeclarationStatus::kRejected || status == DeclarationStatus::kReleased ||
         status == DeclarationStatus::kSeized || status == DeclarationStatus::kInvalidated;
}

Result<Transition> Apply(DeclarationStatus from, Channel channel, Action action, ActorKind actor) {
  if (!ActorMayTake(actor, action)) {
    return Error::PermissionDenied("actor-not-allowed",
                                   "a " + std::string(ActorKindName(actor)) + " may not " +
                                       std::string(Verb(action)) + " a declaration");
  }
  auto target = Target(from, channel, action);
  if (!target) return IllegalTransition(from, channel, action);
  bool reroute = from == DeclarationStatus::kUnderControl &&
                 (action == Action::kRouteYellow || action == Action::kRouteRed);
  if (reroute && actor != ActorKind::kOfficer) {
    return Error::PermissionDenied("actor-not-allowed",
                                   "only an officer may re-route a declaration under control");
  }
  return *target;
}

std::vector<Action> AllowedActions(DeclarationStatus from, Channel channel, ActorKind actor) {
  std::vector<Action> allowed;
  for (Action action : kAllActions) {
    if (Apply(from, channel, action, actor).ok()) allowed.push_back(action);
  }
  return allowed;
}

// Codes: the WCO Data Model DMS response ("notification function") codes as used by
// declaration management systems built on WCO DM 3.x, e.g. HMRC's CDS notifications:
// 01 accepted, 02 received, 03 rejected, 05 under physical control, 06 additional documents
// required, 08 released, 10 cancelled (invalidated). See docs/declaration.md for confidence.
std::string_view WcoResponseCode(DeclarationStatus status, Channel channel) {
  switch (status) {
    case DeclarationStatus::kDraft:
      return "";  // never lodged: customs sends no response
    case DeclarationStatus::kSubmitted:
      return "02";
    case DeclarationStatus::kAccepted:
      return "01";
    case DeclarationStatus::kRejected:
      return "03";
    case DeclarationStatus::kUnderControl:
      return channel == Channel::kYellow ? "06" : "05";
    case DeclarationStatus::kReleased:
      return "08";
    // Not pinned to a source: held and seized goods stay under customs control, so they are
    // reported as control (05) by analogy.
    case DeclarationStatus::kHeld:
      return "05";
    case DeclarationStatus::kSeized:
      return "05";
    case DeclarationStatus::kInvalidated:
      return "10";
  }
  return "";
}

}  // namespace clearway::declaration
