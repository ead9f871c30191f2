// File: tariff/caching_tariff_store.h
//
// CachingTariffStore is a TariffStore decorator that answers the look-ups a quote makes
// (MeasuresFor, GroupsOf, RateOn) from an in-memory index instead of the backend: measures by
// commodity code, groups by member country, exchange rates by currency. The tariff changes
// by update files (daily), a quote asks several times per goods item, so the index is built
// from the backend's Snapshot() and kept while the backend's Revision() is unchanged; the
// revision is asked on every look-up (one index look-up in the backend), so an update applied
// through any handle (another process's `clearway tariff import` on the same data directory
// included) is seen by the next look-up after it commits.
//
// Answers are exactly the backend's: the index holds the current versions only, so it serves
// a look-up whose as_of is at or after the latest recording (every quote made now); a look-up
// as of an earlier instant (reproducing an old quote) goes to the backend, as does everything
// else (quota state and draws, imports, the change log, the nomenclature and its search).
// Over a backend whose Revision() is nullopt every call goes to the backend.
//
//   CW_ASSIGN_OR_RETURN(auto sqlite, sqlite::SqliteTariffStore::Open(dir + "/tariff.db"));
//   auto store = std::make_unique<CachingTariffStore>(std::move(sqlite));
//   DutyEngine engine(*store, clock);
//
// A quote opens a ReadScope (BeginReads()): the revision is then asked once per quote instead of
// once per look-up (2-3 per goods item); an import that commits during a quote is seen by the
// next one.
//
// Thread safety: every method may be called from any thread; a rebuild happens on one thread
// while the others wait for it, the index itself is immutable and shared. A ReadScope belongs
// to the thread that made it and must end on that thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "tariff/tariff_store.h"

namespace clearway::tariff {

class CachingTariffStore final : public TariffStore {
 public:
  explicit CachingTariffStore(std::unique_ptr<TariffStore> backend);
  ~CachingTariffStore() override;

  Result<std::vector<Measure>> MeasuresFor(std::string_view code, Date date,
                                           Timestamp as_of) override;
  Result<std::set<std::string>> GroupsOf(std::string_view country, Timestamp as_of) override;
  Result<std::optional<ExchangeRate>> RateOn(std::string_view currency, Date date,
                                             Timestamp as_of) override;
  Result<std::optional<QuotaState>> QuotaOf(std::string_view order_number,
                                            Timestamp as_of) override;
  Status DrawQuota(std::string_view order_number, int64_t thousandths, std::string_view reference,
                   Timestamp at) override;
  Result<ImportReport> Apply(const TariffUpdate& update, Timestamp recorded_at) override;
  Result<std::vector<MeasureChange>> ChangesSince(Timestamp since, size_t limit) override;
  Result<int> ImportNomenclature(const std::vector<NomenclatureNode>& nodes) override;
  Result<std::optional<NomenclatureNode>> Node(std::string_view code) override;
  Result<std::vector<SearchHit>> Search(std::string_view text, size_t limit) override;
  Result<std::optional<TariffRevision>> Revision() override;
  Result<std::optional<TariffSnapshot>> Snapshot() override;
  // BeginReads() asks the backend's revision once (rebuilding the index if it moved) and pins
  // that index for the calling thread's look-ups until the scope ends. When the revision cannot
  // be read the scope pins nothing (each look-up then asks, and reports the error itself).
  std::unique_ptr<ReadScope> BeginReads() override;

  // What the cache did, for tests and benchmarks: look-ups answered from memory, look-ups
  // passed to the backend, and index builds.
  struct Stats {
    int64_t served = 0;
    int64_t passed = 0;
    int64_t builds = 0;
  };
  Stats stats() const;

 private:
  struct Index;
  class Scope;
  // Fresh() gives the index of the backend's current revision (rebuilt if it moved), or null
  // when the backend cannot tell its revision or give a snapshot.
  Result<std::shared_ptr<const Index>> Fresh();
  // Current() gives the index valid for `as_of`: the one pinned by this thread's innermost
  // scope on this store, else Fresh(); null when the look-up must go to the backend.
  Result<std::shared_ptr<const Index>> Current(Timestamp as_of);
  static std::shared_ptr<const Index> Build(TariffSnapshot snapshot);

  std::unique_ptr<TariffStore> backend_;
  std::mutex mu_;
  std::shared_ptr<const Index> index_;  // guarded by mu_
  std::mutex build_mu_;                 // held while building: one build at a time
  std::atomic<int64_t> served_{0};
  std::atomic<int64_t> passed_{0};
  std::atomic<int64_t> builds_{0};
};

}  // namespace clearway::tariff
