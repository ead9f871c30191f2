#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "store/ledger_records.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/ledger_tables.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/queries.h"
#include "store/sqlite/unit_writer.h"

namespace clearway::store::sqlite {

using internal::Connection;
using internal::Statement;

namespace {

constexpr int kMaxBatchUnitsLimit = 10000;
constexpr int kMaxReadConnections = 64;
constexpr int kMaxCheckpointPages = 1000000;
// When the WAL has grown to this many times checkpoint_pages, PASSIVE checkpoints are not
// catching up with the writer (the WAL restarts only once it is wholly copied while no
// transaction reads it): the checkpointer then runs a RESTART checkpoint, which holds new
// writes back briefly while it copies the last frames, so the WAL starts again from its head.
constexpr int kRestartFactor = 4;
constexpr std::chrono::milliseconds kCheckpointBusyTimeout{20};

Error BadOption(std::string field, std::string message) {
  return Error::InvalidArgument(std::move(field), "bad-store-option", std::move(message));
}

Status ValidateOptions(const SqliteOptions& options) {
  if (options.path.empty()) return BadOption("path", "the database path is empty");
  if (options.path == ":memory:" || options.path.front() == '\0') {
    return BadOption("path", "the database must be a file");
  }
  if (options.busy_timeout.count() < 0 || options.busy_timeout > std::chrono::hours(1)) {
    return BadOption("busy_timeout", "the busy timeout must be between 0 and 1 hour");
  }
  if (options.max_batch_units < 1 || options.max_batch_units > kMaxBatchUnitsLimit) {
    return BadOption("max_batch_units", "max_batch_units must be between 1 and 10000");
  }
  if (options.max_batch_wait.count() < 0 || options.max_batch_wait > std::chrono::seconds(1)) {
    return BadOption("max_batch_wait", "max_batch_wait must be between 0 and 1 second");
  }
  if (options.read_connections < 1 || options.read_connections > kMaxReadConnections) {
    return BadOption("read_connections", "read_connections must be between 1 and 64");
  }
  if (options.checkpoint_pages < 0 || options.checkpoint_pages > kMaxCheckpointPages) {
    return BadOption("checkpoint_pages", "checkpoint_pages must be between 0 and 1000000");
  }
  return OkStatus();
}

// CreateFileIfAbsent() makes the database file readable by its owner only. SQLite gives its
// -wal and -shm files the same permissions as the database file.
Status CreateFileIfAbsent(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Error::FailedPrecondition("store-open-failed",
                                     "cannot create or open " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  return OkStatus();
}

Status RunSql(Connection& db, std::string_view sql) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  return stmt.Run();
}

Status ConfigureWriter(Connection& db) {
  CW_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return Error::Internal("store-error", "the database refused WAL mode (got " + mode + ")");
  }
  // FULL: the WAL is fsync'd at every commit, so an acknowledged commit survives power loss.
  // secure_delete: a retention purge must not leave the wrapped data key or the ciphertext in
  // free pages; deleted content is overwritten with zeros.
  // (temp_store=MEMORY is set by Connection::Open for every connection: the savepoint of every
  // unit journals the pages it changes, and on disk that sub-journal spilled to a temporary
  // file, created, written and deleted per batch: more bytes than the WAL itself.)
  // journal_size_limit: a WAL that grew under a burst is cut back to 64 MiB when it restarts.
  // cache_size: 32 MiB of pages (SQLite's default is 2 MiB), so the random pages each filing
  // touches (its idempotency key, its blind indexes) are mostly found without a read.
  return db.Exec(
      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
      " PRAGMA journal_size_limit=67108864;"
      " PRAGMA cache_size=-32768;");
}

// UnitRef is one unit of a batch as the transaction sees it: the records and the unit's
// leaves, encoded by Enqueue() on the caller's thread.
struct UnitRef {
  const UnitOfWork* work;
  std::vector<internal::EncodedLeaf>* leaves;
};

// Transaction runs one group-commit batch on the writer connection. Units are applied in
// order, each inside SAVEPOINT unit, so a refused unit is rolled back alone. The leaves of the
// units that succeeded are then appended in unit order, in the same transaction: the log grows
// by exactly the records that were kept, and its indices are assigned here, by the one writer.
class Transaction {
 public:
  explicit Transaction(Connection& db) : db_(db) {}

