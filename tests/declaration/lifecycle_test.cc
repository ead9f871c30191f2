// The lifecycle state machine: every (status, channel, action, actor) combination against an
// explicit table of the legal ones, written out independently of the implementation.

#include "declaration/lifecycle.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::declaration {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using S = DeclarationStatus;
using C = Channel;
using A = Action;
using K = ActorKind;

struct LegalRow {
  S from;
  C channel;
  A action;
  K actor;
  S to;
  C to_channel;
  bool new_version = false;
};

// The legal transitions, one row per actor kind allowed.
const std::vector<LegalRow>& LegalRows() {
  static const std::vector<LegalRow> rows = {
      {S::kDraft, C::kNone, A::kSubmit, K::kDeclarant, S::kSubmitted, C::kNone},
      {S::kDraft, C::kNone, A::kAmend, K::kDeclarant, S::kDraft, C::kNone, true},
      {S::kDraft, C::kNone, A::kInvalidate, K::kDeclarant, S::kInvalidated, C::kNone},

      {S::kSubmitted, C::kNone, A::kAccept, K::kSystem, S::kAccepted, C::kNone},
      {S::kSubmitted, C::kNone, A::kReject, K::kSystem, S::kRejected, C::kNone},
      {S::kSubmitted, C::kNone, A::kReject, K::kOfficer, S::kRejected, C::kNone},
      {S::kSubmitted, C::kNone, A::kAmend, K::kDeclarant, S::kSubmitted, C::kNone, true},
      {S::kSubmitted, C::kNone, A::kInvalidate, K::kDeclarant, S::kInvalidated, C::kNone},

      {S::kAccepted, C::kNone, A::kRouteGreen, K::kSystem, S::kReleased, C::kGreen},
      {S::kAccepted, C::kNone, A::kRouteGreen, K::kOfficer, S::kReleased, C::kGreen},
      {S::kAccepted, C::kNone, A::kRouteYellow, K::kSystem, S::kUnderControl, C::kYellow},
      {S::kAccepted, C::kNone, A::kRouteYellow, K::kOfficer, S::kUnderControl, C::kYellow},
      {S::kAccepted, C::kNone, A::kRouteRed, K::kSystem, S::kUnderControl, C::kRed},
      {S::kAccepted, C::kNone, A::kRouteRed, K::kOfficer, S::kUnderControl, C::kRed},
      {S::kAccepted, C::kNone, A::kAmend, K::kDeclarant, S::kAccepted, C::kNone, true},
      {S::kAccepted, C::kNone, A::kInvalidate, K::kDeclarant, S::kInvalidated, C::kNone},

      {S::kUnderControl, C::kYellow, A::kRouteRed, K::kOfficer, S::kUnderControl, C::kRed},
      {S::kUnderControl, C::kYellow, A::kRelease, K::kOfficer, S::kReleased, C::kYellow},
      {S::kUnderControl, C::kYellow, A::kHold, K::kOfficer, S::kHeld, C::kYellow},
      {S::kUnderControl, C::kYellow, A::kSeize, K::kOfficer, S::kSeized, C::kYellow},
      {S::kUnderControl, C::kYellow, A::kAmend, K::kDeclarant, S::kUnderControl, C::kYellow, true},
      {S::kUnderControl, C::kYellow, A::kInvalidate, K::kDeclarant, S::kInvalidated, C::kYellow},

      {S::kUnderControl, C::kRed, A::kRouteYellow, K::kOfficer, S::kUnderControl, C::kYellow},
      {S::kUnderControl, C::kRed, A::kRelease, K::kOfficer, S::kReleased, C::kRed},
      {S::kUnderControl, C::kRed, A::kHold, K::kOfficer, S::kHeld, C::kRed},
      {S::kUnderControl, C::kRed, A::kSeize, K::kOfficer, S::kSeized, C::kRed},
      {S::kUnderControl, C::kRed, A::kAmend, K::kDeclarant, S::kUnderControl, C::kRed, true},
      {S::kUnderControl, C::kRed, A::kInvalidate, K::kDeclarant, S::kInvalidated, C::kRed},

      {S::kHeld, C::kYellow, A::kRelease, K::kOfficer, S::kReleased, C::kYellow},
      {S::kHeld, C::kYellow, A::kSeize, K::kOfficer, S::kSeized, C::kYellow},
      {S::kHeld, C::kRed, A::kRelease, K::kOfficer, S::kReleased, C::kRed},
      {S::kHeld, C::kRed, A::kSeize, K::kOfficer, S::kSeized, C::kRed},
  };
  return rows;
}

