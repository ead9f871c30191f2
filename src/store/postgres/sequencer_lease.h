// File: store/postgres/sequencer_lease.h
//
// SequencerLease is the database lease that makes one node of several sharing a PostgreSQL
// store the ledger's sequencer, the one that signs checkpoints. It is a session-level advisory
// lock (store/postgres/locks.h) held on a connection of its own, with a heartbeat: a thread
// tries to take the lock while it is free and, once held, proves every `heartbeat` that the
// session is still alive. The server enforces the other side: the lease session runs with
// idle_session_timeout, so a holder that stops beating (frozen, partitioned) is disconnected
// and its lock released, and keepalives notice a dead peer. A node that is SIGKILLed loses its
// connection, and so the lock, at once; another node takes the lease at its next try, within
// about one heartbeat. A node that loses the lease while alive (its session ended) waits
// idle_timeout before it competes again, so the lease moves on instead of flapping back.
//
// The lease is an efficiency, not the safety of the log: leaves are sequenced by every
// node's commits under the append lock, and a checkpoint is kept only if its root is the
// stored tree's (store/postgres/ledger_tables.h), so two nodes signing at once cannot fork it.
//
//   CW_ASSIGN_OR_RETURN(auto lease, SequencerLease::Start({url, "clearway-lease"}));
//   if (lease->Held()) SignCheckpoint();
//
// Thread safety: Held() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"

namespace clearway::store::postgres {

namespace internal {
class PgConnection;
}  // namespace internal

struct SequencerLeaseOptions {
  std::string url;
  std::string application_name = "clearway-lease";
  std::chrono::milliseconds heartbeat{1000};
  // The server disconnects a lease session idle this long (PostgreSQL idle_session_timeout);
  // must be more than twice the heartbeat.
  std::chrono::milliseconds idle_timeout{5000};
};

class SequencerLease {
 public:
  // Start() starts the heartbeat thread; the first try to take the lease happens before it
  // returns. Errors: kInvalidArgument "bad-store-option" (empty URL, heartbeat out of range or
  // an idle timeout not above twice the heartbeat). An unreachable server is not an error: the
  // lease is simply not held until it can be taken.
  static Result<std::unique_ptr<SequencerLease>> Start(const SequencerLeaseOptions& options);

  // The destructor stops the heartbeat and closes the session, releasing the lease.
  ~SequencerLease();
  SequencerLease(const SequencerLease&) = delete;
  SequencerLease& operator=(const SequencerLease&) = delete;

  // Held() is true while this node holds the lease and its last heartbeat succeeded.
  bool Held() const { return held_.load(); }

  // WaitUntilHeldForTesting() waits until Held() or `timeout`; returns Held().
  bool WaitUntilHeldForTesting(std::chrono::milliseconds timeout);

 private:
  explicit SequencerLease(SequencerLeaseOptions options);
  void Loop();
  // Beat() tries to take the lock, or proves the session holding it is alive.
  void Beat();

  const SequencerLeaseOptions options_;
  std::unique_ptr<internal::PgConnection> conn_;  // used only by Beat()
  // When this node last lost the lease (used only by Beat()).
  std::optional<std::chrono::steady_clock::time_point> lost_at_;
  std::atomic<bool> held_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace clearway::store::postgres
