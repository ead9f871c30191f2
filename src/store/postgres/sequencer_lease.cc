#include "store/postgres/sequencer_lease.h"

#include <system_error>
#include <utility>

#include "store/postgres/locks.h"
#include "store/postgres/pg_connection.h"

namespace clearway::store::postgres {

using internal::PgConnection;
using internal::PgParams;

Result<std::unique_ptr<SequencerLease>> SequencerLease::Start(
    const SequencerLeaseOptions& options) {
  if (options.url.empty()) {
    return Error::InvalidArgument("url", "bad-store-option", "the PostgreSQL URL is empty");
  }
  if (options.heartbeat < std::chrono::milliseconds(10) ||
      options.heartbeat > std::chrono::minutes(1)) {
    return Error::InvalidArgument("heartbeat", "bad-store-option",
                                  "the heartbeat must be between 10 ms and 1 minute");
  }
  if (options.idle_timeout <= 2 * options.heartbeat) {
    return Error::InvalidArgument("idle_timeout", "bad-store-option",
                                  "the idle timeout must be more than twice the heartbeat");
  }
  std::unique_ptr<SequencerLease> lease(new SequencerLease(options));
  lease->Beat();
  try {
    lease->thread_ = std::thread([raw = lease.get()] { raw->Loop(); });
  } catch (const std::system_error& e) {
    return Error::Internal("store-error", std::string("cannot start the lease: ") + e.what());
  }
  return lease;
}

SequencerLease::SequencerLease(SequencerLeaseOptions options) : options_(std::move(options)) {}

SequencerLease::~SequencerLease() {
  {
    std::scoped_lock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  held_ = false;
  conn_.reset();  // closing the session releases the lock
}

bool SequencerLease::WaitUntilHeldForTesting(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Held() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Held();
}

void SequencerLease::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.heartbeat, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Beat();
    lock.lock();
  }
}

void SequencerLease::Beat() {
  const auto now = std::chrono::steady_clock::now();
  if (conn_ == nullptr || conn_->Broken()) {
    // A broken session has lost the lock with it (the server ends its locks). A holder that
    // lost it stands back for idle_timeout before competing again, so that the lease moves to
    // a node whose session is healthy instead of flapping back.
    if (held_.exchange(false)) lost_at_ = now;
    conn_.reset();
    if (lost_at_.has_value() && now - *lost_at_ < options_.idle_timeout) return;
    auto opened = PgConnection::Open(options_.url, options_.application_name);
    if (!opened.ok()) return;  // not held; try again at the next beat
    conn_ = std::move(opened).value();
    // The server's side of the heartbeat: a session that stops beating is ended, and its
    // lock released, after idle_timeout.
    const std::string set_timeout =
        "SET idle_session_timeout = " + std::to_string(options_.idle_timeout.count());
    if (!conn_->Exec(set_timeout).ok()) {
      conn_.reset();
      return;
    }
  }
  if (held_) {
    if (!conn_->Run("SELECT 1").ok()) {
      held_ = false;
      lost_at_ = now;
    }
    return;
  }
  if (lost_at_.has_value() && now - *lost_at_ < options_.idle_timeout) return;
  auto taken = conn_->Run("SELECT pg_try_advisory_lock($1, $2)",
                          PgParams().Int(internal::kLockClass).Int(internal::kSequencerLeaseLock));
  held_ = taken.ok() && taken->Int(0, 0) != 0;
}

}  // namespace clearway::store::postgres
