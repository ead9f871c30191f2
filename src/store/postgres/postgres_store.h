// File: store/postgres/postgres_store.h
//
// PostgresStore is the Store backend for more than one machine: the same schema as SQLite
// (store/postgres/migrations.cc), the same semantics, and several Clearway nodes may share one
// database. Writes go through one writer thread per node that batches whatever units of work
// are queued into one transaction (group commit), each unit inside its own savepoint so that a
// unit that fails is rolled back alone. Every batch, on every node, takes a transaction-level
// advisory lock (store/postgres/locks.h) before it reads anything, so batches from all nodes
// apply one after the other: compare-and-set checks see every earlier commit, and the ledger's
// leaves get gapless indices with no fork. A commit is durable (PostgreSQL's synchronous
// commit) when Commit() returns. Reads run on a pool of connections to the primary; listings,
// which need no fresh data, go to a read replica when one is configured (falling back to the
// primary when it is down). Statements are prepared once per connection. The schema is
// migrated at open; docs/store-postgres.md describes it.
//
//   PostgresOptions options;
//   options.url = "postgres://clearway@db.example:5432/clearway";  // password from PGPASSFILE
//   CW_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(options));
//   CW_ASSIGN_OR_RETURN(CommitReceipt receipt, store->Commit(std::move(work)));  // durable
//
// Thread safety: every public method may be called from any thread concurrently, except that
// the store must outlive all calls on it (destroy it after its users have stopped).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace clearway::store::postgres {

namespace internal {
class PgConnection;
class ConnectionPool;
}  // namespace internal

struct PostgresOptions {
  std::string url;                 // the primary: postgres://user@host:port/db (or a conninfo)
  std::string read_replica_url;    // "" for none; else listings read from this hot standby
  std::string application_name = "clearway";  // shown in pg_stat_activity
  int max_batch_units = 256;       // units per group-commit transaction
  // How long the writer waits for more units once it has some; zero never waits.
  std::chrono::microseconds max_batch_wait{0};
  int read_connections = 4;        // pool to the primary
  int replica_connections = 2;     // pool to the replica
};

// Counters for metrics, since open. A batch is one committed transaction.
struct PostgresStoreStats {
  int64_t batches_committed = 0;
  int64_t units_committed = 0;
  int64_t units_failed = 0;     // refused on their own, or lost with their batch
  int64_t largest_batch = 0;    // most units taken into one transaction
  int64_t replica_reads = 0;    // listings answered by the read replica
  int64_t replica_fallbacks = 0;  // listings sent to the primary because the replica failed
};

