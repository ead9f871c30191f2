#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "store/ledger_records.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/ledger_tables.h"
#include "store/postgres/locks.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/queries.h"
#include "store/postgres/unit_writer.h"

namespace clearway::store::postgres {

using internal::ConnectionPool;
using internal::PgConnection;
using internal::PgParams;
using internal::PgRows;

namespace {

constexpr int kMaxBatchUnitsLimit = 10000;
constexpr int kMaxConnections = 64;

Error BadOption(std::string field, std::string message) {
  return Error::InvalidArgument(std::move(field), "bad-store-option", std::move(message));
}

Status ValidateOptions(const PostgresOptions& options) {
  if (options.url.empty()) return BadOption("url", "the PostgreSQL URL is empty");
  if (options.max_batch_units < 1 || options.max_batch_units > kMaxBatchUnitsLimit) {
    return BadOption("max_batch_units", "max_batch_units must be between 1 and 10000");
  }
  if (options.max_batch_wait.count() < 0 || options.max_batch_wait > std::chrono::seconds(1)) {
    return BadOption("max_batch_wait", "max_batch_wait must be between 0 and 1 second");
  }
  if (options.read_connections < 1 || options.read_connections > kMaxConnections) {
    return BadOption("read_connections", "read_connections must be between 1 and 64");
  }
  if (options.replica_connections < 1 || options.replica_connections > kMaxConnections) {
    return BadOption("replica_connections", "replica_connections must be between 1 and 64");
  }
  return OkStatus();
}

// UnitRef is one unit of a batch as the transaction sees it: the records and the unit's
// leaves, encoded by Enqueue() on the caller's thread.
struct UnitRef {
  const UnitOfWork* work;
  std::vector<internal::EncodedLeaf>* leaves;
};

// Transaction runs one group-commit batch on the writer connection: the append lock first,
// then each unit inside SAVEPOINT unit, so a refused unit is rolled back alone, then the leaves
// of the units that succeeded, in unit order, in the same transaction.
class Transaction {
 public:
  explicit Transaction(PgConnection& db) : db_(db) {}

  // Run() fills results[0, attempted()) and, for the units that succeeded, receipts; it returns
  // ok when the batch was committed (or rolled back because no unit succeeded). An error means
  // the whole batch is lost (or, for "commit-outcome-unknown", perhaps kept).
  Status Run(const std::vector<UnitRef>& units, std::vector<Status>& results,
             std::vector<CommitReceipt>& receipts) {
    CW_RETURN_IF_ERROR(db_.EnsureOpen());
    Status begun = db_.Exec("BEGIN");
    if (!begun.ok() && db_.Broken()) {
      // The server closed the idle connection (a restart, idle_session_timeout): nothing was
      // done yet, so reconnect and begin once more.
      CW_RETURN_IF_ERROR(db_.EnsureOpen());
      begun = db_.Exec("BEGIN");
    }
    CW_RETURN_IF_ERROR(begun);
    // Every node's batches take this lock before their first read, so they apply one after
    // the other: what a batch reads (current versions, the log's size) no other node can
    // change before it commits.
    CW_RETURN_IF_ERROR(Abandon(
        Discard(db_.Run("SELECT pg_advisory_xact_lock($1, $2)",
                        PgParams().Int(internal::kLockClass).Int(internal::kAppendLock)))));
    for (size_t idx = 0; idx < units.size(); ++idx) {
      CW_RETURN_IF_ERROR(Abandon(db_.Exec("SAVEPOINT unit")));
      results[idx] = internal::ApplyUnit(db_, *units[idx].work);
      attempted_ = idx + 1;
      if (db_.Broken()) {
        // The connection went away: the transaction, and every unit in it, is gone.
        if (results[idx].ok()) return Error::Unavailable("store-unavailable", "connection lost");
        return results[idx].error();
      }
      if (results[idx].ok()) {
        CW_RETURN_IF_ERROR(Abandon(db_.Exec("RELEASE SAVEPOINT unit")));
        ++committed_;
      } else {
        CW_RETURN_IF_ERROR(Abandon(db_.Exec("ROLLBACK TO SAVEPOINT unit")));
        CW_RETURN_IF_ERROR(Abandon(db_.Exec("RELEASE SAVEPOINT unit")));
      }
    }
    if (committed_ == 0) return Abandon(db_.Exec("ROLLBACK"));
    CW_RETURN_IF_ERROR(Abandon(AppendKeptLeaves(units, results, receipts)));
    Status committed = db_.Exec("COMMIT");
    if (!committed.ok() && db_.Broken()) {
      return Error::Unavailable("commit-outcome-unknown",
                                "the connection to PostgreSQL broke during COMMIT; the batch may "
                                "or may not be durable");
    }
    return committed;
  }

