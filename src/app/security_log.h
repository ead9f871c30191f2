// File: app/security_log.h
//
// The security event stream of a node: every event the identity service (and, later, the
// threat detectors) records goes to SecurityLog, which writes it durably to the store's
// append-only security event log with its ledger leaf (the journal), counts events by type and
// outcome for metrics, keeps the latest ones in memory, and hands each to observers (the API
// writes it as a structured log line). Events hold user ids, token ids and addresses, never a
// password, code or token (identity/security_event.h refuses them).
//
//   SecurityLog log;
//   log.SetJournal(&store, [&](uint64_t size) { ledger.NoteAppended(size); });
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
#include "store/store.h"

namespace clearway::app {

class SecurityLog final : public identity::SecurityEventSink {
 public:
  using Observer = std::function<void(const identity::SecurityEvent&)>;

  explicit SecurityLog(size_t keep = 10000) : keep_(keep) {}

  // Record() validates the event (identity::ValidateSecurityEvent), commits it to the journal
  // (durable when Record returns), counts it, keeps it and tells the observers. Errors of
  // ValidateSecurityEvent() (the event is counted as dropped and kept nowhere) and of
  // Store::Commit() (counted as unjournaled; still counted, kept and observed, so the
  // structured log line is not lost with the database).
  Status Record(const identity::SecurityEvent& event) override;

  // SetJournal() makes Record() write every event to `store` (which must outlive this log);
  // `on_appended`, when set, gets the ledger's size after each write. Call at wiring time.
  void SetJournal(store::Store* store, std::function<void(uint64_t tree_size)> on_appended = {});

  // AddObserver() must be called before events flow (at wiring time).
  void AddObserver(Observer observer);

  // Recent() returns up to `limit` latest events, oldest first.
  std::vector<identity::SecurityEvent> Recent(size_t limit) const;

  // Counts() is the number of events by "type/outcome"; dropped() those refused.
  std::map<std::string, uint64_t> Counts() const;
  uint64_t dropped() const;
  // unjournaled() counts valid events the journal failed to write.
  uint64_t unjournaled() const;

 private:
  const size_t keep_;
  mutable std::mutex mu_;
  std::deque<identity::SecurityEvent> recent_;  // guarded by mu_
  std::map<std::string, uint64_t> counts_;      // guarded by mu_
  uint64_t dropped_ = 0;                        // guarded by mu_
  uint64_t unjournaled_ = 0;                    // guarded by mu_
  std::vector<Observer> observers_;
  store::Store* journal_ = nullptr;
  std::function<void(uint64_t)> on_appended_;
};

}  // namespace clearway::app
