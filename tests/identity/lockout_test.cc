#include "identity/lockout.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kStart = Timestamp(seconds(1'800'000'000));

class LockoutTest : public ::testing::Test {
 protected:
  LockoutTest() : clock_(kStart), tracker_(clock_) {}

  LockoutDecision Fail(std::string_view account = "alice", std::string_view source = "10.0.0.1") {
    return tracker_.RecordFailure(account, source);
  }
  LockoutDecision Check(std::string_view account = "alice", std::string_view source = "10.0.0.1") {
    return tracker_.Check(account, source);
  }

  FakeClock clock_;
  LockoutTracker tracker_;
};

TEST_F(LockoutTest, FirstTwoFailuresCostNothing) {
  EXPECT_TRUE(Check().allowed());
  EXPECT_TRUE(Fail().allowed());
  EXPECT_TRUE(Fail().allowed());
  EXPECT_TRUE(Check().allowed());
  EXPECT_THAT(Check().AsStatus(), IsOk());
}

TEST_F(LockoutTest, BackoffDoublesFromOneSecondToTheCap) {
  const std::vector<int> expected_waits = {1, 2, 4, 8, 16, 32, 60, 60};
  // Spread failures out so the 10-in-15-minutes lockout is never reached: each wait is
  // served, then the next attempt fails again.
  LockoutOptions options;
  options.account.lockout_failures = 1000;
  options.source.lockout_failures = 1000;
  options.source.free_failures = 1000;
  LockoutTracker tracker(clock_, options);
  tracker.RecordFailure("bob", "s");
  tracker.RecordFailure("bob", "s");
  for (int wait : expected_waits) {
    LockoutDecision after = tracker.RecordFailure("bob", "s");
    EXPECT_EQ(after.state, LockoutState::kBackoff);
    EXPECT_EQ(after.retry_after, seconds(wait));
    clock_.Advance(seconds(wait) - microseconds(1));
    LockoutDecision still = tracker.Check("bob", "s");
    EXPECT_EQ(still.state, LockoutState::kBackoff) << wait;
    EXPECT_EQ(still.retry_after, seconds(1));  // one microsecond left, rounded up
    EXPECT_THAT(still.AsStatus(), HasCode(ErrorCode::kResourceExhausted));
    EXPECT_THAT(still.AsStatus(), HasReason("backoff"));
    clock_.Advance(microseconds(1));
    EXPECT_TRUE(tracker.Check("bob", "s").allowed()) << wait;
  }
}

TEST_F(LockoutTest, TenFailuresInFifteenMinutesLockForFifteenMinutes) {
  for (int failure = 1; failure <= 9; ++failure) {
    EXPECT_NE(Fail().state, LockoutState::kLockedOut) << failure;
    clock_.Advance(seconds(61));  // past any backoff
  }
  LockoutDecision locked = Fail();
  EXPECT_EQ(locked.state, LockoutState::kLockedOut);
  EXPECT_EQ(locked.retry_after, minutes(15));
  EXPECT_THAT(locked.AsStatus(), HasReason("locked-out"));
  // Another source trying the same account is refused too.
  EXPECT_EQ(Check("alice", "192.0.2.7").state, LockoutState::kLockedOut);
  // Another account from the same source is not locked (the source limit is looser); the
  // source's own tenth failure only asks for its first one-second backoff.
  LockoutDecision other_account = Check("bob", "10.0.0.1");
  EXPECT_EQ(other_account.state, LockoutState::kBackoff);
  EXPECT_EQ(other_account.retry_after, seconds(1));
  clock_.Advance(minutes(15) - microseconds(1));
  EXPECT_EQ(Check().state, LockoutState::kLockedOut);
  clock_.Advance(microseconds(1));
  EXPECT_TRUE(Check().allowed());
}

TEST_F(LockoutTest, FailuresSpreadBeyondTheWindowDoNotLock) {
  for (int failure = 1; failure <= 30; ++failure) {
    EXPECT_NE(Fail().state, LockoutState::kLockedOut) << failure;
    clock_.Advance(minutes(2));  // at most 8 failures fall in any 15-minute window
  }
}