  size_t attempted() const { return attempted_; }
  int64_t committed() const { return committed_; }

 private:
  static Status Discard(Result<PgRows> rows) {
    if (!rows.ok()) return std::move(rows).error();
    return OkStatus();
  }

  Status AppendKeptLeaves(const std::vector<UnitRef>& units, const std::vector<Status>& results,
                          std::vector<CommitReceipt>& receipts) {
    std::vector<internal::EncodedLeaf> kept;
    for (size_t idx = 0; idx < units.size(); ++idx) {
      if (!results[idx].ok()) continue;
      for (auto& leaf : *units[idx].leaves) kept.push_back(std::move(leaf));
    }
    CW_ASSIGN_OR_RETURN(uint64_t next, internal::AppendLeaves(db_, kept));
    const uint64_t tree_size = next + kept.size();
    for (size_t idx = 0; idx < units.size(); ++idx) {
      if (!results[idx].ok()) continue;
      receipts[idx].tree_size = tree_size;
      for (size_t leaf = 0; leaf < units[idx].work->leaves.size(); ++leaf) {
        receipts[idx].leaf_indices.push_back(next++);
      }
    }
    return OkStatus();
  }

  // Abandon() rolls the transaction back when `status` is an error and passes it on.
  Status Abandon(Status status) {
    if (!status.ok() && !db_.Broken() && db_.InTransaction()) {
      db_.Exec("ROLLBACK").IgnoreError();  // the first error is the one to report
    }
    return status;
  }

  PgConnection& db_;
  size_t attempted_ = 0;
  int64_t committed_ = 0;
};

}  // namespace

struct PostgresStore::Pending {
  UnitOfWork work;
  std::vector<internal::EncodedLeaf> leaves;  // work.leaves, encoded and hashed
  std::promise<Result<CommitReceipt>> done;
};

// ReadTree is the log's tree for readers: each call borrows a connection of the primary pool
// (proofs must see every committed leaf, so never the replica).
class PostgresStore::ReadTree final : public ledger::TreeStore {
 public:
  explicit ReadTree(ConnectionPool& pool) : pool_(pool) {}
  Result<uint64_t> LeafCount() const override {
    return pool_.With<uint64_t>(
        [](PgConnection& db) { return internal::ConnectionTree(db).LeafCount(); });
  }
  Result<std::vector<ledger::Hash>> GetNodes(std::span<const ledger::NodeId> ids) const override {
    return pool_.With<std::vector<ledger::Hash>>(
        [ids](PgConnection& db) { return internal::ConnectionTree(db).GetNodes(ids); });
  }
  Status Append(const ledger::TreeAppend&) override {
    return Error::FailedPrecondition("append-through-commit",
                                     "leaves enter the log only with their records, via Commit()");
  }

 private:
  ConnectionPool& pool_;
};

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options) {
  CW_RETURN_IF_ERROR(ValidateOptions(options));
  CW_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> writer,
                      PgConnection::Open(options.url, options.application_name));
  Result<int64_t> migrated = internal::ApplyMigrations(*writer, SystemClock().Now());
  if (!migrated.ok()) return std::move(migrated).error();
  auto primary = std::make_unique<ConnectionPool>(options.url, options.application_name,
                                                  options.read_connections);
  // Fail at open, not at the first read, when the primary refuses more connections.
  CW_RETURN_IF_ERROR(primary->WithStatus([](PgConnection&) { return OkStatus(); }));
  std::unique_ptr<ConnectionPool> replica;
  if (!options.read_replica_url.empty()) {
    replica = std::make_unique<ConnectionPool>(options.read_replica_url,
                                               options.application_name + "-replica",
                                               options.replica_connections);
  }
  std::unique_ptr<PostgresStore> store(
      new PostgresStore(options, std::move(writer), std::move(primary), std::move(replica)));
  try {
    store->writer_thread_ = std::thread([raw = store.get()] { raw->WriterLoop(); });
  } catch (const std::system_error& e) {
    return Error::Internal("store-error", std::string("cannot start the writer: ") + e.what());
  }
  return store;
}

