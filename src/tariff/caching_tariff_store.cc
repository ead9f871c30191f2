#include "tariff/caching_tariff_store.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace clearway::tariff {

struct CachingTariffStore::Index {
  TariffRevision revision;
  std::unordered_map<std::string, std::vector<Measure>> measures_by_code;
  std::unordered_map<std::string, std::set<std::string>> groups_by_country;
  std::unordered_map<std::string, std::vector<TariffSnapshot::RecordedRate>> rates_by_currency;
};

CachingTariffStore::CachingTariffStore(std::unique_ptr<TariffStore> backend)
    : backend_(std::move(backend)) {}

CachingTariffStore::~CachingTariffStore() = default;

// The scopes open on this thread, innermost first (a linked list through the scopes).
class CachingTariffStore::Scope final : public ReadScope {
 public:
  Scope(const CachingTariffStore* owner, std::shared_ptr<const Index> index)
      : owner_(owner), index_(std::move(index)), outer_(innermost_) {
    innermost_ = this;
  }
  ~Scope() override { innermost_ = outer_; }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // Pinned() gives the innermost scope of this thread on `owner`, or null.
  static const Scope* Pinned(const CachingTariffStore* owner) {
    for (const Scope* scope = innermost_; scope != nullptr; scope = scope->outer_) {
      if (scope->owner_ == owner) return scope;
    }
    return nullptr;
  }
  const std::shared_ptr<const Index>& index() const { return index_; }

 private:
  static thread_local Scope* innermost_;
  const CachingTariffStore* owner_;
  std::shared_ptr<const Index> index_;
  Scope* outer_;
};

thread_local CachingTariffStore::Scope* CachingTariffStore::Scope::innermost_ = nullptr;

Result<std::shared_ptr<const CachingTariffStore::Index>> CachingTariffStore::Fresh() {
  CW_ASSIGN_OR_RETURN(auto revision, backend_->Revision());
  if (!revision) return std::shared_ptr<const Index>();
  auto fresh = [&]() -> std::shared_ptr<const Index> {
    std::scoped_lock lock(mu_);
    return index_ != nullptr && index_->revision == *revision ? index_ : nullptr;
  };
  std::shared_ptr<const Index> index = fresh();
  if (index != nullptr) return index;
  std::scoped_lock building(build_mu_);
  index = fresh();  // another thread may have built it meanwhile
  if (index != nullptr) return index;
  CW_ASSIGN_OR_RETURN(auto snapshot, backend_->Snapshot());
  if (!snapshot) return std::shared_ptr<const Index>();
  // The snapshot may be newer than `revision` (an import committed in between): it is then as
  // fresh as this look-up needs, and the next look-up rebuilds if it moved.
  index = Build(std::move(*snapshot));
  builds_.fetch_add(1, std::memory_order_relaxed);
  std::scoped_lock lock(mu_);
  index_ = index;
  return index;
}

Result<std::shared_ptr<const CachingTariffStore::Index>> CachingTariffStore::Current(
    Timestamp as_of) {
  std::shared_ptr<const Index> index;
  if (const Scope* scope = Scope::Pinned(this)) {
    index = scope->index();
  } else {
    CW_ASSIGN_OR_RETURN(index, Fresh());
  }
  if (index == nullptr || as_of < index->revision.latest) {
    passed_.fetch_add(1, std::memory_order_relaxed);
    return std::shared_ptr<const Index>();
  }
  served_.fetch_add(1, std::memory_order_relaxed);
  return index;
}

std::unique_ptr<TariffStore::ReadScope> CachingTariffStore::BeginReads() {
  auto index = Fresh();
  if (!index.ok() || *index == nullptr) return nullptr;
  return std::make_unique<Scope>(this, std::move(*index));
}

std::shared_ptr<const CachingTariffStore::Index> CachingTariffStore::Build(
    TariffSnapshot snapshot) {
  auto index = std::make_shared<Index>();
  index->revision = snapshot.revision;
  for (Measure& measure : snapshot.measures) {
    std::string code = measure.commodity_code;
    index->measures_by_code[code].push_back(std::move(measure));
  }
  for (const GeoGroup& group : snapshot.groups) {
    for (const std::string& member : group.members) {
      index->groups_by_country[member].insert(group.code);
    }
  }
  for (auto& rate : snapshot.rates) {
    std::string currency = rate.rate.currency;
    index->rates_by_currency[currency].push_back(std::move(rate));
  }
  return index;
}

