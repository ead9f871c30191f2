// File: tariff/tariff_store.h
//
// TariffStore is the persistence the tariff domain sees: the nomenclature with its full-text
// index, measure versions (bitemporal: valid [from, to) and recorded [from, to)), geographic
// groups, quotas with their draws, exchange rates, and the log of applied update files. The
// SQLite implementation is tariff/sqlite/sqlite_tariff_store.h (DATA_DIR/tariff.db).
//
// Transaction time: every read takes `as_of` and sees the data as it was recorded at that
// instant, so a quote made at T is reproduced exactly later by reading as of T.
//
//   CW_ASSIGN_OR_RETURN(auto store, sqlite::SqliteTariffStore::Open(dir + "/tariff.db"));
//   CW_ASSIGN_OR_RETURN(auto candidates, store->MeasuresFor("0202300010", date, clock.Now()));
//
// CachingTariffStore (tariff/caching_tariff_store.h) serves the quote look-ups from memory over
// any backend that implements Revision() and Snapshot().
//
// Thread safety: implementations are safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "tariff/measure.h"
#include "tariff/update_file.h"

namespace clearway::tariff {

// One full-text match of the nomenclature.
struct SearchHit {
  std::string code;
  std::string description;
  double score = 0;  // bm25 relevance, higher is better (a ranking, not money)
};

// A mark of the tariff's quote data for caches: it changes whenever an Apply() commits, through
// any handle on the same data (another process's `clearway tariff import` included).
struct TariffRevision {
  int64_t imports = 0;  // the backend's count (or id) of the latest applied update file
  Timestamp latest{};   // that update's transaction time: no recording is later
  friend bool operator==(const TariffRevision&, const TariffRevision&) = default;
};

// The quote data as it stands at one revision (see TariffStore::Snapshot()).
struct TariffSnapshot {
  struct RecordedRate {
    ExchangeRate rate;
    Timestamp recorded_at{};
  };
  TariffRevision revision;
  std::vector<Measure> measures;    // every measure version current now (not superseded)
  std::vector<GeoGroup> groups;     // the latest recording of each group
  std::vector<RecordedRate> rates;  // every exchange rate row
};

class TariffStore {
 public:
  virtual ~TariffStore() = default;

  // MeasuresFor() gives the measure versions on `code` or any of its ancestors (its 0, 2, 4,
  // 6 and 8 digit prefixes) valid on `date` and current as recorded at `as_of`, in no
  // particular order, not yet filtered by origin. Errors: kUnavailable "tariff-store-failed".
  virtual Result<std::vector<Measure>> MeasuresFor(std::string_view code, Date date,
                                                   Timestamp as_of) = 0;

  // GroupsOf() gives the codes of the groups that `country` belonged to as of `as_of`.
  virtual Result<std::set<std::string>> GroupsOf(std::string_view country, Timestamp as_of) = 0;

  // RateOn() gives the exchange rate of `currency` valid on `date` as recorded at `as_of`, or
  // nullopt when none is.
  virtual Result<std::optional<ExchangeRate>> RateOn(std::string_view currency, Date date,
                                                     Timestamp as_of) = 0;

  // QuotaOf() gives the quota as recorded at `as_of` and the thousandths drawn from it by
  // then; nullopt for an unknown order number.
  struct QuotaState {
    Quota quota;
    int64_t drawn_thousandths = 0;
  };
  virtual Result<std::optional<QuotaState>> QuotaOf(std::string_view order_number,
                                                    Timestamp as_of) = 0;

  // DrawQuota() records a draw of `thousandths` at `at` for `reference` (a declaration id).
  // A non-empty reference draws at most once from a quota: when a draw for it is recorded
  // already, nothing more is drawn and the answer is ok (so a retried filing draws once).
  // Errors: kNotFound "quota-not-found"; kResourceExhausted "quota-exhausted" when the balance
  // is smaller (nothing is drawn).
  virtual Status DrawQuota(std::string_view order_number, int64_t thousandths,
                           std::string_view reference, Timestamp at) = 0;

  // Apply() applies an update in one transaction at transaction time `recorded_at`: upserts
  // record a new version when the content differs from the current one, ends record a version
  // with valid_to set. All or nothing. Applying a file id again with the same SHA-256 changes
  // nothing and reports already_imported. Errors: kAlreadyExists "update-file-conflict" (the id
  // was used by a different file); kNotFound "measure-not-found" (an end names no current
  // measure; nothing is applied); kUnavailable "tariff-store-failed".
  virtual Result<ImportReport> Apply(const TariffUpdate& update, Timestamp recorded_at) = 0;

  // ChangesSince() lists measure versions recorded at or after `since`, oldest first, at most
  // `limit`.
  virtual Result<std::vector<MeasureChange>> ChangesSince(Timestamp since, size_t limit) = 0;

  // ImportNomenclature() inserts or replaces nodes and re-indexes their descriptions, in one
  // transaction; returns how many nodes it wrote.
  virtual Result<int> ImportNomenclature(const std::vector<NomenclatureNode>& nodes) = 0;

  // Node() gives a nomenclature node, or nullopt.
  virtual Result<std::optional<NomenclatureNode>> Node(std::string_view code) = 0;

  // Search() ranks nodes whose description contains every word of `text` (porter-stemmed,
  // bm25, best first); when none does, nodes containing any word. Words are taken literally
  // (no query syntax). Errors: kInvalidArgument "empty-query" when `text` has no word.
  virtual Result<std::vector<SearchHit>> Search(std::string_view text, size_t limit) = 0;

  // Revision() tells the current revision cheaply (an index look-up, no scan), for caches;
  // nullopt when the backend cannot tell, and then nothing of it may be cached. Errors:
  // kUnavailable "tariff-store-failed".
  virtual Result<std::optional<TariffRevision>> Revision() {
    return std::optional<TariffRevision>();
  }

  // Snapshot() reads the revision and the quote data of that same revision in one consistent
  // read: for any as_of >= revision.latest, MeasuresFor(), GroupsOf() and RateOn() answer from
  // it exactly as the store would. nullopt when the backend does not support it. Errors:
  // kUnavailable "tariff-store-failed".
  virtual Result<std::optional<TariffSnapshot>> Snapshot() {
    return std::optional<TariffSnapshot>();
  }

  // ReadScope: while the object BeginReads() returns lives, the look-ups of the calling thread
  // on this store (MeasuresFor, GroupsOf, RateOn) may be answered at the revision current when
  // it was made, so a cache asks the revision once per scope instead of once per look-up. A
  // quote opens one (an import committed before the quote starts is seen by it; one committed
  // during it, by the next quote). Scopes nest; the answers are the same as without a scope
  // except for that pinning. The default is no scope (null): every look-up stands alone.
  class ReadScope {
   public:
    virtual ~ReadScope() = default;
  };
  virtual std::unique_ptr<ReadScope> BeginReads() { return nullptr; }
};

}  // namespace clearway::tariff
