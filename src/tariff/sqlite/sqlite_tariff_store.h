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
// Thread safety: every method may be called from any thread; calls are serialised on one
// connection. ":memory:" opens a private in-memory store (tests, a runtime without a file).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "tariff/tariff_store.h"

namespace clearway::tariff::sqlite {

namespace internal {
class Db;
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

 private:
  explicit SqliteTariffStore(std::unique_ptr<internal::Db> db);
  Status WriteNodes(const std::vector<NomenclatureNode>& nodes);

  std::mutex mu_;
  std::unique_ptr<internal::Db> db_;  // guarded by mu_
};

}  // namespace clearway::tariff::sqlite
