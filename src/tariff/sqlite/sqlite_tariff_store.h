// File: tariff/sqlite/sqlite_tariff_store.h
//
// SqliteTariffStore is the TariffStore of a Clearway node: one SQLite database file of its own
// (DATA_DIR/tariff.db, separate from the declarations store) in WAL mode with synchronous=FULL,
// with an FTS5 index (porter stemming, bm25 ranking) over the nomenclature descriptions.
// Measure versions carry valid [from, to) as dates and recorded [from, to) as microseconds
// since the epoch; an update file is applied in one IMMEDIATE transaction. The schema is
// described in docs/tariff.md ("Storage").
//
//   CW_ASSIGN_OR_RETURN(auto store, SqliteTariffStore::Open(data_dir + "/tariff.db"));
//   CW_ASSIGN_OR_RETURN(auto hits, store->Search("frozen boneless bovine meat", 10));
//
// Thread safety: every method may be called from any thread. Writes are serialised on one
// connection; DrawQuota() calls that arrive together share one transaction (group commit, one
// fsync). The look-ups a quote makes (MeasuresFor, GroupsOf, RateOn, QuotaOf) run on a small
// pool of reader connections, so they never wait for a write. ":memory:" opens a private
// in-memory store (tests, a runtime without a file), served by the one connection.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tariff/tariff_store.h"

namespace clearway::tariff::sqlite {

namespace internal {
class Db;

// One DrawQuota() call waiting for its batch.
struct PendingDraw {
  std::string order_number;
  int64_t thousandths = 0;
  std::string reference;
  Timestamp at{};
  std::optional<Status> result;  // set under the store's draw_mu_
};
}  // namespace internal

class SqliteTariffStore final : public TariffStore {
 public:
  // Open() opens or creates the store and its schema. Errors: kUnavailable
  // "tariff-store-failed" (cannot open, e.g. a missing directory), kDataLoss
  // "tariff-store-corrupt" (not a database).
  static Result<std::unique_ptr<SqliteTariffStore>> Open(const std::string& path);
  ~SqliteTariffStore() override;

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
  // The revision is the latest row of the imports log (its rowid and recorded_at).
  Result<std::optional<TariffRevision>> Revision() override;
  Result<std::optional<TariffSnapshot>> Snapshot() override;

  // DrawBatchesForTesting() counts the transactions DrawQuota() calls were committed in.
  int64_t DrawBatchesForTesting();

 private:
  static constexpr size_t kReaders = 2;
  struct Reader {
    std::mutex mu;
    std::unique_ptr<internal::Db> db;  // guarded by mu
  };
  // A reader connection lent to one call; its statements are reset when the lease ends.
  struct ReadLease {
    ReadLease(std::unique_lock<std::mutex> held, internal::Db* connection)
        : lock(std::move(held)), db(connection) {}
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;
    ~ReadLease();
    std::unique_lock<std::mutex> lock;
    internal::Db* db;
  };

  explicit SqliteTariffStore(std::unique_ptr<internal::Db> db);
  Status WriteNodes(const std::vector<NomenclatureNode>& nodes);
  // Read() lends a reader connection (the writer's for ":memory:") until the lease ends.
  ReadLease Read();
  // CommitDraws() records a batch of draws in one transaction; a result per draw.
  std::vector<Status> CommitDraws(const std::vector<internal::PendingDraw*>& batch);

  std::mutex mu_;
  std::unique_ptr<internal::Db> db_;  // guarded by mu_: the writer
  std::vector<std::unique_ptr<Reader>> readers_;  // fixed after Open()

  std::mutex draw_mu_;
  std::condition_variable draw_cv_;
  std::vector<internal::PendingDraw*> draw_queue_;  // guarded by draw_mu_
  bool drawing_ = false;                            // guarded by draw_mu_: a batch is running
  int64_t draw_batches_ = 0;                        // guarded by draw_mu_
};

}  // namespace clearway::tariff::sqlite
