// File: store/sqlite/sqlite_store.h
//
// SqliteStore is the embedded Store backend: one SQLite database file in WAL mode with
// synchronous=FULL, so a commit is on disk when Commit() returns. Writes go through a single
// writer thread that batches whatever units of work are queued into one transaction (group
// commit, one fsync for many units), each unit inside its own savepoint so that a unit that
// fails is rolled back alone. Reads run on a small pool of read-only connections alongside the
// writer. The ledger's leaves are appended by the writer in the batch's transaction, after the
// units that succeeded, so indices are assigned in one place. The schema is migrated at open;
// docs/formats/store-schema.md describes it.
//
// The WAL is checkpointed by a thread of its own, on a connection of its own, once it holds
// checkpoint_pages frames (PASSIVE: it never blocks the writer or readers), so the writer's
// commit path never copies pages into the database file nor waits for its fsync.
//
//   SqliteOptions options;
//   options.path = data_dir + "/clearway.db";          // the directory must exist
//   CW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options));
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

struct sqlite3;

namespace clearway::store::sqlite {

namespace internal {
class Connection;
}  // namespace internal

struct SqliteOptions {
  std::string path;                              // the database file; its dir must exist
  std::chrono::milliseconds busy_timeout{5000};  // wait for another process's lock
  int max_batch_units = 256;                     // units per group-commit transaction
  // How long the writer waits for more units once it has some. Zero (the default) never
  // waits: it takes what is queued, so a lone commit is not delayed.
  std::chrono::microseconds max_batch_wait{0};
  int read_connections = 4;  // size of the read pool
  // WAL frames (pages) after which the checkpointer thread copies the WAL into the database
  // (SQLite's own default is 1000). Zero checkpoints on the writer thread instead, inside the
  // commit that crosses 1000 frames (SQLite's automatic checkpoint; the behaviour before the
  // checkpointer, kept selectable so benchmarks can compare the two).
  int checkpoint_pages = 1000;
};

// Counters for metrics, since open. A batch is one committed transaction.
struct SqliteStoreStats {
  int64_t batches_committed = 0;
  int64_t units_committed = 0;
  int64_t units_failed = 0;   // refused on their own, or lost with their batch
  int64_t largest_batch = 0;  // most units taken into one transaction
  int64_t background_checkpoints = 0;  // checkpoints run by the checkpointer thread
};

class SqliteStore final : public Store {
 public:
  // Open() opens (creating with mode 0600 if absent) the database at options.path, sets WAL
  // and synchronous=FULL, applies pending migrations and starts the writer thread.
  // Errors: kInvalidArgument "bad-store-option" for an empty path or out-of-range limits;
  // kFailedPrecondition "store-open-failed" when the file cannot be created or opened (e.g.
  // its directory is missing); kFailedPrecondition "schema-too-new" for a database written by
  // a newer Clearway; kDataLoss "store-corrupt" for a file that is not a database; kInternal
  // for other SQLite failures.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);

  // The destructor calls Close().
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Commit() queues the unit for the writer and waits until it is durable or refused.
  // Errors: those of Store::Commit(); kUnavailable "store-closing" after Close().
  Result<CommitReceipt> Commit(UnitOfWork work) override;

  // CommitBatch() queues several units at once and returns one result per unit, in order.
  // Units that fit in max_batch_units share one transaction; each succeeds or fails alone.
  std::vector<Result<CommitReceipt>> CommitBatch(std::vector<UnitOfWork> units);

  // Close() stops taking writes: units already queued are committed (or fail with their own
  // error), later Commit() calls fail with kUnavailable "store-closing". Reads keep working
  // until destruction. Idempotent.
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

  // stats() returns a snapshot of the group-commit counters.
  SqliteStoreStats stats() const;

  // SchemaVersion() is the newest schema version this build knows (and migrates to).
  static int64_t SchemaVersion();

 private:
  struct Pending;
  class ReadLease;
  class ReadTree;

  SqliteStore(SqliteOptions options, std::unique_ptr<internal::Connection> writer,
              std::vector<std::unique_ptr<internal::Connection>> readers,
              std::unique_ptr<internal::Connection> checkpointer);

  std::vector<std::future<Result<CommitReceipt>>> Enqueue(std::vector<UnitOfWork> units);
  void WriterLoop();
  std::vector<std::unique_ptr<Pending>> TakeBatch();
  void RunBatch(std::vector<std::unique_ptr<Pending>>& batch);
  void CheckpointLoop();
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int frames);
  ReadLease AcquireReader();

  const SqliteOptions options_;
  const std::unique_ptr<internal::Connection> writer_;  // used only by writer_thread_
  const std::unique_ptr<ReadTree> read_tree_;           // LedgerTree(), over the read pool

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<Pending>> queue_;  // guarded by queue_mu_
  bool closing_ = false;                        // guarded by queue_mu_

  mutable std::mutex stats_mu_;
  SqliteStoreStats stats_;  // guarded by stats_mu_

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<internal::Connection>> readers_;  // all of them
  std::vector<internal::Connection*> idle_readers_;             // guarded by readers_mu_

  // The checkpointer: null when options_.checkpoint_pages is 0.
  const std::unique_ptr<internal::Connection> checkpointer_;  // used only by its thread
  std::mutex checkpoint_mu_;
  // Held while a checkpoint runs, so the writer's TRUNCATE after a purge is not made a no-op
  // by a background checkpoint in progress.
  std::mutex checkpoint_run_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;      // guarded by checkpoint_mu_
  bool checkpoint_closing_ = false;  // guarded by checkpoint_mu_
  int wal_frames_ = 0;               // guarded by checkpoint_mu_: the WAL's size when signalled
  int signalled_frames_ = 0;         // the writer thread's: the WAL's size at its last signal

  std::mutex close_mu_;        // serialises Close()
  std::thread writer_thread_;  // started last, joined by Close()
  std::thread checkpoint_thread_;  // joined by Close() after the writer
};

}  // namespace clearway::store::sqlite