TEST_F(LockoutTest, SuccessResetsTheAccountButNotTheSource) {
  LockoutOptions options;
  options.source.free_failures = 3;  // make the source's backoff visible
  LockoutTracker tracker(clock_, options);
  tracker.RecordFailure("alice", "10.0.0.1");
  tracker.RecordFailure("alice", "10.0.0.1");
  EXPECT_EQ(tracker.RecordFailure("alice", "10.0.0.1").state, LockoutState::kBackoff);
  clock_.Advance(seconds(1));
  tracker.RecordSuccess("alice", "10.0.0.1");
  EXPECT_EQ(tracker.account_entries(), 0u);
  EXPECT_EQ(tracker.source_entries(), 1u);
  // The account starts afresh, but the source's fourth failure still backs off.
  EXPECT_EQ(tracker.RecordFailure("alice", "10.0.0.1").state, LockoutState::kBackoff);
  EXPECT_TRUE(tracker.Check("alice", "10.0.0.2").allowed());
}

TEST_F(LockoutTest, SuccessDoesNotLiftALockout) {
  for (int failure = 0; failure < 10; ++failure) {
    Fail();
    clock_.Advance(seconds(61));
  }
  tracker_.RecordSuccess("alice", "10.0.0.1");
  EXPECT_EQ(Check().state, LockoutState::kLockedOut);
}

TEST_F(LockoutTest, QuietWindowForgivesTheBackoff) {
  Fail();
  Fail();
  Fail();
  EXPECT_EQ(Check().state, LockoutState::kBackoff);
  clock_.Advance(minutes(15));
  EXPECT_TRUE(Check().allowed());
  // The count starts again: the next two failures are free.
  EXPECT_TRUE(Fail().allowed());
  EXPECT_TRUE(Fail().allowed());
}

TEST_F(LockoutTest, SourceIsLockedAfterSprayingManyAccounts) {
  // Password spraying: one address, one guess per account. Each account stays clean, but the
  // source reaches its limit (backoff after 10, lockout after 100 in 15 minutes).
  LockoutDecision last;
  for (int account = 0; account < 100; ++account) {
    last = Fail("user" + std::to_string(account), "203.0.113.9");
  }
  EXPECT_EQ(last.state, LockoutState::kLockedOut);
  EXPECT_EQ(Check("someone-else", "203.0.113.9").state, LockoutState::kLockedOut);
  EXPECT_TRUE(Check("someone-else", "203.0.113.10").allowed());
  EXPECT_TRUE(Check("user5", "198.51.100.1").allowed());
}

TEST_F(LockoutTest, UnknownAndKnownAccountsAreTreatedAlike) {
  for (int failure = 0; failure < 3; ++failure) {
    Fail("alice", "a");
    Fail("no-such-user", "b");
  }
  EXPECT_EQ(Check("alice", "c").state, Check("no-such-user", "d").state);
  EXPECT_EQ(Check("alice", "c").retry_after, Check("no-such-user", "d").retry_after);
}

TEST_F(LockoutTest, MemoryIsBoundedAndLockedEntriesSurviveSpraying) {
  LockoutOptions options;
  options.max_entries = 64;
  LockoutTracker tracker(clock_, options);
  for (int failure = 0; failure < 10; ++failure) {
    tracker.RecordFailure("victim", "attacker-1");
    clock_.Advance(seconds(61));
  }
  ASSERT_EQ(tracker.Check("victim", "x").state, LockoutState::kLockedOut);
  for (int account = 0; account < 10000; ++account) {
    tracker.RecordFailure("spray" + std::to_string(account), "addr" + std::to_string(account));
  }
  EXPECT_LE(tracker.account_entries(), 64u);
  EXPECT_LE(tracker.source_entries(), 64u);
  EXPECT_EQ(tracker.Check("victim", "x").state, LockoutState::kLockedOut);
}

TEST_F(LockoutTest, EvictsOldestWhenEverythingIsLocked) {
  LockoutOptions options;
  options.max_entries = 2;
  options.account.lockout_failures = 1;
  LockoutTracker tracker(clock_, options);
  tracker.RecordFailure("a", "s");
  tracker.RecordFailure("b", "s");
  tracker.RecordFailure("c", "s");
  EXPECT_EQ(tracker.account_entries(), 2u);
  EXPECT_TRUE(tracker.Check("a", "t").allowed());  // evicted
  EXPECT_EQ(tracker.Check("c", "t").state, LockoutState::kLockedOut);
}

TEST_F(LockoutTest, ConcurrentFailuresAreAllCounted) {
  LockoutOptions options;
  options.account.lockout_failures = 400;
  options.account.lockout = minutes(15);
  LockoutTracker tracker(clock_, options);
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
    threads.emplace_back([&tracker, thread_idx] {
      for (int attempt = 0; attempt < 100; ++attempt) {
        tracker.RecordFailure("shared", "s" + std::to_string(thread_idx));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(tracker.Check("shared", "fresh").state, LockoutState::kLockedOut);
}

}  // namespace
}  // namespace clearway::identity