class PostgresStore final : public Store {
 public:
  // Open() connects, applies pending migrations (once, even when several nodes start at the
  // same time) and starts the writer thread.
  // Errors: kInvalidArgument "bad-store-option" for an empty URL or out-of-range limits;
  // kUnavailable "store-unavailable" when the primary cannot be reached (the replica is
  // connected lazily); kFailedPrecondition "schema-too-new" for a database migrated by a newer
  // Clearway; kInternal "store-error" for other SQL failures.
  static Result<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options);

  // The destructor calls Close().
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Commit() queues the unit for the writer and waits until it is durable or refused.
  // Errors: those of Store::Commit(); kUnavailable "store-closing" after Close();
  // kUnavailable "store-unavailable" when the database cannot be reached (nothing written);
  // kUnavailable "commit-outcome-unknown" when the connection broke during COMMIT (the batch
  // may or may not be durable: retry with the same idempotency key).
  Result<CommitReceipt> Commit(UnitOfWork work) override;

  // CommitBatch() queues several units at once and returns one result per unit, in order.
  std::vector<Result<CommitReceipt>> CommitBatch(std::vector<UnitOfWork> units);

  // Close() stops taking writes: units already queued are committed (or fail with their own
  // error), later Commit() calls fail with kUnavailable "store-closing". Idempotent.
  void Close();

  Result<DeclarationRow> GetDeclaration(const std::string& id,
                                        std::optional<int64_t> version) override;
  Result<std::vector<DeclarationRow>> ListVersions(const std::string& id) override;
  Result<DeclarationPage> ListDeclarations(const DeclarationFilter& filter,
                                           const PageRequest& page) override;
  Result<std::vector<TransitionRow>> ListTransitions(const std::string& id) override;
  Result<IdempotencyRow> GetIdempotency(const std::string& principal,
                                        const std::string& key) override;
  Result<AssessmentRow> GetAssessment(const std::string& declaration_id,
                                      int64_t version) override;
  Result<SecurityEventPage> ListSecurityEvents(const SecurityEventFilter& filter,
                                               const PageRequest& page) override;
  Result<int64_t> CountDeclarations() override;
  // Data keys are read from the primary: a key is needed right after it is written.
  Result<DataKeyRow> GetDataKey(const std::string& declaration_id) override;
  Result<std::vector<DataKeyRow>> ListDataKeysToRewrap(const std::string& kek_id,
                                                       int64_t kek_version,
                                                       const std::string& after_id,
                                                       int limit) override;
  Result<std::vector<KekUsage>> CountDataKeysByKek() override;
  Result<std::vector<LegalHold>> ListLegalHolds(bool include_released) override;
  Result<LegalHold> GetLegalHold(const std::string& id) override;
  Result<std::vector<ClosedDeclaration>> ListClosedDeclarations(
      const std::vector<std::string>& final_statuses, Timestamp closed_before,
      const std::optional<std::pair<Timestamp, std::string>>& after, int limit) override;
  Result<PurgedDeclarationRow> GetPurgedDeclaration(const std::string& id) override;
  Result<std::vector<PurgeRow>> ListPurges() override;

  ledger::TreeStore& LedgerTree() override;
  Result<LeafRow> GetLeaf(uint64_t index) override;
  Result<LeafRow> FindLeaf(const std::string& record_id) override;
  Result<std::optional<CheckpointRow>> LatestCheckpoint() override;
  Result<CheckpointRow> GetCheckpoint(uint64_t size) override;
  Result<std::optional<CheckpointRow>> LatestCosignedCheckpoint() override;
  Result<std::vector<CosignatureRow>> ListCosignatures(uint64_t size) override;
  Status ReadLedgerSnapshot(const std::function<Status(LedgerSnapshot&)>& read) override;

  // stats() returns a snapshot of the counters.
  PostgresStoreStats stats() const;

  // SchemaVersion() is the newest schema version this build knows (and migrates to).
  static int64_t SchemaVersion();

 private:
  struct Pending;
  class ReadTree;

  PostgresStore(PostgresOptions options, std::unique_ptr<internal::PgConnection> writer,
                std::unique_ptr<internal::ConnectionPool> primary,
                std::unique_ptr<internal::ConnectionPool> replica);

  std::vector<std::future<Result<CommitReceipt>>> Enqueue(std::vector<UnitOfWork> units);
  void WriterLoop();
  std::vector<std::unique_ptr<Pending>> TakeBatch();
  void RunBatch(std::vector<std::unique_ptr<Pending>>& batch);
  // ReadFromReplica() runs a listing on the replica, or on the primary without one or when
  // the replica cannot answer.
  template <typename T, typename Query>
  Result<T> ReadFromReplica(Query query);

  const PostgresOptions options_;
  const std::unique_ptr<internal::PgConnection> writer_;  // used only by writer_thread_
  const std::unique_ptr<internal::ConnectionPool> primary_;
  const std::unique_ptr<internal::ConnectionPool> replica_;  // null without a replica
  const std::unique_ptr<ReadTree> read_tree_;                // LedgerTree(), over primary_

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<Pending>> queue_;  // guarded by queue_mu_
  bool closing_ = false;                        // guarded by queue_mu_

  mutable std::mutex stats_mu_;
  PostgresStoreStats stats_;  // guarded by stats_mu_

  std::mutex close_mu_;        // serialises Close()
  std::thread writer_thread_;  // started last, joined by Close()
};

}  // namespace clearway::store::postgres
