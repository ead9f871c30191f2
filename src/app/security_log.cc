#include "app/security_log.h"

#include <utility>

#include "store/ledger_records.h"

namespace clearway::app {

namespace {

store::SecurityEventRow RowOf(const identity::SecurityEvent& event) {
  store::SecurityEventRow row;
  row.id = event.id;
  row.at = event.time;
  row.type = std::string(identity::SecurityEventTypeName(event.type));
  row.outcome = std::string(identity::SecurityOutcomeName(event.outcome));
  row.actor = event.actor;
  row.event = identity::SecurityEventJson(event);
  return row;
}

}  // namespace

void SecurityLog::SetJournal(store::Store* store, std::function<void(uint64_t)> on_appended) {
  journal_ = store;
  on_appended_ = std::move(on_appended);
}

Status SecurityLog::Record(const identity::SecurityEvent& event) {
  Status valid = identity::ValidateSecurityEvent(event);
  Status journaled = OkStatus();
  if (valid.ok() && journal_ != nullptr) {
    store::UnitOfWork work;
    work.security_events.push_back(RowOf(event));
    store::SealUnit(work);
    Result<store::CommitReceipt> receipt = journal_->Commit(std::move(work));
    if (receipt.ok()) {
      if (on_appended_) on_appended_(receipt->tree_size);
    } else {
      journaled = std::move(receipt).error();
    }
  }
  {
    std::scoped_lock lock(mu_);
    if (!valid.ok()) {
      ++dropped_;
      return valid;
    }
    if (!journaled.ok()) ++unjournaled_;
    ++counts_[std::string(identity::SecurityEventTypeName(event.type)) + "/" +
              std::string(identity::SecurityOutcomeName(event.outcome))];
    recent_.push_back(event);
    while (recent_.size() > keep_) recent_.pop_front();
  }
  for (const Observer& observer : observers_) observer(event);
  return journaled;
}

void SecurityLog::AddObserver(Observer observer) { observers_.push_back(std::move(observer)); }

std::vector<identity::SecurityEvent> SecurityLog::Recent(size_t limit) const {
  std::scoped_lock lock(mu_);
  size_t from = recent_.size() > limit ? recent_.size() - limit : 0;
  return std::vector<identity::SecurityEvent>(recent_.begin() + static_cast<std::ptrdiff_t>(from),
                                              recent_.end());
}

std::map<std::string, uint64_t> SecurityLog::Counts() const {
  std::scoped_lock lock(mu_);
  return counts_;
}

uint64_t SecurityLog::dropped() const {
  std::scoped_lock lock(mu_);
  return dropped_;
}

uint64_t SecurityLog::unjournaled() const {
  std::scoped_lock lock(mu_);
  return unjournaled_;
}

}  // namespace clearway::app
