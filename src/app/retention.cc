#include "app/retention.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "common/ids.h"
#include "crypto/crypto.h"
#include "declaration/lifecycle.h"
#include "store/ledger_records.h"

namespace clearway::app {

namespace {

using identity::Policy;
using identity::Principal;

constexpr int kPageLimit = 500;
// The store's queries are bounded a little past the exact cut-off (leap days round either
// way); each candidate is then checked with AddPeriod().
constexpr std::chrono::days kQueryMargin{2};

// The statuses a declaration closes in: no action applies to them (declaration::IsFinal).
std::vector<std::string> FinalStatuses() {
  std::vector<std::string> names;
  for (declaration::DeclarationStatus status : declaration::kAllStatuses) {
    if (declaration::IsFinal(status)) names.emplace_back(declaration::StatusName(status));
  }
  return names;
}

Error BadHold(std::string field, std::string message) {
  return Error::InvalidArgument(std::move(field), "bad-hold", std::move(message));
}

bool Printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  });
}

Status CheckText(std::string_view text, size_t max, const std::string& field) {
  if (text.empty()) return BadHold(field, field + " is required");
  if (text.size() > max) {
    return BadHold(field, field + " must be at most " + std::to_string(max) + " bytes");
  }
  if (!Printable(text)) return BadHold(field, field + " must not hold control characters");
  return OkStatus();
}

}  // namespace

std::string_view RecordClassName(RecordClass record_class) {
  switch (record_class) {
    case RecordClass::kDeclaration:
      return "declaration";
    case RecordClass::kSecurityEvent:
      return "security-event";
    case RecordClass::kSession:
      return "session";
  }
  return "declaration";
}

int64_t RetentionPlan::due() const {
  int64_t due = 0;
  for (const PlanItem& item : items) {
    if (item.held_by.empty()) due += item.count;
  }
  return due;
}

int64_t RetentionPlan::held() const {
  int64_t held = 0;
  for (const PlanItem& item : items) {
    if (!item.held_by.empty()) held += item.count;
  }
  return held;
}

identity::Principal SystemPrincipal() {
  identity::Principal system;
  system.user_id = "system";
  system.role = identity::Role::kAdministrator;
  return system;
}

RetentionService::RetentionService(store::Store& store, identity::TokenStore* sessions,
                                   const Clock& clock, RetentionConfig config,
                                   std::function<void(uint64_t)> on_append,
                                   PurgeRegister* purges)
    : store_(store),
      sessions_(sessions),
      clock_(clock),
      config_(std::move(config)),
      on_append_(std::move(on_append)),
      purges_(purges) {}

std::string RetentionService::NewId() {
  std::array<uint8_t, 10> random{};
  crypto::RandomBytes(random);
  return MakeUlid(clock_.Now(), random);
}

void RetentionService::Appended(const store::CommitReceipt& receipt) {
  if (on_append_) on_append_(receipt.tree_size);
}

Result<RetentionPlan> RetentionService::Plan(const Principal& caller,
                                             std::optional<Timestamp> as_of) {
  CW_RETURN_IF_ERROR(Policy::CanReadRetention(caller));
  return PlanAt(as_of.value_or(clock_.Now()));
}