  // Run() fills results[0, attempted()) and, for the units that succeeded, receipts; it returns
  // ok when the batch was committed (or rolled back because no unit succeeded). An error means
  // the whole batch is lost: the caller gives it to every unit that had not failed on its own.
  Status Run(const std::vector<UnitRef>& units, std::vector<Status>& results,
             std::vector<CommitReceipt>& receipts) {
    CW_RETURN_IF_ERROR(RunSql(db_, "BEGIN IMMEDIATE"));
    for (size_t idx = 0; idx < units.size(); ++idx) {
      CW_RETURN_IF_ERROR(Abandon(RunSql(db_, "SAVEPOINT unit")));
      results[idx] = internal::ApplyUnit(db_, *units[idx].work);
      attempted_ = idx + 1;
      // Some errors (I/O, disk full, out of memory) make SQLite roll the whole transaction
      // back on its own; the earlier units are then gone too.
      if (sqlite3_get_autocommit(db_.get()) != 0) {
        if (results[idx].ok()) return Error::Internal("store-error", "transaction lost");
        return results[idx].error();
      }
      if (results[idx].ok()) {
        CW_RETURN_IF_ERROR(Abandon(RunSql(db_, "RELEASE unit")));
        ++committed_;
      } else {
        CW_RETURN_IF_ERROR(Abandon(RunSql(db_, "ROLLBACK TO unit")));
        CW_RETURN_IF_ERROR(Abandon(RunSql(db_, "RELEASE unit")));
      }
    }
    if (committed_ == 0) return Abandon(RunSql(db_, "ROLLBACK"));
    CW_RETURN_IF_ERROR(Abandon(AppendKeptLeaves(units, results, receipts)));
    return Abandon(RunSql(db_, "COMMIT"));
  }

  size_t attempted() const { return attempted_; }
  int64_t committed() const { return committed_; }

 private:
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
    if (!status.ok() && sqlite3_get_autocommit(db_.get()) == 0) {
      db_.Exec("ROLLBACK").IgnoreError();  // the first error is the one to report
    }
    return status;
  }

  Connection& db_;
  size_t attempted_ = 0;
  int64_t committed_ = 0;
};

}  // namespace

struct SqliteStore::Pending {
  UnitOfWork work;
  std::vector<internal::EncodedLeaf> leaves;  // work.leaves, encoded and hashed
  std::promise<Result<CommitReceipt>> done;
};



// ReadLease holds one connection of the read pool and gives it back on destruction.
class SqliteStore::ReadLease {
 public:
  ReadLease(SqliteStore& store, Connection& conn) : store_(store), conn_(conn) {}
  ~ReadLease() {
    {
      std::scoped_lock lock(store_.readers_mu_);
      store_.idle_readers_.push_back(&conn_);
    }
    store_.readers_cv_.notify_one();
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;

  Connection& conn() { return conn_; }

 private:
  SqliteStore& store_;
  Connection& conn_;
};

// ReadTree is the log's tree for readers: each call borrows a connection of the read pool.
class SqliteStore::ReadTree final : public ledger::TreeStore {
 public:
  explicit ReadTree(SqliteStore& store) : store_(store) {}
  Result<uint64_t> LeafCount() const override {
    ReadLease lease = store_.AcquireReader();
    return internal::ConnectionTree(lease.conn()).LeafCount();
  }
  Result<std::vector<ledger::Hash>> GetNodes(std::span<const ledger::NodeId> ids) const override {
    ReadLease lease = store_.AcquireReader();
    return internal::ConnectionTree(lease.conn()).GetNodes(ids);
  }
  Status Append(const ledger::TreeAppend&) override {
    return Error::FailedPrecondition("append-through-commit",
                                     "leaves enter the log only with their records, via Commit()");
  }

