// File: bench/load_driver.h
//
// The engine of clearway-load: N kept-alive HTTPS connections driven asynchronously (Beast) by
// a few threads, each with its own io_context, so that the load generator spends little CPU on
// a machine it shares with the server it measures (a thread per connection with blocking calls
// costs about twice as much per request: a wake-up per request and per connection).
//
//   LoadPlan plan{...};
//   CW_ASSIGN_OR_RETURN(LoadResult result, RunLoad(plan, [](const LoadClock& times) { ... }));
//
// Closed loop: each connection sends its next request as soon as it has the answer to the last.
// Open loop: request i is due at start + i / rate; the next idle connection takes the next due
// request (waiting for its time if early), and its latency is measured from when it was due, so
// a server that stalls cannot hide it by stalling the client too (coordinated omission).
// Requests still unsent kDrainLimit after the end are not sent: they count as missed, with the
// time they had waited by then.
//
// Thread safety: RunLoad() is one blocking call; the callback runs on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace clearway::bench {

using LoadClockType = std::chrono::steady_clock;

// An open-loop run that is behind when it ends sends for at most this long after the end.
inline constexpr auto kDrainLimit = std::chrono::seconds(2);

struct LoadPlan {
  std::string host;
  uint16_t port = 443;
  std::string ca_file;  // the server certificate must chain to it and name the host
  std::string method = "POST";
  std::string target;  // origin-form path
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
  const std::vector<std::string>* bodies = nullptr;  // request i sends bodies[i % size] (POST)
  bool idempotency_keys = true;  // a fresh Idempotency-Key per request
  int connections = 16;
  int threads = 1;
  double rate = 0;  // requests per second; 0 = closed loop
  double warmup_s = 0;
  double duration_s = 10;
  int expect_status = 201;
  std::chrono::milliseconds timeout{30'000};
};

// The run's clock: requests due (open loop) or started (closed loop) from measure_from until
// end are counted; finished is when the last answer arrived.
struct LoadClock {
  LoadClockType::time_point start;
  LoadClockType::time_point measure_from;
  LoadClockType::time_point end;
};

struct LoadResult {
  LoadClock clock;
  LoadClockType::time_point finished;
  std::vector<double> latencies_ms;  // answered as expected, and missed (with their wait)
  std::vector<double> send_lag_ms;   // open loop: how late each counted request was sent
  int64_t ok = 0;
  // Expected answers that arrived in the measured window, whatever their schedule. Equal to
  // `ok` when the server keeps up; an open-loop run that fell behind spends its window on
  // requests due before it (the warm-up's backlog), which `ok` does not count: `served` is
  // then the rate the server really answered at.
  int64_t served = 0;
  int64_t failed = 0;   // another status, or a transport error
  int64_t missed = 0;   // open loop: never sent
  std::map<int, int64_t> statuses;
  std::string first_error;
};

// RunLoad() opens every connection (TLS handshakes before the clock starts), calls `started`
// with the run's clock, runs, and returns what was measured. Errors: the first connection that
// cannot be opened (kUnavailable "connect-failed"), a CA file that cannot be read
// (kInvalidArgument "bad-ca-file").
Result<LoadResult> RunLoad(const LoadPlan& plan, const std::function<void(const LoadClock&)>& started);

}  // namespace clearway::bench