PostgresStore::PostgresStore(PostgresOptions options, std::unique_ptr<PgConnection> writer,
                             std::unique_ptr<ConnectionPool> primary,
                             std::unique_ptr<ConnectionPool> replica)
    : options_(std::move(options)),
      writer_(std::move(writer)),
      primary_(std::move(primary)),
      replica_(std::move(replica)),
      read_tree_(std::make_unique<ReadTree>(*primary_)) {}

PostgresStore::~PostgresStore() { Close(); }

int64_t PostgresStore::SchemaVersion() {
  return static_cast<int64_t>(internal::MigrationCount());
}

// ---- Writes ---------------------------------------------------------------------------------

Result<CommitReceipt> PostgresStore::Commit(UnitOfWork work) {
  std::vector<UnitOfWork> units;
  units.push_back(std::move(work));
  return Enqueue(std::move(units)).front().get();
}

std::vector<Result<CommitReceipt>> PostgresStore::CommitBatch(std::vector<UnitOfWork> units) {
  std::vector<std::future<Result<CommitReceipt>>> futures = Enqueue(std::move(units));
  std::vector<Result<CommitReceipt>> results;
  results.reserve(futures.size());
  for (auto& future : futures) results.push_back(future.get());
  return results;
}

std::vector<std::future<Result<CommitReceipt>>> PostgresStore::Enqueue(
    std::vector<UnitOfWork> units) {
  // Checking and hashing the leaves here, on the callers' threads, keeps the writer's work per
  // unit to the SQL and the few node hashes of the append.
  std::vector<std::unique_ptr<Pending>> prepared;
  std::vector<std::future<Result<CommitReceipt>>> futures;
  prepared.reserve(units.size());
  futures.reserve(units.size());
  for (UnitOfWork& work : units) {
    auto pending = std::make_unique<Pending>();
    futures.push_back(pending->done.get_future());
    Status checked = CheckUnitLeaves(work);
    for (size_t idx = 0; checked.ok() && idx < work.leaves.size(); ++idx) {
      Result<internal::EncodedLeaf> leaf = internal::EncodeLeaf(work.leaves[idx]);
      if (!leaf.ok()) {
        checked = std::move(leaf).error();
      } else {
        pending->leaves.push_back(std::move(leaf).value());
      }
    }
    if (!checked.ok()) {
      pending->done.set_value(std::move(checked).error());  // refused before it is queued
      continue;
    }
    pending->work = std::move(work);
    prepared.push_back(std::move(pending));
  }
  {
    std::scoped_lock lock(queue_mu_);
    for (auto& pending : prepared) {
      if (closing_) {
        pending->done.set_value(Error::Unavailable("store-closing", "the store is closing"));
      } else {
        queue_.push_back(std::move(pending));
      }
    }
  }
  queue_cv_.notify_one();
  return futures;
}

void PostgresStore::Close() {
  std::scoped_lock close_lock(close_mu_);
  {
    std::scoped_lock lock(queue_mu_);
    closing_ = true;
  }
  queue_cv_.notify_one();
  if (writer_thread_.joinable()) writer_thread_.join();
}

void PostgresStore::WriterLoop() {
  while (true) {
    std::vector<std::unique_ptr<Pending>> batch = TakeBatch();
    if (batch.empty()) return;  // closing, and everything queued has been written
    RunBatch(batch);
  }
}