// The (status, channel) pairs a declaration can really be in.
const std::vector<std::pair<S, C>> kStates = {
    {S::kDraft, C::kNone},
    {S::kSubmitted, C::kNone},
    {S::kAccepted, C::kNone},
    {S::kRejected, C::kNone},
    {S::kUnderControl, C::kYellow},
    {S::kUnderControl, C::kRed},
    {S::kReleased, C::kGreen},
    {S::kReleased, C::kYellow},
    {S::kReleased, C::kRed},
    {S::kHeld, C::kYellow},
    {S::kHeld, C::kRed},
    {S::kSeized, C::kYellow},
    {S::kSeized, C::kRed},
    {S::kInvalidated, C::kNone},
    {S::kInvalidated, C::kRed},
};

// What each actor kind may ever do (DESIGN.md roles).
bool MayEver(K actor, A action) {
  static const std::set<std::pair<K, A>> allowed = {
      {K::kDeclarant, A::kSubmit},     {K::kDeclarant, A::kAmend},
      {K::kDeclarant, A::kInvalidate}, {K::kOfficer, A::kRouteGreen},
      {K::kOfficer, A::kRouteYellow},  {K::kOfficer, A::kRouteRed},
      {K::kOfficer, A::kRelease},      {K::kOfficer, A::kHold},
      {K::kOfficer, A::kSeize},        {K::kOfficer, A::kReject},
      {K::kSystem, A::kAccept},        {K::kSystem, A::kReject},
      {K::kSystem, A::kRouteGreen},    {K::kSystem, A::kRouteYellow},
      {K::kSystem, A::kRouteRed},
  };
  return allowed.count({actor, action}) > 0;
}

std::string Describe(S from, C channel, A action, K actor) {
  return std::string(StatusName(from)) + "/" + std::string(ChannelName(channel)) + " " +
         std::string(ActionName(action)) + " by " + std::string(ActorKindName(actor));
}

TEST(LifecycleTest, EveryTripleAgainstTheTable) {
  size_t legal_seen = 0;
  for (auto [from, channel] : kStates) {
    for (A action : kAllActions) {
      for (K actor : kAllActorKinds) {
        SCOPED_TRACE(Describe(from, channel, action, actor));
        auto result = Apply(from, channel, action, actor);
        const LegalRow* row = nullptr;
        for (const auto& candidate : LegalRows()) {
          if (candidate.from == from && candidate.channel == channel &&
              candidate.action == action && candidate.actor == actor) {
            row = &candidate;
          }
        }
        if (row != nullptr) {
          ++legal_seen;
          ASSERT_THAT(result, IsOk());
          EXPECT_EQ(*result, (Transition{row->to, row->to_channel, row->new_version}));
          continue;
        }
        bool system_reroute = from == S::kUnderControl && actor == K::kSystem &&
                              ((action == A::kRouteYellow && channel != C::kYellow) ||
                               (action == A::kRouteRed && channel != C::kRed));
        if (!MayEver(actor, action) || system_reroute) {
          EXPECT_THAT(result, HasCode(ErrorCode::kPermissionDenied));
          EXPECT_THAT(result, HasReason("actor-not-allowed"));
        } else {
          EXPECT_THAT(result, HasCode(ErrorCode::kFailedPrecondition));
          EXPECT_THAT(result, HasReason("illegal-transition"));
          EXPECT_THAT(result.error().message, ::testing::HasSubstr("a declaration that is " +
                                                                   std::string(StatusName(from))));
        }
      }
    }
  }
  EXPECT_EQ(legal_seen, LegalRows().size());
}

TEST(LifecycleTest, FinalStatusesAllowNothing) {
  for (S status : kAllStatuses) {
    bool none_allowed = true;
    for (C channel : kAllChannels) {
      for (K actor : kAllActorKinds) {
        none_allowed = none_allowed && AllowedActions(status, channel, actor).empty();
      }
    }
    EXPECT_EQ(IsFinal(status), none_allowed) << StatusName(status);
  }
}

