#include "app/security_log.h"

namespace clearway::app {

Status SecurityLog::Record(const identity::SecurityEvent& event) {
  Status valid = identity::ValidateSecurityEvent(event);
  {
    std::scoped_lock lock(mu_);
    if (!valid.ok()) {
      ++dropped_;
      return valid;
    }
    ++counts_[std::string(identity::SecurityEventTypeName(event.type)) + "/" +
              std::string(identity::SecurityOutcomeName(event.outcome))];
    recent_.push_back(event);
    while (recent_.size() > keep_) recent_.pop_front();
  }
  for (const Observer& observer : observers_) observer(event);
  return OkStatus();
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

}  // namespace clearway::app