Result<std::vector<Measure>> CachingTariffStore::MeasuresFor(std::string_view code, Date date,
                                                             Timestamp as_of) {
  CW_ASSIGN_OR_RETURN(auto index, Current(as_of));
  if (index == nullptr) return backend_->MeasuresFor(code, date, as_of);
  // The code and its ancestors: "", 2, 4, 6, 8 and 10 digits, each once (as the backend's
  // query takes them).
  std::vector<Measure> out;
  size_t previous = std::string_view::npos;
  for (size_t i = 0; i < 6; ++i) {
    size_t length = std::min(code.size(), 2 * i);
    if (length == previous) continue;
    previous = length;
    auto found = index->measures_by_code.find(std::string(code.substr(0, length)));
    if (found == index->measures_by_code.end()) continue;
    for (const Measure& measure : found->second) {
      if (ValidOn(measure, date)) out.push_back(measure);
    }
  }
  return out;
}

Result<std::set<std::string>> CachingTariffStore::GroupsOf(std::string_view country,
                                                           Timestamp as_of) {
  CW_ASSIGN_OR_RETURN(auto index, Current(as_of));
  if (index == nullptr) return backend_->GroupsOf(country, as_of);
  auto found = index->groups_by_country.find(std::string(country));
  if (found == index->groups_by_country.end()) return std::set<std::string>();
  return found->second;
}

Result<std::optional<ExchangeRate>> CachingTariffStore::RateOn(std::string_view currency,
                                                               Date date, Timestamp as_of) {
  CW_ASSIGN_OR_RETURN(auto index, Current(as_of));
  if (index == nullptr) return backend_->RateOn(currency, date, as_of);
  auto found = index->rates_by_currency.find(std::string(currency));
  if (found == index->rates_by_currency.end()) return std::optional<ExchangeRate>();
  // The rate valid on `date` recorded last; of those recorded together, the latest valid_from.
  const TariffSnapshot::RecordedRate* best = nullptr;
  for (const auto& row : found->second) {
    if (row.rate.valid_from > date || (row.rate.valid_to && *row.rate.valid_to <= date)) continue;
    if (best == nullptr || std::tie(row.recorded_at, row.rate.valid_from) >
                               std::tie(best->recorded_at, best->rate.valid_from)) {
      best = &row;
    }
  }
  if (best == nullptr) return std::optional<ExchangeRate>();
  return std::optional<ExchangeRate>(best->rate);
}

Result<std::optional<TariffStore::QuotaState>> CachingTariffStore::QuotaOf(
    std::string_view order_number, Timestamp as_of) {
  return backend_->QuotaOf(order_number, as_of);  // balances move with every draw: never cached
}

Status CachingTariffStore::DrawQuota(std::string_view order_number, int64_t thousandths,
                                     std::string_view reference, Timestamp at) {
  return backend_->DrawQuota(order_number, thousandths, reference, at);
}

Result<ImportReport> CachingTariffStore::Apply(const TariffUpdate& update, Timestamp recorded_at) {
  return backend_->Apply(update, recorded_at);  // moves the revision: the next look-up rebuilds
}

Result<std::vector<MeasureChange>> CachingTariffStore::ChangesSince(Timestamp since, size_t limit) {
  return backend_->ChangesSince(since, limit);
}

Result<int> CachingTariffStore::ImportNomenclature(const std::vector<NomenclatureNode>& nodes) {
  return backend_->ImportNomenclature(nodes);
}

Result<std::optional<NomenclatureNode>> CachingTariffStore::Node(std::string_view code) {
  return backend_->Node(code);
}

Result<std::vector<SearchHit>> CachingTariffStore::Search(std::string_view text, size_t limit) {
  return backend_->Search(text, limit);
}

Result<std::optional<TariffRevision>> CachingTariffStore::Revision() { return backend_->Revision(); }

Result<std::optional<TariffSnapshot>> CachingTariffStore::Snapshot() { return backend_->Snapshot(); }

CachingTariffStore::Stats CachingTariffStore::stats() const {
  return Stats{served_.load(std::memory_order_relaxed), passed_.load(std::memory_order_relaxed),
               builds_.load(std::memory_order_relaxed)};
}

}  // namespace clearway::tariff