TEST(LifecycleTest, MessagesNameStatusAndAction) {
  auto release = Apply(S::kAccepted, C::kNone, A::kRelease, K::kOfficer);
  ASSERT_THAT(release, HasReason("illegal-transition"));
  EXPECT_EQ(release.error().message,
            "cannot release a declaration that is accepted; route it first");
  auto amend = Apply(S::kReleased, C::kGreen, A::kAmend, K::kDeclarant);
  EXPECT_EQ(amend.error().message,
            "cannot amend a declaration that is released; that status is final");
  auto hold = Apply(S::kSubmitted, C::kNone, A::kHold, K::kOfficer);
  EXPECT_EQ(hold.error().message,
            "cannot hold a declaration that is submitted; allowed now: accept, reject, invalidate, "
            "amend");
  auto same = Apply(S::kUnderControl, C::kRed, A::kRouteRed, K::kOfficer);
  EXPECT_THAT(same.error().message, ::testing::HasSubstr("in that channel already"));
  auto denied = Apply(S::kAccepted, C::kNone, A::kRelease, K::kDeclarant);
  EXPECT_EQ(denied.error().message, "a declarant may not release a declaration");
}

TEST(LifecycleTest, AllowedActionsPerActor) {
  EXPECT_THAT(AllowedActions(S::kDraft, C::kNone, K::kDeclarant),
              ::testing::ElementsAre(A::kSubmit, A::kInvalidate, A::kAmend));
  EXPECT_THAT(AllowedActions(S::kUnderControl, C::kYellow, K::kOfficer),
              ::testing::ElementsAre(A::kRouteRed, A::kRelease, A::kHold, A::kSeize));
  EXPECT_THAT(AllowedActions(S::kUnderControl, C::kYellow, K::kSystem), ::testing::IsEmpty());
}

TEST(LifecycleNamesTest, RoundTrip) {
  for (S status : kAllStatuses) EXPECT_EQ(ParseStatus(StatusName(status)).value(), status);
  for (C channel : kAllChannels) EXPECT_EQ(ParseChannel(ChannelName(channel)).value(), channel);
  for (A action : kAllActions) EXPECT_EQ(ParseAction(ActionName(action)).value(), action);
  for (K actor : kAllActorKinds) EXPECT_EQ(ParseActorKind(ActorKindName(actor)).value(), actor);
  EXPECT_EQ(StatusName(S::kUnderControl), "under_control");
  EXPECT_EQ(ChannelName(C::kNone), "");
  EXPECT_EQ(ActionName(A::kRouteGreen), "route_green");
}

TEST(LifecycleNamesTest, UnknownNamesAreRefused) {
  EXPECT_THAT(ParseStatus("Under_Control"), HasReason("unknown-status"));
  EXPECT_THAT(ParseStatus(""), HasReason("unknown-status"));
  EXPECT_THAT(ParseChannel("blue"), HasReason("unknown-channel"));
  EXPECT_THAT(ParseAction("approve"), HasReason("unknown-action"));
  EXPECT_THAT(ParseActorKind("admin"), HasReason("unknown-actor-kind"));
  EXPECT_THAT(ParseStatus("x"), HasCode(ErrorCode::kInvalidArgument));
}

TEST(WcoResponseCodeTest, CodePerStatus) {
  EXPECT_EQ(WcoResponseCode(S::kAccepted, C::kNone), "01");
  EXPECT_EQ(WcoResponseCode(S::kRejected, C::kNone), "03");
  EXPECT_EQ(WcoResponseCode(S::kUnderControl, C::kRed), "05");
  EXPECT_EQ(WcoResponseCode(S::kUnderControl, C::kYellow), "06");
  EXPECT_EQ(WcoResponseCode(S::kReleased, C::kGreen), "08");
  EXPECT_EQ(WcoResponseCode(S::kReleased, C::kRed), "08");
  EXPECT_EQ(WcoResponseCode(S::kInvalidated, C::kNone), "10");
  EXPECT_EQ(WcoResponseCode(S::kSubmitted, C::kNone), "02");
  EXPECT_EQ(WcoResponseCode(S::kHeld, C::kRed), "05");
  EXPECT_EQ(WcoResponseCode(S::kSeized, C::kYellow), "05");
  EXPECT_EQ(WcoResponseCode(S::kDraft, C::kNone), "");
}

}  // namespace
}  // namespace clearway::declaration