std::vector<std::unique_ptr<PostgresStore::Pending>> PostgresStore::TakeBatch() {
  const auto limit = static_cast<size_t>(options_.max_batch_units);
  std::unique_lock lock(queue_mu_);
  queue_cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
  if (!queue_.empty() && !closing_ && options_.max_batch_wait.count() > 0) {
    queue_cv_.wait_for(lock, options_.max_batch_wait,
                       [this, limit] { return closing_ || queue_.size() >= limit; });
  }
  std::vector<std::unique_ptr<Pending>> batch;
  const size_t take = std::min(limit, queue_.size());
  batch.reserve(take);
  for (size_t idx = 0; idx < take; ++idx) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void PostgresStore::RunBatch(std::vector<std::unique_ptr<Pending>>& batch) {
  std::vector<UnitRef> units;
  units.reserve(batch.size());
  for (const auto& pending : batch) units.push_back(UnitRef{&pending->work, &pending->leaves});
  std::vector<Status> results(batch.size());
  std::vector<CommitReceipt> receipts(batch.size());
  Transaction transaction(*writer_);
  Status outcome = transaction.Run(units, results, receipts);
  int64_t committed = outcome.ok() ? transaction.committed() : 0;
  if (!outcome.ok()) {
    for (size_t idx = 0; idx < results.size(); ++idx) {
      if (idx >= transaction.attempted() || results[idx].ok()) results[idx] = outcome;
    }
  }
  {
    std::scoped_lock lock(stats_mu_);
    if (outcome.ok() && committed > 0) ++stats_.batches_committed;
    stats_.units_committed += committed;
    stats_.units_failed += static_cast<int64_t>(batch.size()) - committed;
    stats_.largest_batch = std::max(stats_.largest_batch, static_cast<int64_t>(batch.size()));
  }
  for (size_t idx = 0; idx < batch.size(); ++idx) {
    if (results[idx].ok()) {
      batch[idx]->done.set_value(std::move(receipts[idx]));
    } else {
      batch[idx]->done.set_value(results[idx].error());
    }
  }
}

PostgresStoreStats PostgresStore::stats() const {
  std::scoped_lock lock(stats_mu_);
  return stats_;
}

// ---- Reads ----------------------------------------------------------------------------------

template <typename T, typename Query>
Result<T> PostgresStore::ReadFromReplica(Query query) {
  if (replica_ != nullptr) {
    Result<T> answer = replica_->With<T>(query);
    if (answer.ok() || answer.error().code != ErrorCode::kUnavailable) {
      if (answer.ok()) {
        std::scoped_lock lock(stats_mu_);
        ++stats_.replica_reads;
      }
      return answer;
    }
    std::scoped_lock lock(stats_mu_);
    ++stats_.replica_fallbacks;
  }
  return primary_->With<T>(query);
}

Result<DeclarationRow> PostgresStore::GetDeclaration(const std::string& id,
                                                     std::optional<int64_t> version) {
  return primary_->With<DeclarationRow>(
      [&](PgConnection& db) { return internal::QueryDeclaration(db, id, version); });
}

Result<std::vector<DeclarationRow>> PostgresStore::ListVersions(const std::string& id) {
  return primary_->With<std::vector<DeclarationRow>>(
      [&](PgConnection& db) { return internal::QueryVersions(db, id); });
}

Result<DeclarationPage> PostgresStore::ListDeclarations(const DeclarationFilter& filter,
                                                        const PageRequest& page) {
  return ReadFromReplica<DeclarationPage>(
      [&](PgConnection& db) { return internal::QueryDeclarationPage(db, filter, page); });
}

Result<std::vector<TransitionRow>> PostgresStore::ListTransitions(const std::string& id) {
  return primary_->With<std::vector<TransitionRow>>(
      [&](PgConnection& db) { return internal::QueryTransitions(db, id); });
}

Result<IdempotencyRow> PostgresStore::GetIdempotency(const std::string& principal,
                                                     const std::string& key) {
  return primary_->With<IdempotencyRow>(
      [&](PgConnection& db) { return internal::QueryIdempotency(db, principal, key); });
}

Result<AssessmentRow> PostgresStore::GetAssessment(const std::string& declaration_id,
                                                   int64_t version) {
  return primary_->With<AssessmentRow>(
      [&](PgConnection& db) { return internal::QueryAssessment(db, declaration_id, version); });
}

Result<SecurityEventPage> PostgresStore::ListSecurityEvents(const SecurityEventFilter& filter,
                                                            const PageRequest& page) {
  return ReadFromReplica<SecurityEventPage>(
      [&](PgConnection& db) { return internal::QuerySecurityEventPage(db, filter, page); });
}

Result<DataKeyRow> PostgresStore::GetDataKey(const std::string& declaration_id) {
  return primary_->With<DataKeyRow>(
      [&](PgConnection& db) { return internal::QueryDataKey(db, declaration_id); });
}

Result<std::vector<DataKeyRow>> PostgresStore::ListDataKeysToRewrap(const std::string& kek_id,
                                                                    int64_t kek_version,
                                                                    const std::string& after_id,
                                                                    int limit) {
  return primary_->With<std::vector<DataKeyRow>>([&](PgConnection& db) {
    return internal::QueryDataKeysToRewrap(db, kek_id, kek_version, after_id, limit);
  });
}

Result<std::vector<KekUsage>> PostgresStore::CountDataKeysByKek() {
  return primary_->With<std::vector<KekUsage>>(
      [](PgConnection& db) { return internal::QueryKekUsage(db); });
}

// ---- Retention (the primary: a plan must see every commit) ----------------------------------

Result<std::vector<LegalHold>> PostgresStore::ListLegalHolds(bool include_released) {
  return primary_->With<std::vector<LegalHold>>(
      [&](PgConnection& db) { return internal::QueryLegalHolds(db, include_released); });
}

Result<LegalHold> PostgresStore::GetLegalHold(const std::string& id) {
  return primary_->With<LegalHold>(
      [&](PgConnection& db) { return internal::QueryLegalHold(db, id); });
}

Result<std::vector<ClosedDeclaration>> PostgresStore::ListClosedDeclarations(
    const std::vector<std::string>& final_statuses, Timestamp closed_before,
    const std::optional<std::pair<Timestamp, std::string>>& after, int limit) {
  return primary_->With<std::vector<ClosedDeclaration>>([&](PgConnection& db) {
    return internal::QueryClosedDeclarations(db, final_statuses, closed_before, after, limit);
  });
}

Result<PurgedDeclarationRow> PostgresStore::GetPurgedDeclaration(const std::string& id) {
  return primary_->With<PurgedDeclarationRow>(
      [&](PgConnection& db) { return internal::QueryPurgedDeclaration(db, id); });
}

Result<std::vector<PurgeRow>> PostgresStore::ListPurges() {
  return primary_->With<std::vector<PurgeRow>>([](PgConnection& db) -> Result<std::vector<PurgeRow>> {
    std::vector<PurgeRow> purges;
    CW_RETURN_IF_ERROR(internal::VisitPurges(db, [&purges](const PurgeRow& row, bool) {
      purges.push_back(row);
      return OkStatus();
    }));
    return purges;
  });
}

Result<int64_t> PostgresStore::CountDeclarations() {
  return primary_->With<int64_t>(
      [](PgConnection& db) { return internal::QueryDeclarationCount(db); });
}

// ---- The ledger (always the primary: proofs and checkpoints must see every commit) ----------

ledger::TreeStore& PostgresStore::LedgerTree() { return *read_tree_; }

Result<LeafRow> PostgresStore::GetLeaf(uint64_t index) {
  return primary_->With<LeafRow>([&](PgConnection& db) { return internal::QueryLeaf(db, index); });
}

Result<LeafRow> PostgresStore::FindLeaf(const std::string& record_id) {
  return primary_->With<LeafRow>(
      [&](PgConnection& db) { return internal::QueryLeafByRecord(db, record_id); });
}

Result<std::optional<CheckpointRow>> PostgresStore::LatestCheckpoint() {
  return primary_->With<std::optional<CheckpointRow>>(
      [](PgConnection& db) { return internal::QueryLatestCheckpoint(db); });
}

Result<CheckpointRow> PostgresStore::GetCheckpoint(uint64_t size) {
  return primary_->With<CheckpointRow>(
      [&](PgConnection& db) { return internal::QueryCheckpoint(db, size); });
}

Result<std::optional<CheckpointRow>> PostgresStore::LatestCosignedCheckpoint() {
  return primary_->With<std::optional<CheckpointRow>>(
      [](PgConnection& db) { return internal::QueryLatestCosignedCheckpoint(db); });
}

Result<std::vector<CosignatureRow>> PostgresStore::ListCosignatures(uint64_t size) {
  return primary_->With<std::vector<CosignatureRow>>(
      [&](PgConnection& db) { return internal::QueryCosignatures(db, size); });
}

Status PostgresStore::ReadLedgerSnapshot(const std::function<Status(LedgerSnapshot&)>& read) {
  // Not retried on a broken connection: `read` may have seen part of the snapshot already.
  return primary_->WithStatus([&](PgConnection& db) -> Status {
    Status result = internal::ReadSnapshot(db, read);
    if (!result.ok() && db.Broken()) {
      return Error::Unavailable("store-unavailable", "the connection broke during the snapshot");
    }
    return result;
  }, /*retry=*/false);
}

}  // namespace clearway::store::postgres
