// File: app/retention.h
//
// Retention with crypto-shredding (issue 5, docs/keys.md "Retention and crypto-shredding"):
// each record class lives for its configured period after it closes (app/retention_config.h),
// legal holds suspend that for a declaration or an organisation, and a run purges what is due.
//
//   record class     closes when                                   purged how
//   declaration      its last transition into a final status       crypto-shredded: data key,
//                    (released, rejected, seized, invalidated)      salts, payloads, assessments,
//                                                                  idempotency answers deleted
//   security event   at its time                                   the event row deleted
//   session          at its idle deadline (or earlier revocation)  the token record deleted
//
// Declarations and security events go in units of work of at most kPurgeBatch records, each
// with its `retention.purge` ledger entry (ids and closing dates only); the purge register
// (app/purge_register.h) gets each purge after it commits. A declaration under an active hold
// stays, and the store refuses to purge it even if a hold arrives between plan and run.
// Sessions live in the identity directory and have no ledger leaves: they are deleted there.
//
//   app::RetentionService retention(store, &directory, clock, config.retention, {}, &register);
//   CW_ASSIGN_OR_RETURN(app::RetentionPlan plan, retention.Plan(admin));
//   CW_ASSIGN_OR_RETURN(app::RetentionRunReport report, retention.Run(admin));
//
// Thread safety: RetentionService is safe for concurrent use; RetentionScheduler runs its own
// thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/purge_register.h"
#include "app/retention_config.h"
#include "common/result.h"
#include "common/time.h"
#include "identity/identity.h"
#include "identity/tokens.h"
#include "store/store.h"

namespace clearway::app {

// Records per purge unit of work (declarations plus security events).
inline constexpr size_t kPurgeBatch = 200;
inline constexpr size_t kMaxCaseReferenceBytes = 64;
inline constexpr size_t kMaxHoldReasonBytes = 500;

enum class RecordClass { kDeclaration, kSecurityEvent, kSession };

// RecordClassName() is "declaration", "security-event" or "session".
std::string_view RecordClassName(RecordClass record_class);

// One line of a plan: a record (or, for sessions, all sessions ended before a date) that is
// due, when it closed and when it fell due, and the holds that keep it if any.
struct PlanItem {
  RecordClass record_class = RecordClass::kDeclaration;
  std::string id;            // declaration or event id; "" for the sessions line
  Timestamp closed_at{};     // sessions: the latest end that is due
  Timestamp due_at{};
  std::vector<std::string> held_by;  // ids of the active holds that suspend it
  int64_t count = 1;                 // sessions: how many
};

struct RetentionPlan {
  Timestamp as_of{};
  std::vector<PlanItem> items;  // declarations, then security events, then sessions
  int64_t due() const;          // items not held (sessions counted one by one)
  int64_t held() const;
};

struct RetentionRunReport {
  Timestamp at{};
  std::vector<std::string> purge_ids;   // one per unit of work, in order
  int64_t declarations = 0;
  int64_t security_events = 0;
  int64_t sessions = 0;
  int64_t held = 0;                     // due but kept by a hold
  std::vector<uint64_t> leaf_indices;   // of the purges' ledger entries
};

// What PlaceHold() needs besides the caller.
struct HoldRequest {
  std::string scope;      // "declaration" | "organisation"
  std::string target_id;
  std::string case_reference;
  std::string reason;
};

class RetentionService {
 public:
  // `sessions` may be null (no session purge), `purges` too (no register); all must outlive
  // the service. `on_append` is told the tree size after each committed unit (the ledger's
  // checkpointer), and may be empty.
  RetentionService(store::Store& store, identity::TokenStore* sessions, const Clock& clock,
                   RetentionConfig config, std::function<void(uint64_t)> on_append,
                   PurgeRegister* purges);

  // Plan() lists what a run at `as_of` (default: now) would purge, and what holds keep.
  // kPermissionDenied "forbidden" unless the caller may read retention (Policy).
  Result<RetentionPlan> Plan(const identity::Principal& caller,
                             std::optional<Timestamp> as_of = std::nullopt);

  // Run() purges everything Plan() lists as due and not held. The caller must manage
  // retention. Store errors stop the run; purges committed before stay committed.
  Result<RetentionRunReport> Run(const identity::Principal& caller);

  // PlaceHold() places a legal hold with its ledger leaf. kPermissionDenied "forbidden";
  // kInvalidArgument "bad-hold" (field named) for a bad scope, target, case reference or
  // reason; kNotFound "declaration-not-found" / "declaration-purged" for a declaration hold
  // on a declaration that is not stored.
  Result<store::LegalHold> PlaceHold(const identity::Principal& caller, const HoldRequest& hold);

  // ReleaseHold() releases a hold. kNotFound "hold-not-found"; kAlreadyExists
  // "hold-already-released"; kInvalidArgument "bad-hold" for an empty or long reason.
  Result<store::LegalHold> ReleaseHold(const identity::Principal& caller, const std::string& id,
                                       const std::string& reason);

  // ListHolds() lists holds, released ones only when asked. Readers of retention only.
  Result<std::vector<store::LegalHold>> ListHolds(const identity::Principal& caller,
                                                  bool include_released);

  const RetentionConfig& config() const { return config_; }

 private:
  Result<RetentionPlan> PlanAt(Timestamp as_of);
  std::string NewId();
  void Appended(const store::CommitReceipt& receipt);

  store::Store& store_;
  identity::TokenStore* const sessions_;
  const Clock& clock_;
  const RetentionConfig config_;
  const std::function<void(uint64_t)> on_append_;
  PurgeRegister* const purges_;
  std::mutex run_mu_;  // one run at a time
};

// RetentionScheduler calls RetentionService::Run() as the system every `interval` on a
// thread of its own (the first run one interval after start). The latest outcome is kept.
class RetentionScheduler {
 public:
  RetentionScheduler(RetentionService& service, std::chrono::milliseconds interval);
  ~RetentionScheduler();  // stops and joins the thread
  RetentionScheduler(const RetentionScheduler&) = delete;
  RetentionScheduler& operator=(const RetentionScheduler&) = delete;

  void RunNow();
  // LastRun() is the latest run's report or error (kUnavailable "retention-not-run" before).
  Result<RetentionRunReport> LastRun();

 private:
  void Loop();

  RetentionService& service_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  bool wake_ = false;  // guarded by mu_
  Result<RetentionRunReport> last_;  // guarded by mu_
  std::thread thread_;  // started last
};

// SystemPrincipal() is the administrator the scheduled job acts as ("system").
identity::Principal SystemPrincipal();

}  // namespace clearway::app