Result<RetentionPlan> RetentionService::PlanAt(Timestamp as_of) {
  RetentionPlan plan;
  plan.as_of = as_of;
  CW_ASSIGN_OR_RETURN(std::vector<store::LegalHold> holds, store_.ListLegalHolds(false));
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> holds_on;
  for (const store::LegalHold& hold : holds) {
    holds_on[{hold.hold.scope, hold.hold.target_id}].push_back(hold.hold.id);
  }
  auto held_by = [&holds_on](const std::string& id, const std::string& organisation) {
    std::vector<std::string> ids;
    for (const auto& key : {std::pair<std::string, std::string>{"declaration", id},
                            std::pair<std::string, std::string>{"organisation", organisation}}) {
      auto found = holds_on.find(key);
      if (found != holds_on.end()) ids.insert(ids.end(), found->second.begin(), found->second.end());
    }
    return ids;
  };

  // Declarations, by closing date.
  const Timestamp declarations_bound = SubtractPeriod(as_of, config_.declarations) + kQueryMargin;
  const std::vector<std::string> final_statuses = FinalStatuses();
  std::optional<std::pair<Timestamp, std::string>> after;
  while (true) {
    CW_ASSIGN_OR_RETURN(std::vector<store::ClosedDeclaration> page,
                        store_.ListClosedDeclarations(final_statuses, declarations_bound, after,
                                                      kPageLimit));
    for (const store::ClosedDeclaration& closed : page) {
      const Timestamp due = AddPeriod(closed.closed_at, config_.declarations);
      if (due > as_of) continue;
      plan.items.push_back(PlanItem{RecordClass::kDeclaration, closed.id, closed.closed_at, due,
                                    held_by(closed.id, closed.organisation_id), 1});
    }
    if (page.size() < static_cast<size_t>(kPageLimit)) break;
    after = std::make_pair(page.back().closed_at, page.back().id);
  }

  // Security events, oldest first.
  store::SecurityEventFilter filter;
  filter.to = SubtractPeriod(as_of, config_.security_events) + kQueryMargin;
  store::PageRequest page_request;
  page_request.limit = kPageLimit;
  std::vector<PlanItem> events;
  while (true) {
    CW_ASSIGN_OR_RETURN(store::SecurityEventPage page,
                        store_.ListSecurityEvents(filter, page_request));
    for (const store::SecurityEventRow& event : page.items) {
      const Timestamp due = AddPeriod(event.at, config_.security_events);
      if (due > as_of) continue;
      events.push_back(PlanItem{RecordClass::kSecurityEvent, event.id, event.at, due, {}, 1});
    }
    if (page.next_cursor.empty()) break;
    page_request.after_cursor = page.next_cursor;
  }
  std::reverse(events.begin(), events.end());
  plan.items.insert(plan.items.end(), events.begin(), events.end());

  // Sessions, as one line: they carry no id worth listing.
  if (sessions_ != nullptr) {
    const Timestamp ended_before = SubtractPeriod(as_of, config_.sessions);
    CW_ASSIGN_OR_RETURN(size_t count, sessions_->PurgeSessions(ended_before, /*dry_run=*/true));
    if (count > 0) {
      plan.items.push_back(PlanItem{RecordClass::kSession, "", ended_before,
                                    AddPeriod(ended_before, config_.sessions), {},
                                    static_cast<int64_t>(count)});
    }
  }
  return plan;
}

Result<RetentionRunReport> RetentionService::Run(const Principal& caller) {
  CW_RETURN_IF_ERROR(Policy::CanManageRetention(caller));
  std::scoped_lock lock(run_mu_);
  // A purge committed but missing from the register (a crash in between) is added first.
  if (purges_ != nullptr) {
    CW_ASSIGN_OR_RETURN(int synced, purges_->Sync(store_));
    static_cast<void>(synced);
  }
  RetentionRunReport report;
  report.at = clock_.Now();
  CW_ASSIGN_OR_RETURN(RetentionPlan plan, PlanAt(report.at));
  std::vector<const PlanItem*> due;
  for (const PlanItem& item : plan.items) {
    if (!item.held_by.empty()) {
      report.held += item.count;
      continue;
    }
    if (item.record_class != RecordClass::kSession) due.push_back(&item);
  }
  for (size_t start = 0; start < due.size(); start += kPurgeBatch) {
    const size_t end = std::min(due.size(), start + kPurgeBatch);
    store::PurgeRow purge;
    purge.id = NewId();
    purge.purged_at = report.at;
    purge.actor = caller.user_id;
    for (size_t idx = start; idx < end; ++idx) {
      const PlanItem& item = *due[idx];
      if (item.record_class == RecordClass::kDeclaration) {
        purge.declarations.push_back(store::PurgedDeclaration{item.id, item.closed_at});
      } else {
        purge.security_event_ids.push_back(item.id);
      }
    }
    store::UnitOfWork work;
    work.purge = purge;
    store::SealUnit(work);
    CW_ASSIGN_OR_RETURN(store::CommitReceipt receipt, store_.Commit(std::move(work)));
    Appended(receipt);
    report.purge_ids.push_back(purge.id);
    report.leaf_indices.push_back(receipt.leaf_indices.back());
    report.declarations += static_cast<int64_t>(purge.declarations.size());
    report.security_events += static_cast<int64_t>(purge.security_event_ids.size());
    if (purges_ != nullptr) CW_RETURN_IF_ERROR(purges_->Append(purge));
  }
  if (sessions_ != nullptr) {
    CW_ASSIGN_OR_RETURN(size_t sessions, sessions_->PurgeSessions(
                                             SubtractPeriod(report.at, config_.sessions), false));
    report.sessions = static_cast<int64_t>(sessions);
  }
  return report;
}

