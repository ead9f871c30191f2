// File: identity/lockout.h
//
// Brute-force defence for sign-in. LockoutTracker counts failed sign-ins per account and per
// source address and answers, before the password is even looked at, whether another attempt
// may be made now:
//
//   * backoff: once `free_failures` consecutive failures have happened, the next attempt must
//     wait initial_backoff after the last failure, doubling with each further failure up to
//     max_backoff (3rd failure: 1 s, 4th: 2 s, 5th: 4 s ... 60 s);
//   * lockout: `lockout_failures` failures within `window` lock the key for `lockout`
//     (10 in 15 minutes -> 15 minutes for accounts). A window opens at the first failure and
//     lasts `window`; the first failure after it opens the next one (a fixed window, so each
//     key costs constant memory). Backoff counts are forgotten once `window` passes without a
//     failure;
//   * a success resets the account's counters (not the source's: otherwise an attacker with one
//     valid account could wipe their address's record between guesses).
//
//   LockoutTracker tracker(clock);
//   CW_RETURN_IF_ERROR(tracker.Check(username, source_ip).AsStatus());  // before Argon2id
//   if (password_ok) tracker.RecordSuccess(username, source_ip);
//   else if (tracker.RecordFailure(username, source_ip).state == LockoutState::kLockedOut) {
//     sink.Record(...locked-out event...);
//   }
//
// Unknown accounts are tracked exactly like real ones, so answers reveal nothing about which
// accounts exist. Memory is bounded: each of the two tables holds at most max_entries keys,
// evicting the least recently used unlocked key first (an attacker spraying usernames evicts
// their own entries; a locked key is evicted only when every candidate looked at is locked).
//
// Thread safety: all methods are thread-safe. Check-then-record is not atomic, so N parallel
// attempts can pass one Check(); the source limits and Argon2id's cost bound what that buys.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "common/time.h"

namespace clearway::identity {

// The thresholds for one kind of key.
struct LockoutRule {
  int free_failures = 3;  // failures before backoff starts
  std::chrono::seconds initial_backoff{1};
  std::chrono::seconds max_backoff{60};
  int lockout_failures = 10;  // failures within `window` that lock
  std::chrono::seconds window = std::chrono::minutes(15);
  std::chrono::seconds lockout = std::chrono::minutes(15);
};

struct LockoutOptions {
  LockoutRule account;
  // A source address may be a NAT or proxy shared by many honest users: looser limits.
  LockoutRule source{10,  std::chrono::seconds(1),  std::chrono::seconds(30),
                     100, std::chrono::minutes(15), std::chrono::minutes(15)};
  // Per table (accounts, sources). An entry costs ~200 bytes plus its key, so the default caps
  // the tracker at roughly 30 MB however many names or addresses an attacker sprays.
  size_t max_entries = 65536;
};

// Ordered from least to most strict (the tracker combines two decisions with std::max).
enum class LockoutState { kAllowed, kBackoff, kLockedOut };

// LockoutDecision is the answer for one (account, source) pair: the stricter of the two.
struct LockoutDecision {
  LockoutState state = LockoutState::kAllowed;
  std::chrono::seconds retry_after{0};  // rounded up to whole seconds; 0 when allowed

  bool allowed() const { return state == LockoutState::kAllowed; }
  // AsStatus() is ok when allowed, else kResourceExhausted with reason "backoff" or
  // "locked-out" (the retry delay goes in a Retry-After header, from retry_after).
  Status AsStatus() const;
};

// LockoutTracker
//
// In-memory, per-process failure tracker (a multi-node deployment should keep one per node
// behind sticky routing, or back it with a shared store later). Thread-safe.
class LockoutTracker {
 public:
  explicit LockoutTracker(const Clock& clock, LockoutOptions options = {});
  LockoutTracker(const LockoutTracker&) = delete;
  LockoutTracker& operator=(const LockoutTracker&) = delete;

  // Check() says whether a sign-in for `account` from `source` may be attempted now. It does
  // not change any state.
  LockoutDecision Check(std::string_view account, std::string_view source) const;

  // RecordFailure() counts a failed attempt (bad password, bad TOTP, unknown user) and returns
  // the decision that now applies; kLockedOut means this failure locked a key (or one was).
  LockoutDecision RecordFailure(std::string_view account, std::string_view source);

  // RecordSuccess() forgets the account's failures; the source keeps its record. A lockout in
  // force stays in force (a success during one means Check() was skipped).
  void RecordSuccess(std::string_view account, std::string_view source);

  // Number of keys tracked in each table (for metrics and tests).
  size_t account_entries() const;
  size_t source_entries() const;

 private:
  struct Entry {
    int consecutive_failures = 0;
    Timestamp last_failure;
    Timestamp locked_until;
    Timestamp window_start;  // first failure of the current counting window
    int window_failures = 0;
    std::list<std::string>::iterator lru_position;
  };

  // Table is one LRU-bounded map of keys to entries, for accounts or for sources.
  struct Table {
    LockoutRule rule;
    std::unordered_map<std::string, Entry> entries;
    std::list<std::string> lru;  // front = most recently used
  };

  LockoutDecision Evaluate(const Table& table, std::string_view key, Timestamp now) const;
  Entry& Touch(Table& table, std::string_view key, Timestamp now);
  void Fail(Table& table, std::string_view key, Timestamp now);

  const Clock& clock_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  Table accounts_;  // guarded by mu_
  Table sources_;   // guarded by mu_
};

}  // namespace clearway::identity
