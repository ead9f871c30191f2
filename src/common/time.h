// File: common/time.h
//
// Time in Clearway is UTC. Timestamp is a microsecond-precision point on the system clock;
// Date is a civil date. Code that needs "now" takes a Clock& so tests can use FakeClock.
//
//   FakeClock clock(ParseTimestamp("2026-01-01T00:00:00Z").value());
//   clock.Advance(std::chrono::seconds(30));
//   FormatTimestamp(clock.Now());  // "2026-01-01T00:00:30Z"
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clearway {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Date = std::chrono::year_month_day;

// Clock is the source of "now". Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// SystemClock reads the operating system's real-time clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// FakeClock is a settable clock for tests; thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_us_(start.time_since_epoch().count()) {}
  Timestamp Now() const override;
  void Advance(std::chrono::microseconds by) { now_us_ += by.count(); }
  void Set(Timestamp t) { now_us_ = t.time_since_epoch().count(); }

 private:
  std::atomic<long long> now_us_;
};

// FormatTimestamp() gives RFC 3339 UTC, "2026-01-01T12:00:00Z", with ".ffffff" only when the
// sub-second part is not zero.
std::string FormatTimestamp(Timestamp t);

// ParseTimestamp() accepts RFC 3339 with "Z" or a numeric offset and optional fractional
// seconds (to microseconds). Returns kInvalidArgument (reason "bad-timestamp") otherwise.
Result<Timestamp> ParseTimestamp(std::string_view text);

// FormatDate() gives "YYYY-MM-DD"; ParseDate() accepts exactly that form of a real date and
// returns kInvalidArgument (reason "bad-date") otherwise.
std::string FormatDate(Date d);
Result<Date> ParseDate(std::string_view text);

// DateOf() is the UTC civil date of a timestamp.
Date DateOf(Timestamp t);

}  // namespace clearway
