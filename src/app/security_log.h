// File: app/security_log.h
//
// The security event stream of a node: every event the identity service (and, later, the
// threat detectors) records goes to SecurityLog, which counts events by type and outcome for
// metrics, keeps the latest ones for the audit report, and hands each to observers (the API
// writes it as a structured log line). Events hold user ids, token ids and addresses, never a
// password, code or token (identity/security_event.h refuses them).
//
//   SecurityLog log;
//   log.AddObserver([](const identity::SecurityEvent& e) { ... });
//   identity::SecurityEventSink& sink = log;
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "identity/security_event.h"

namespace clearway::app {

class SecurityLog final : public identity::SecurityEventSink {
 public:
  using Observer = std::function<void(const identity::SecurityEvent&)>;

  explicit SecurityLog(size_t keep = 10000) : keep_(keep) {}

  // Record() validates the event (identity::ValidateSecurityEvent), counts it, keeps it and
  // tells the observers. Errors of ValidateSecurityEvent(); an invalid event is counted as
  // dropped and kept nowhere.
  Status Record(const identity::SecurityEvent& event) override;

  // AddObserver() must be called before events flow (at wiring time).
  void AddObserver(Observer observer);

  // Recent() returns up to `limit` latest events, oldest first.
  std::vector<identity::SecurityEvent> Recent(size_t limit) const;

  // Counts() is the number of events by "type/outcome"; dropped() those refused.
  std::map<std::string, uint64_t> Counts() const;
  uint64_t dropped() const;

 private:
  const size_t keep_;
  mutable std::mutex mu_;
  std::deque<identity::SecurityEvent> recent_;  // guarded by mu_
  std::map<std::string, uint64_t> counts_;      // guarded by mu_
  uint64_t dropped_ = 0;                        // guarded by mu_
  std::vector<Observer> observers_;
};

}  // namespace clearway::app
