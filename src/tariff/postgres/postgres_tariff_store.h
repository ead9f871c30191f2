// File: tariff/postgres/postgres_tariff_store.h
//
// PostgresTariffStore is the TariffStore kept in a PostgreSQL database, normally the one the
// PostgreSQL store uses (docs/store-postgres.md), so that every node sharing that database
// quotes from one tariff and draws on one balance per quota. Its tables carry a `tariff_`
// prefix and its own version table (tariff_schema_migrations); see tariff/postgres/schema.h.
// Same semantics as SqliteTariffStore (tariff/sqlite/sqlite_tariff_store.h), which the contract
// suite (tests/tariff) checks on both.
//
//   PostgresTariffOptions options;
//   options.url = "postgres://clearway@db.example/clearway";
//   CW_ASSIGN_OR_RETURN(auto tariff, PostgresTariffStore::Open(options));
//   CW_ASSIGN_OR_RETURN(auto hits, tariff->Search("frozen boneless bovine meat", 10));
//
// Quota draws are atomic across nodes: each DrawQuota() is one transaction that first locks the
// quota's balance row (tariff_quota_balances, SELECT … FOR UPDATE), so draws on one quota from
// every node take turns; under that lock it looks for an earlier draw by the same reference
// (a retried filing draws once; a unique index backs this), checks the balance, records the
// draw and raises `drawn` with an UPDATE guarded by `volume - drawn >= amount`. A quota is
// never over-drawn whatever the number of nodes. An import that changes a quota's volume
// updates the same row, so it takes turns with draws too.
//
// Full-text search uses PostgreSQL's text search: a stored tsvector over each description
// (configuration tariff_english: the Snowball English stemmer without stop words, as FTS5's
// porter tokenizer keeps every word) with a GIN index, ranked by ts_rank normalised by
// document length (short descriptions matching every word first, as bm25 ranks them).
//
// Errors: besides those TariffStore documents, kUnavailable "tariff-store-failed" when the
// database cannot be reached, read or written (the message never carries the URL's password);
// kInvalidArgument "bad-tariff-store-option"; kFailedPrecondition "schema-too-new".
//
// Thread safety: thread-safe; a small pool of connections, each lent to one call at a time.
#pragma once

#include <memory>
#include <string>

#include "tariff/tariff_store.h"

namespace clearway::store::postgres::internal {
class ConnectionPool;
}  // namespace clearway::store::postgres::internal

namespace clearway::tariff::postgres {

struct PostgresTariffOptions {
  std::string url;  // postgres://… or postgresql://…
  // Shown to operators in pg_stat_activity.
  std::string application_name = "clearway-tariff";
  int connections = 4;  // 1..64
};

class PostgresTariffStore final : public TariffStore {
 public:
  // Open() connects, then applies missing migrations (one transaction, under an advisory lock,
  // so that nodes starting together migrate once). Errors: kInvalidArgument
  // "bad-tariff-store-option" (url, connections), kUnavailable "tariff-store-failed",
  // kFailedPrecondition "schema-too-new".
  static Result<std::unique_ptr<PostgresTariffStore>> Open(const PostgresTariffOptions& options);

  // SchemaVersion() is the newest tariff schema version this build knows.
  static int64_t SchemaVersion();

  PostgresTariffStore(const PostgresTariffStore&) = delete;
  PostgresTariffStore& operator=(const PostgresTariffStore&) = delete;
  ~PostgresTariffStore() override;

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
  // Revision() is the latest import (its number and transaction time), read through the index
  // on tariff_imports: an import committed on any node changes it. Snapshot() reads it and the
  // current measures, groups and rates in one REPEATABLE READ, READ ONLY transaction, so
  // CachingTariffStore serves quotes from memory on PostgreSQL as on SQLite.
  Result<std::optional<TariffRevision>> Revision() override;
  Result<std::optional<TariffSnapshot>> Snapshot() override;

 private:
  explicit PostgresTariffStore(std::unique_ptr<store::postgres::internal::ConnectionPool> pool);

  std::unique_ptr<store::postgres::internal::ConnectionPool> pool_;  // thread-safe itself
};

}  // namespace clearway::tariff::postgres