 private:
  SqliteStore& store_;
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  CW_RETURN_IF_ERROR(ValidateOptions(options));
  CW_RETURN_IF_ERROR(CreateFileIfAbsent(options.path));
  CW_ASSIGN_OR_RETURN(auto writer, Connection::Open(options.path, Connection::Mode::kReadWrite,
                                                    options.busy_timeout));
  CW_RETURN_IF_ERROR(ConfigureWriter(*writer));
  Result<int64_t> migrated = internal::ApplyMigrations(*writer, SystemClock().Now());
  if (!migrated.ok()) return std::move(migrated).error();
  std::vector<std::unique_ptr<Connection>> readers;
  for (int idx = 0; idx < options.read_connections; ++idx) {
    CW_ASSIGN_OR_RETURN(auto reader, Connection::Open(options.path, Connection::Mode::kReadOnly,
                                                      options.busy_timeout));
    readers.push_back(std::move(reader));
  }
  std::unique_ptr<Connection> checkpointer;
  if (options.checkpoint_pages > 0) {
    // A short busy timeout: a RESTART checkpoint holds new writes back while it waits for the
    // writer's transaction and for readers; it gives up soon and copies what it can instead.
    CW_ASSIGN_OR_RETURN(checkpointer,
                        Connection::Open(options.path, Connection::Mode::kReadWrite,
                                         std::min(options.busy_timeout, kCheckpointBusyTimeout)));
    // FULL: the database file is fsync'd before the WAL may be overwritten.
    CW_RETURN_IF_ERROR(checkpointer->Exec("PRAGMA synchronous=FULL"));
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(options, std::move(writer),
                                                     std::move(readers), std::move(checkpointer)));
  try {
    if (store->checkpointer_ != nullptr) {
      store->checkpoint_thread_ = std::thread([raw = store.get()] { raw->CheckpointLoop(); });
    }
    store->writer_thread_ = std::thread([raw = store.get()] { raw->WriterLoop(); });
  } catch (const std::system_error& e) {
    return Error::Internal("store-error", std::string("cannot start the writer: ") + e.what());
  }
  return store;
}

SqliteStore::SqliteStore(SqliteOptions options, std::unique_ptr<Connection> writer,
                         std::vector<std::unique_ptr<Connection>> readers,
                         std::unique_ptr<Connection> checkpointer)
    : options_(std::move(options)),
      writer_(std::move(writer)),
      read_tree_(std::make_unique<ReadTree>(*this)),
      readers_(std::move(readers)),
      checkpointer_(std::move(checkpointer)) {
  for (const auto& reader : readers_) idle_readers_.push_back(reader.get());
  // The hook replaces SQLite's automatic checkpoint on the writer connection.
  if (checkpointer_ != nullptr) sqlite3_wal_hook(writer_->get(), &SqliteStore::OnWalCommit, this);
}

SqliteStore::~SqliteStore() { Close(); }

int64_t SqliteStore::SchemaVersion() { return static_cast<int64_t>(internal::MigrationCount()); }

// ---- Writes ---------------------------------------------------------------------------------

Result<CommitReceipt> SqliteStore::Commit(UnitOfWork work) {
  std::vector<UnitOfWork> units;
  units.push_back(std::move(work));
  return Enqueue(std::move(units)).front().get();
}

std::vector<Result<CommitReceipt>> SqliteStore::CommitBatch(std::vector<UnitOfWork> units) {
  std::vector<std::future<Result<CommitReceipt>>> futures = Enqueue(std::move(units));
  std::vector<Result<CommitReceipt>> results;
  results.reserve(futures.size());
  for (auto& future : futures) results.push_back(future.get());
  return results;
}

std::vector<std::future<Result<CommitReceipt>>> SqliteStore::Enqueue(
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

void SqliteStore::Close() {
  std::scoped_lock close_lock(close_mu_);
  {
    std::scoped_lock lock(queue_mu_);
    closing_ = true;
  }
  queue_cv_.notify_one();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::scoped_lock lock(checkpoint_mu_);
    checkpoint_closing_ = true;
  }
  checkpoint_cv_.notify_one();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
}

// OnWalCommit() runs on the writer thread after each commit, with the WAL's size in frames.
// It only signals: the checkpoint itself runs on the checkpointer thread.
int SqliteStore::OnWalCommit(void* self, sqlite3* /*db*/, const char* /*name*/, int frames) {
  auto* store = static_cast<SqliteStore*>(self);
  // The WAL restarts from its head only when it has been wholly copied while no transaction
  // used it, which a busy writer rarely allows: it then keeps growing, and a checkpoint is
  // asked for every checkpoint_pages frames, so each copies a full stretch of pages (a page
  // changed by many commits is copied once), not a few frames after every commit.
  if (frames < store->signalled_frames_) store->signalled_frames_ = 0;  // it restarted
  if (frames - store->signalled_frames_ >= store->options_.checkpoint_pages) {
    store->signalled_frames_ = frames;
    {
      std::scoped_lock lock(store->checkpoint_mu_);
      store->checkpoint_due_ = true;
      store->wal_frames_ = frames;
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  ::pthread_setname_np(::pthread_self(), "cw-sql-ckpt");
  const int restart_at = options_.checkpoint_pages * kRestartFactor;
  while (true) {
    int frames = 0;
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [this] { return checkpoint_closing_ || checkpoint_due_; });
      if (checkpoint_closing_) return;
      checkpoint_due_ = false;
      frames = wal_frames_;
    }
    const int mode = frames >= restart_at ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
    // A busy or failed checkpoint is harmless: the frames stay in the WAL, readable and
    // durable, and the next commit past the threshold asks again.
    int rc = SQLITE_OK;
    {
      std::scoped_lock running(checkpoint_run_mu_);
      rc = sqlite3_wal_checkpoint_v2(checkpointer_->get(), nullptr, mode, nullptr, nullptr);
    }
    std::scoped_lock lock(stats_mu_);
    if (rc == SQLITE_OK) ++stats_.background_checkpoints;
  }
}

void SqliteStore::WriterLoop() {
  ::pthread_setname_np(::pthread_self(), "cw-sql-writer");  // for profiles and benchmarks
  while (true) {
    std::vector<std::unique_ptr<Pending>> batch = TakeBatch();
    if (batch.empty()) return;  // closing, and everything queued has been written
    RunBatch(batch);
  }
}

std::vector<std::unique_ptr<SqliteStore::Pending>> SqliteStore::TakeBatch() {
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

void SqliteStore::RunBatch(std::vector<std::unique_ptr<Pending>>& batch) {
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
  // After a purge the WAL still holds the pages as they were before it: checkpoint them into
  // the (zeroed) database and truncate the WAL, so the shredded bytes leave the disk now. A
  // reader in the way makes this a no-op; the next purge or checkpoint tries again.
  bool purged = false;
  for (size_t idx = 0; idx < batch.size(); ++idx) {
    purged = purged || (results[idx].ok() && batch[idx]->work.purge.has_value());
  }
  // A background checkpoint running at this moment would make it a no-op too: wait for it.
  if (purged) {
    std::scoped_lock running(checkpoint_run_mu_);
    writer_->Exec("PRAGMA wal_checkpoint(TRUNCATE)").IgnoreError();
  }
  for (size_t idx = 0; idx < batch.size(); ++idx) {
    if (results[idx].ok()) {
      batch[idx]->done.set_value(std::move(receipts[idx]));
    } else {
      batch[idx]->done.set_value(results[idx].error());
    }
  }
}

SqliteStoreStats SqliteStore::stats() const {
  std::scoped_lock lock(stats_mu_);
  return stats_;
}

// ---- Reads ----------------------------------------------------------------------------------

SqliteStore::ReadLease SqliteStore::AcquireReader() {
  std::unique_lock lock(readers_mu_);
  readers_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
  Connection* conn = idle_readers_.back();
  idle_readers_.pop_back();
  return ReadLease(*this, *conn);
}

Result<DeclarationRow> SqliteStore::GetDeclaration(const std::string& id,
                                                   std::optional<int64_t> version) {
  ReadLease lease = AcquireReader();
  return internal::QueryDeclaration(lease.conn(), id, version);
}

Result<std::vector<DeclarationRow>> SqliteStore::ListVersions(const std::string& id) {
  ReadLease lease = AcquireReader();
  return internal::QueryVersions(lease.conn(), id);
}

Result<DeclarationPage> SqliteStore::ListDeclarations(const DeclarationFilter& filter,
                                                      const PageRequest& page) {
  ReadLease lease = AcquireReader();
  return internal::QueryDeclarationPage(lease.conn(), filter, page);
}

Result<std::vector<TransitionRow>> SqliteStore::ListTransitions(const std::string& id) {
  ReadLease lease = AcquireReader();
  return internal::QueryTransitions(lease.conn(), id);
}

Result<IdempotencyRow> SqliteStore::GetIdempotency(const std::string& principal,
                                                   const std::string& key) {
  ReadLease lease = AcquireReader();
  return internal::QueryIdempotency(lease.conn(), principal, key);
}

Result<AssessmentRow> SqliteStore::GetAssessment(const std::string& declaration_id,
                                                 int64_t version) {
  ReadLease lease = AcquireReader();
  return internal::QueryAssessment(lease.conn(), declaration_id, version);
}

Result<DataKeyRow> SqliteStore::GetDataKey(const std::string& declaration_id) {
  ReadLease lease = AcquireReader();
  return internal::QueryDataKey(lease.conn(), declaration_id);
}

Result<std::vector<DataKeyRow>> SqliteStore::ListDataKeysToRewrap(const std::string& kek_id,
                                                                  int64_t kek_version,
                                                                  const std::string& after_id,
                                                                  int limit) {
  ReadLease lease = AcquireReader();
  return internal::QueryDataKeysToRewrap(lease.conn(), kek_id, kek_version, after_id, limit);
}

Result<std::vector<KekUsage>> SqliteStore::CountDataKeysByKek() {
  ReadLease lease = AcquireReader();
  return internal::QueryKekUsage(lease.conn());
}

Result<std::vector<LegalHold>> SqliteStore::ListLegalHolds(bool include_released) {
  ReadLease lease = AcquireReader();
  return internal::QueryLegalHolds(lease.conn(), include_released);
}

Result<LegalHold> SqliteStore::GetLegalHold(const std::string& id) {
  ReadLease lease = AcquireReader();
  return internal::QueryLegalHold(lease.conn(), id);
}

Result<std::vector<ClosedDeclaration>> SqliteStore::ListClosedDeclarations(
    const std::vector<std::string>& final_statuses, Timestamp closed_before,
    const std::optional<std::pair<Timestamp, std::string>>& after, int limit) {
  ReadLease lease = AcquireReader();
  return internal::QueryClosedDeclarations(lease.conn(), final_statuses, closed_before, after,
                                           limit);
}

Result<PurgedDeclarationRow> SqliteStore::GetPurgedDeclaration(const std::string& id) {
  ReadLease lease = AcquireReader();
  return internal::QueryPurgedDeclaration(lease.conn(), id);
}

Result<std::vector<PurgeRow>> SqliteStore::ListPurges() {
  ReadLease lease = AcquireReader();
  std::vector<PurgeRow> purges;
  CW_RETURN_IF_ERROR(internal::VisitPurges(lease.conn(), [&purges](const PurgeRow& row, bool) {
    purges.push_back(row);
    return OkStatus();
  }));
  return purges;
}

Result<SecurityEventPage> SqliteStore::ListSecurityEvents(const SecurityEventFilter& filter,
                                                          const PageRequest& page) {
  ReadLease lease = AcquireReader();
  return internal::QuerySecurityEventPage(lease.conn(), filter, page);
}

Result<int64_t> SqliteStore::CountDeclarations() {
  ReadLease lease = AcquireReader();
  return internal::QueryDeclarationCount(lease.conn());
}

// ---- The ledger -----------------------------------------------------------------------------

ledger::TreeStore& SqliteStore::LedgerTree() { return *read_tree_; }

Result<LeafRow> SqliteStore::GetLeaf(uint64_t index) {
  ReadLease lease = AcquireReader();
  return internal::QueryLeaf(lease.conn(), index);
}

Result<LeafRow> SqliteStore::FindLeaf(const std::string& record_id) {
  ReadLease lease = AcquireReader();
  return internal::QueryLeafByRecord(lease.conn(), record_id);
}

Result<std::optional<CheckpointRow>> SqliteStore::LatestCheckpoint() {
  ReadLease lease = AcquireReader();
  return internal::QueryLatestCheckpoint(lease.conn());
}

Result<CheckpointRow> SqliteStore::GetCheckpoint(uint64_t size) {
  ReadLease lease = AcquireReader();
  return internal::QueryCheckpoint(lease.conn(), size);
}

Result<std::optional<CheckpointRow>> SqliteStore::LatestCosignedCheckpoint() {
  ReadLease lease = AcquireReader();
  return internal::QueryLatestCosignedCheckpoint(lease.conn());
}

Result<std::vector<CosignatureRow>> SqliteStore::ListCosignatures(uint64_t size) {
  ReadLease lease = AcquireReader();
  return internal::QueryCosignatures(lease.conn(), size);
}

Status SqliteStore::ReadLedgerSnapshot(const std::function<Status(LedgerSnapshot&)>& read) {
  ReadLease lease = AcquireReader();
  return internal::ReadSnapshot(lease.conn(), read);
}

}  // namespace clearway::store::sqlite
