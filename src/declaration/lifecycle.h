// File: declaration/lifecycle.h
//
// The lifecycle of a declaration as a pure state machine: which action, taken by which kind of
// actor, moves a declaration from one status (and control channel) to the next, and the WCO
// DMS response code each status is reported with. No I/O: callers record the transition.
//
//   draft --submit--> submitted --accept--> accepted --route_green--> released (green)
//                               --reject--> rejected  --route_yellow/red--> under_control
//   under_control --release--> released | --hold--> held | --seize--> seized
//   held --release--> released | --seize--> seized
//   invalidate: from draft, submitted, accepted, under_control; amend: same states, new version
//
//   auto next = Apply(DeclarationStatus::kAccepted, Channel::kNone, Action::kRouteRed,
//                     ActorKind::kSystem);
//   next->status;   // kUnderControl
//   next->channel;  // kRed
//
// Thread safety: all functions are pure.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"

namespace clearway::declaration {

enum class DeclarationStatus {
  kDraft,
  kSubmitted,
  kAccepted,
  kRejected,
  kUnderControl,
  kReleased,
  kHeld,
  kSeized,
  kInvalidated,
};

// The control channel risk analysis chose: none until routed, then green (release without
// control), yellow (documentary check) or red (physical inspection).
enum class Channel { kNone, kGreen, kYellow, kRed };

enum class Action {
  kSubmit,
  kAccept,
  kReject,
  kRouteGreen,   // accepted -> released, channel green
  kRouteYellow,  // accepted -> under_control, channel yellow (or re-route under_control)
  kRouteRed,     // accepted -> under_control, channel red (or re-route under_control)
  kRelease,
  kHold,
  kSeize,
  kInvalidate,
  kAmend,  // a new version; status and channel unchanged
};

enum class ActorKind { kDeclarant, kOfficer, kSystem };

// All values of each enum, in declaration order (for tables and tests).
inline constexpr DeclarationStatus kAllStatuses[] = {
    DeclarationStatus::kDraft,    DeclarationStatus::kSubmitted,    DeclarationStatus::kAccepted,
    DeclarationStatus::kRejected, DeclarationStatus::kUnderControl, DeclarationStatus::kReleased,
    DeclarationStatus::kHeld,     DeclarationStatus::kSeized,       DeclarationStatus::kInvalidated,
};
inline constexpr Channel kAllChannels[] = {Channel::kNone, Channel::kGreen, Channel::kYellow,
                                           Channel::kRed};
inline constexpr Action kAllActions[] = {
    Action::kSubmit,      Action::kAccept,     Action::kReject,  Action::kRouteGreen,
    Action::kRouteYellow, Action::kRouteRed,   Action::kRelease, Action::kHold,
    Action::kSeize,       Action::kInvalidate, Action::kAmend,
};
inline constexpr ActorKind kAllActorKinds[] = {ActorKind::kDeclarant, ActorKind::kOfficer,
                                               ActorKind::kSystem};

// Stable lower_snake names ("under_control", "route_green", "declarant"); the channel names
// are "", "green", "yellow", "red".
std::string_view StatusName(DeclarationStatus status);
std::string_view ChannelName(Channel channel);
std::string_view ActionName(Action action);
std::string_view ActorKindName(ActorKind actor);

// Parse*() invert the names above. Unknown names give kInvalidArgument with reason
// "unknown-status", "unknown-channel", "unknown-action" or "unknown-actor-kind".
Result<DeclarationStatus> ParseStatus(std::string_view name);
Result<Channel> ParseChannel(std::string_view name);
Result<Action> ParseAction(std::string_view name);
Result<ActorKind> ParseActorKind(std::string_view name);

// IsFinal() is true for rejected, released, seized and invalidated: no action applies.
bool IsFinal(DeclarationStatus status);

// Transition is where an action leads.
struct Transition {
  DeclarationStatus status = DeclarationStatus::kDraft;
  Channel channel = Channel::kNone;
  bool new_version = false;  // true for amend: the caller stores a new declaration version
  friend bool operator==(const Transition&, const Transition&) = default;
};

// Apply() gives the status and channel after `action` taken by `actor` on a declaration in
// `from` with `channel`. Errors:
//   kPermissionDenied "actor-not-allowed": this actor kind may never take this action
//     (declarants submit, amend, invalidate; officers route, release, hold, seize, reject;
//     the system accepts, rejects, routes), or only an officer may re-route under control;
//   kFailedPrecondition "illegal-transition": the status does not allow the action; the message
//     names both and what is allowed now ("cannot release a declaration that is accepted;
//     route it first").
Result<Transition> Apply(DeclarationStatus from, Channel channel, Action action, ActorKind actor);

// AllowedActions() lists the actions Apply() accepts for this actor in this state.
std::vector<Action> AllowedActions(DeclarationStatus from, Channel channel, ActorKind actor);

// WcoResponseCode() is the two-digit WCO DMS response (notification function) code reported
// for a status and channel: accepted "01", rejected "03", under control red "05", under control
// yellow "06", released "08", invalidated "10"; submitted "02"; held and seized "05" by analogy
// (not pinned to a source); draft "" (never lodged, so no response exists). The sources and
// their confidence are in docs/declaration.md.
std::string_view WcoResponseCode(DeclarationStatus status, Channel channel);

}  // namespace clearway::declaration