Result<store::LegalHold> RetentionService::PlaceHold(const Principal& caller,
                                                     const HoldRequest& request) {
  CW_RETURN_IF_ERROR(Policy::CanManageRetention(caller));
  if (request.scope != "declaration" && request.scope != "organisation") {
    return BadHold("scope", "scope must be \"declaration\" or \"organisation\"");
  }
  CW_RETURN_IF_ERROR(CheckText(request.target_id, 64, "target"));
  CW_RETURN_IF_ERROR(CheckText(request.case_reference, kMaxCaseReferenceBytes, "caseReference"));
  CW_RETURN_IF_ERROR(CheckText(request.reason, kMaxHoldReasonBytes, "reason"));
  if (request.scope == "declaration") {
    // A hold on a declaration that is not stored (or purged already) would protect nothing.
    CW_ASSIGN_OR_RETURN(store::DeclarationRow row,
                        store_.GetDeclaration(request.target_id, std::nullopt));
    static_cast<void>(row);
  }
  store::LegalHoldRow hold;
  hold.id = NewId();
  hold.scope = request.scope;
  hold.target_id = request.target_id;
  hold.case_reference = request.case_reference;
  hold.reason = request.reason;
  hold.placed_by = caller.user_id;
  hold.placed_at = clock_.Now();
  store::UnitOfWork work;
  work.legal_holds.push_back(hold);
  store::SealUnit(work);
  CW_ASSIGN_OR_RETURN(store::CommitReceipt receipt, store_.Commit(std::move(work)));
  Appended(receipt);
  return store_.GetLegalHold(hold.id);
}

Result<store::LegalHold> RetentionService::ReleaseHold(const Principal& caller,
                                                       const std::string& id,
                                                       const std::string& reason) {
  CW_RETURN_IF_ERROR(Policy::CanManageRetention(caller));
  CW_RETURN_IF_ERROR(CheckText(reason, kMaxHoldReasonBytes, "reason"));
  store::HoldReleaseRow release;
  release.hold_id = id;
  release.released_by = caller.user_id;
  release.reason = reason;
  release.released_at = clock_.Now();
  store::UnitOfWork work;
  work.hold_releases.push_back(release);
  store::SealUnit(work);
  CW_ASSIGN_OR_RETURN(store::CommitReceipt receipt, store_.Commit(std::move(work)));
  Appended(receipt);
  return store_.GetLegalHold(id);
}

Result<std::vector<store::LegalHold>> RetentionService::ListHolds(const Principal& caller,
                                                                 bool include_released) {
  CW_RETURN_IF_ERROR(Policy::CanReadRetention(caller));
  return store_.ListLegalHolds(include_released);
}

// ---- RetentionScheduler ----------------------------------------------------------------------

RetentionScheduler::RetentionScheduler(RetentionService& service,
                                       std::chrono::milliseconds interval)
    : service_(service),
      interval_(interval),
      last_(Error::Unavailable("retention-not-run", "the scheduled retention has not run yet")) {
  thread_ = std::thread([this] { Loop(); });
}

RetentionScheduler::~RetentionScheduler() {
  {
    std::scoped_lock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void RetentionScheduler::RunNow() {
  {
    std::scoped_lock lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

Result<RetentionRunReport> RetentionScheduler::LastRun() {
  std::scoped_lock lock(mu_);
  return last_;
}

void RetentionScheduler::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, interval_, [this] { return stop_ || wake_; });
      if (stop_) return;
      wake_ = false;
    }
    Result<RetentionRunReport> run = service_.Run(SystemPrincipal());
    std::scoped_lock lock(mu_);
    last_ = std::move(run);
  }
}

}  // namespace clearway::app
