#include "identity/lockout.h"

#include <algorithm>

namespace clearway::identity {
namespace {

// Eviction looks at this many least-recently-used keys for one that is not locked.
constexpr int kEvictionCandidates = 16;

std::chrono::seconds CeilSeconds(std::chrono::microseconds duration) {
  return std::chrono::ceil<std::chrono::seconds>(duration);
}

LockoutDecision Stricter(const LockoutDecision& a, const LockoutDecision& b) {
  LockoutDecision out;
  out.state = std::max(a.state, b.state);
  out.retry_after = std::max(a.retry_after, b.retry_after);
  return out;
}

std::chrono::seconds Backoff(const LockoutRule& rule, int consecutive_failures) {
  if (consecutive_failures < rule.free_failures) return std::chrono::seconds(0);
  // Cap the exponent first so the shift cannot overflow; the result is capped anyway.
  const int doublings = std::min(consecutive_failures - rule.free_failures, 30);
  const auto delay = rule.initial_backoff * (int64_t{1} << doublings);
  return std::min<std::chrono::seconds>(delay, rule.max_backoff);
}

}  // namespace

Status LockoutDecision::AsStatus() const {
  switch (state) {
    case LockoutState::kAllowed:
      return OkStatus();
    case LockoutState::kBackoff:
      return Error::ResourceExhausted("backoff", "too many failed sign-ins; wait and retry");
    case LockoutState::kLockedOut:
      return Error::ResourceExhausted("locked-out", "too many failed sign-ins; try again later");
  }
  return Error::Internal("lockout-state", "unknown lockout state");
}

LockoutTracker::LockoutTracker(const Clock& clock, LockoutOptions options)
    : clock_(clock), max_entries_(std::max<size_t>(options.max_entries, 1)) {
  accounts_.rule = options.account;
  sources_.rule = options.source;
}

LockoutDecision LockoutTracker::Evaluate(const Table& table, std::string_view key,
                                         Timestamp now) const {
  auto it = table.entries.find(std::string(key));
  if (it == table.entries.end()) return {};
  const Entry& entry = it->second;
  if (now < entry.locked_until) {
    return {LockoutState::kLockedOut, CeilSeconds(entry.locked_until - now)};
  }
  // A quiet `window` since the last failure forgives the consecutive count.
  if (now - entry.last_failure >= table.rule.window) return {};
  const Timestamp wait_until = entry.last_failure + Backoff(table.rule, entry.consecutive_failures);
  if (now < wait_until) return {LockoutState::kBackoff, CeilSeconds(wait_until - now)};
  return {};
}

LockoutTracker::Entry& LockoutTracker::Touch(Table& table, std::string_view key, Timestamp now) {
  std::string owned(key);
  if (auto it = table.entries.find(owned); it != table.entries.end()) {
    table.lru.splice(table.lru.begin(), table.lru, it->second.lru_position);
    return it->second;
  }
  if (table.entries.size() >= max_entries_) {
    // Prefer an unlocked victim among the oldest few, so spraying new keys cannot cheaply
    // release a locked account; fall back to the oldest so memory stays bounded.
    auto victim = std::prev(table.lru.end());
    auto candidate = victim;
    for (int looked = 0; looked < kEvictionCandidates; ++looked) {
      if (table.entries.at(*candidate).locked_until <= now) {
        victim = candidate;
        break;
      }
      if (candidate == table.lru.begin()) break;
      --candidate;
    }
    table.entries.erase(*victim);
    table.lru.erase(victim);
  }
  table.lru.push_front(owned);
  Entry& entry = table.entries[owned];
  entry.lru_position = table.lru.begin();
  return entry;
}

void LockoutTracker::Fail(Table& table, std::string_view key, Timestamp now) {
  Entry& entry = Touch(table, key, now);
  if (entry.consecutive_failures > 0 && now - entry.last_failure >= table.rule.window) {
    entry.consecutive_failures = 0;
  }
  entry.consecutive_failures = std::min(entry.consecutive_failures + 1, 1 << 20);
  entry.last_failure = now;
  if (entry.window_failures == 0 || now - entry.window_start >= table.rule.window) {
    entry.window_start = now;
    entry.window_failures = 0;
  }
  ++entry.window_failures;
  if (now >= entry.locked_until && entry.window_failures >= table.rule.lockout_failures) {
    entry.locked_until = now + table.rule.lockout;
    entry.window_failures = 0;  // the lockout itself is the penalty for this window
  }
}

LockoutDecision LockoutTracker::Check(std::string_view account, std::string_view source) const {
  const Timestamp now = clock_.Now();
  std::scoped_lock lock(mu_);
  return Stricter(Evaluate(accounts_, account, now), Evaluate(sources_, source, now));
}

LockoutDecision LockoutTracker::RecordFailure(std::string_view account, std::string_view source) {
  const Timestamp now = clock_.Now();
  std::scoped_lock lock(mu_);
  Fail(accounts_, account, now);
  Fail(sources_, source, now);
  return Stricter(Evaluate(accounts_, account, now), Evaluate(sources_, source, now));
}

void LockoutTracker::RecordSuccess(std::string_view account, std::string_view /*source*/) {
  const Timestamp now = clock_.Now();
  std::scoped_lock lock(mu_);
  auto it = accounts_.entries.find(std::string(account));
  if (it == accounts_.entries.end()) return;
  // A success while locked means the caller skipped Check(); the lock stands.
  if (now < it->second.locked_until) {
    it->second.consecutive_failures = 0;
    it->second.window_failures = 0;
    return;
  }
  accounts_.lru.erase(it->second.lru_position);
  accounts_.entries.erase(it);
}

size_t LockoutTracker::account_entries() const {
  std::scoped_lock lock(mu_);
  return accounts_.entries.size();
}

size_t LockoutTracker::source_entries() const {
  std::scoped_lock lock(mu_);
  return sources_.entries.size();
}

}  // namespace clearway::identity
