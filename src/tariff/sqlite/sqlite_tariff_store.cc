#include "tariff/sqlite/sqlite_tariff_store.h"

#include <algorithm>
#include <functional>
#include <thread>
#include <utility>

#include "tariff/sqlite/db.h"
#include "tariff/sqlite/rows.h"

namespace clearway::tariff::sqlite {

using internal::Db;
using internal::Micros;
using internal::Stmt;

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS nomenclature(
  code TEXT PRIMARY KEY, parent TEXT NOT NULL, description TEXT NOT NULL,
  valid_from TEXT NOT NULL, valid_to TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS nomenclature_fts USING fts5(
  code UNINDEXED, description, tokenize = 'porter unicode61');
CREATE TABLE IF NOT EXISTS measures(
  row_id INTEGER PRIMARY KEY,
  measure_id TEXT NOT NULL, type TEXT NOT NULL, code TEXT NOT NULL, geo TEXT NOT NULL,
  excluded TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT, legal_base TEXT NOT NULL,
  conditions TEXT NOT NULL, duty TEXT NOT NULL, agreement TEXT NOT NULL,
  additional_code TEXT NOT NULL, quota_order TEXT NOT NULL,
  recorded_from INTEGER NOT NULL, recorded_to INTEGER,
  change TEXT NOT NULL, file_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS measures_by_code ON measures(code, valid_from);
CREATE INDEX IF NOT EXISTS measures_current ON measures(measure_id) WHERE recorded_to IS NULL;
CREATE INDEX IF NOT EXISTS measures_by_recorded ON measures(recorded_from);
CREATE TABLE IF NOT EXISTS geo_groups(
  code TEXT NOT NULL, members TEXT NOT NULL, recorded_at INTEGER NOT NULL,
  PRIMARY KEY(code, recorded_at));
CREATE TABLE IF NOT EXISTS quotas(
  order_number TEXT NOT NULL, volume INTEGER NOT NULL, unit TEXT NOT NULL,
  recorded_at INTEGER NOT NULL, PRIMARY KEY(order_number, recorded_at));
CREATE TABLE IF NOT EXISTS quota_draws(
  id INTEGER PRIMARY KEY, order_number TEXT NOT NULL, thousandths INTEGER NOT NULL,
  reference TEXT NOT NULL, recorded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS quota_draws_by_order
  ON quota_draws(order_number, recorded_at, thousandths);
CREATE INDEX IF NOT EXISTS quota_draws_by_reference ON quota_draws(order_number, reference);
CREATE TABLE IF NOT EXISTS exchange_rates(
  currency TEXT NOT NULL, per_unit INTEGER NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT,
  recorded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS rates_by_currency ON exchange_rates(currency, valid_from);
CREATE TABLE IF NOT EXISTS imports(
  file_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, recorded_at INTEGER NOT NULL);
)sql";

// The running balance of each quota: what has been drawn from it in total and the latest
// draw's time, kept by a trigger in the transaction of every draw (whichever connection or
// process inserts it), so a draw reads one row instead of summing every draw ever made. Added
// to an existing database by MigrateBalances(), which fills it from the draws recorded before.
constexpr std::string_view kBalances = R"sql(
CREATE TABLE quota_balances(
  order_number TEXT PRIMARY KEY, drawn INTEGER NOT NULL, latest_at INTEGER NOT NULL)
  WITHOUT ROWID;
INSERT INTO quota_balances(order_number, drawn, latest_at)
  SELECT order_number, SUM(thousandths), MAX(recorded_at) FROM quota_draws GROUP BY order_number;
CREATE TRIGGER quota_draws_balance AFTER INSERT ON quota_draws BEGIN
  INSERT INTO quota_balances(order_number, drawn, latest_at)
    VALUES (NEW.order_number, NEW.thousandths, NEW.recorded_at)
    ON CONFLICT(order_number) DO UPDATE SET drawn = drawn + excluded.drawn,
      latest_at = MAX(latest_at, excluded.latest_at);
END;
)sql";

// MigrateBalances() adds quota_balances (and its trigger) once, in one write transaction, so
// no draw can fall between the sum of the earlier draws and the trigger taking over.
Status MigrateBalances(Db& db) {
  auto exists = [&]() -> Result<bool> {
    CW_ASSIGN_OR_RETURN(Stmt * stmt, db.Prepare("SELECT 1 FROM sqlite_master WHERE type = "
                                                "'trigger' AND name = 'quota_draws_balance'"));
    CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    stmt->Reset();
    return row;
  };
  CW_ASSIGN_OR_RETURN(bool done, exists());
  if (done) return OkStatus();
  CW_ASSIGN_OR_RETURN(auto tx, internal::Transaction::Begin(db));
  CW_ASSIGN_OR_RETURN(done, exists());  // another process may have migrated meanwhile
  if (done) return OkStatus();
  CW_RETURN_IF_ERROR(db.Exec(kBalances));
  return tx.Commit();
}

Result<DutyUnit> UnitFrom(const std::string& name) {
  for (DutyUnit unit : {DutyUnit::kKilogram, DutyUnit::kLitre, DutyUnit::kItem}) {
    if (DutyUnitName(unit) == name) return unit;
  }
  return Error::DataLoss("tariff-store-corrupt", "unknown quota unit " + name);
}

// QuotaStateOn() reads a quota's volume as recorded at `as_of` and what was drawn by then.
Result<std::optional<TariffStore::QuotaState>> QuotaStateOn(Db& db, std::string_view order_number,
                                                            Timestamp as_of) {
  using QuotaState = TariffStore::QuotaState;
  CW_ASSIGN_OR_RETURN(Stmt * stmt,
                      db.Prepare("SELECT volume, unit FROM quotas WHERE order_number = ?1 AND "
                                   "recorded_at <= ?2 ORDER BY recorded_at DESC LIMIT 1"));
  stmt->Bind(1, order_number);
  stmt->Bind(2, Micros(as_of));
  CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<QuotaState>();
  QuotaState state;
  state.quota.order_number = std::string(order_number);
  state.quota.volume_thousandths = stmt->Int(0);
  CW_ASSIGN_OR_RETURN(state.quota.unit, UnitFrom(stmt->Text(1)));
  stmt->Reset();
  // The running balance answers when no draw is later than `as_of` (every quote and draw made
  // now); a look-up as of an earlier instant (reproducing an old quote) sums the draws.
  CW_ASSIGN_OR_RETURN(Stmt * balance, db.Prepare("SELECT drawn, latest_at FROM quota_balances "
                                                 "WHERE order_number = ?1"));
  balance->Bind(1, order_number);
  CW_ASSIGN_OR_RETURN(bool has_balance, balance->Step());
  if (!has_balance) return std::optional<QuotaState>(state);  // never drawn from
  if (balance->Int(1) <= Micros(as_of)) {
    state.drawn_thousandths = balance->Int(0);
    balance->Reset();
    return std::optional<QuotaState>(state);
  }
  balance->Reset();
  CW_ASSIGN_OR_RETURN(Stmt * drawn,
                      db.Prepare("SELECT COALESCE(SUM(thousandths), 0) FROM quota_draws WHERE "
                                   "order_number = ?1 AND recorded_at <= ?2"));
  drawn->Bind(1, order_number);
  drawn->Bind(2, Micros(as_of));
  CW_ASSIGN_OR_RETURN(bool has_sum, drawn->Step());
  state.drawn_thousandths = has_sum ? drawn->Int(0) : 0;
  drawn->Reset();
  return std::optional<QuotaState>(state);
}

// RevisionOn() reads the latest row of the imports log: rowid and recorded_at grow together
// (Apply() never records earlier than the last import), so it is a look-up, not a scan.
Result<TariffRevision> RevisionOn(Db& db) {
  CW_ASSIGN_OR_RETURN(Stmt * stmt, db.Prepare("SELECT rowid, recorded_at FROM imports "
                                              "ORDER BY rowid DESC LIMIT 1"));
  CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
  TariffRevision revision;
  if (row) {
    revision.imports = stmt->Int(0);
    revision.latest = internal::FromMicros(stmt->Int(1));
  } else {
    revision.latest = Timestamp::min();
  }
  stmt->Reset();
  return revision;
}

// A deferred read transaction on a reader connection, so every statement in it sees one
// snapshot; ended (rolled back: it wrote nothing) unless ended before.
class ReadTransaction {
 public:
  static Result<ReadTransaction> Begin(Db& db) {
    CW_RETURN_IF_ERROR(db.Exec("BEGIN"));
    return ReadTransaction(db);
  }
  ReadTransaction(ReadTransaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ReadTransaction& operator=(ReadTransaction&&) = delete;
  ~ReadTransaction() {
    if (db_ == nullptr) return;
    db_->EndReads();
    db_->Exec("ROLLBACK").IgnoreError();
  }

 private:
  explicit ReadTransaction(Db& db) : db_(&db) {}
  Db* db_;
};

// DrawOne() records one draw inside the batch transaction: the outer Result fails when the
// database does, the inner Status is the draw's own answer (refusals change nothing).
Result<Status> DrawOne(Db& db, const internal::PendingDraw& draw) {
  CW_ASSIGN_OR_RETURN(auto state, QuotaStateOn(db, draw.order_number, Timestamp::max()));
  if (!state) {
    return Status(Error::NotFound("quota-not-found", "no quota " + draw.order_number));
  }
  if (!draw.reference.empty()) {
    // One draw per declaration and quota: a retry of the same filing finds its draw here,
    // also when it is earlier in the same batch.
    CW_ASSIGN_OR_RETURN(Stmt * drawn_before,
                        db.Prepare("SELECT 1 FROM quota_draws WHERE order_number = ?1 AND "
                                   "reference = ?2 LIMIT 1"));
    drawn_before->Bind(1, draw.order_number);
    drawn_before->Bind(2, draw.reference);
    CW_ASSIGN_OR_RETURN(bool found, drawn_before->Step());
    drawn_before->Reset();
    if (found) return OkStatus();
  }
  const int64_t left = state->quota.volume_thousandths - state->drawn_thousandths;
  if (left < draw.thousandths) {
    return Status(Error::ResourceExhausted(
        "quota-exhausted", "quota " + draw.order_number + " has " + FormatMinor(left, 3) + " left"));
  }
  CW_ASSIGN_OR_RETURN(Stmt * insert,
                      db.Prepare("INSERT INTO quota_draws(order_number, thousandths, reference, "
                                 "recorded_at) VALUES (?1, ?2, ?3, ?4)"));
  insert->Bind(1, draw.order_number);
  insert->Bind(2, draw.thousandths);
  insert->Bind(3, draw.reference);
  insert->Bind(4, Micros(draw.at));
  CW_RETURN_IF_ERROR(insert->Step());
  return OkStatus();
}
}  // namespace

SqliteTariffStore::SqliteTariffStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
SqliteTariffStore::~SqliteTariffStore() = default;

Result<std::unique_ptr<SqliteTariffStore>> SqliteTariffStore::Open(const std::string& path) {
  CW_ASSIGN_OR_RETURN(auto db, Db::Open(path));
  CW_RETURN_IF_ERROR(db->Exec(kSchema));
  CW_RETURN_IF_ERROR(MigrateBalances(*db));
  std::unique_ptr<SqliteTariffStore> store(new SqliteTariffStore(std::move(db)));
  // Quotes read on connections of their own, so they never wait for a write's fsync (WAL
  // readers see the last commit). An in-memory database is private to its connection: there
  // the writer's connection serves reads too.
  if (path != ":memory:") {
    for (size_t i = 0; i < kReaders; ++i) {
      auto reader = std::make_unique<Reader>();
      CW_ASSIGN_OR_RETURN(reader->db, Db::Open(path));
      store->readers_.push_back(std::move(reader));
    }
  }
  return store;
}

SqliteTariffStore::ReadLease::~ReadLease() { db->EndReads(); }

SqliteTariffStore::ReadLease SqliteTariffStore::Read() {
  if (readers_.empty()) return ReadLease{std::unique_lock<std::mutex>(mu_), db_.get()};
  for (auto& reader : readers_) {
    std::unique_lock<std::mutex> lock(reader->mu, std::try_to_lock);
    if (lock.owns_lock()) return ReadLease{std::move(lock), reader->db.get()};
  }
  // All busy: wait for one, spreading the threads over the readers.
  Reader& reader =
      *readers_[std::hash<std::thread::id>{}(std::this_thread::get_id()) % readers_.size()];
  return ReadLease{std::unique_lock<std::mutex>(reader.mu), reader.db.get()};
}

Result<std::vector<Measure>> SqliteTariffStore::MeasuresFor(std::string_view code, Date date,
                                                            Timestamp as_of) {
  ReadLease read = Read();
  static const std::string sql =
      "SELECT " + std::string(internal::kMeasureColumns) +
      " FROM measures WHERE code IN (?1, ?2, ?3, ?4, ?5, ?6) AND valid_from <= ?7"
      " AND (valid_to IS NULL OR valid_to > ?7) AND recorded_from <= ?8"
      " AND (recorded_to IS NULL OR recorded_to > ?8)";
  CW_ASSIGN_OR_RETURN(Stmt * stmt, read.db->Prepare(sql));
  // The code and its ancestors: "", 2, 4, 6, 8 digits (duplicates are harmless in IN).
  for (int i = 0; i < 6; ++i) {
    stmt->Bind(i + 1, code.substr(0, std::min(code.size(), static_cast<size_t>(2 * i))));
  }
  stmt->Bind(7, FormatDate(date));
  stmt->Bind(8, Micros(as_of));
  std::vector<Measure> out;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(internal::MeasureFromRow(*stmt));
  }
  return out;
}

Result<std::set<std::string>> SqliteTariffStore::GroupsOf(std::string_view country,
                                                          Timestamp as_of) {
  ReadLease read = Read();
  CW_ASSIGN_OR_RETURN(
      Stmt * stmt,
      read.db->Prepare("SELECT g.code, g.members FROM geo_groups g WHERE g.recorded_at = "
                   "(SELECT MAX(recorded_at) FROM geo_groups WHERE code = g.code AND "
                   "recorded_at <= ?1)"));
  stmt->Bind(1, Micros(as_of));
  std::set<std::string> out;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    auto members = internal::SplitCodes(stmt->Text(1));
    if (std::find(members.begin(), members.end(), country) != members.end()) {
      out.insert(stmt->Text(0));
    }
  }
  return out;
}

Result<std::optional<ExchangeRate>> SqliteTariffStore::RateOn(std::string_view currency, Date date,
                                                              Timestamp as_of) {
  ReadLease read = Read();
  CW_ASSIGN_OR_RETURN(
      Stmt * stmt,
      read.db->Prepare("SELECT per_unit, valid_from, valid_to FROM exchange_rates WHERE currency = ?1"
                   " AND valid_from <= ?2 AND (valid_to IS NULL OR valid_to > ?2)"
                   " AND recorded_at <= ?3 ORDER BY recorded_at DESC, valid_from DESC LIMIT 1"));
  stmt->Bind(1, currency);
  stmt->Bind(2, FormatDate(date));
  stmt->Bind(3, Micros(as_of));
  CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<ExchangeRate>();
  ExchangeRate rate;
  rate.currency = std::string(currency);
  rate.per_unit = Decimal{stmt->Int(0)};
  rate.valid_from = internal::DateFrom(stmt->Text(1));
  if (!stmt->IsNull(2)) rate.valid_to = internal::DateFrom(stmt->Text(2));
  return std::optional<ExchangeRate>(rate);
}

Result<std::optional<TariffStore::QuotaState>> SqliteTariffStore::QuotaOf(
    std::string_view order_number, Timestamp as_of) {
  ReadLease read = Read();
  return QuotaStateOn(*read.db, order_number, as_of);
}

Status SqliteTariffStore::DrawQuota(std::string_view order_number, int64_t thousandths,
                                    std::string_view reference, Timestamp at) {
  // Group commit: the first caller to find no batch running commits every draw queued by
  // then in one transaction (one fsync); the others wait for their result.
  internal::PendingDraw me{std::string(order_number), thousandths, std::string(reference), at,
                           std::nullopt};
  std::unique_lock lock(draw_mu_);
  draw_queue_.push_back(&me);
  while (!me.result) {
    if (drawing_) {
      draw_cv_.wait(lock);
      continue;
    }
    drawing_ = true;
    std::vector<internal::PendingDraw*> batch;
    batch.swap(draw_queue_);
    lock.unlock();
    std::vector<Status> results = CommitDraws(batch);
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
    ++draw_batches_;
    drawing_ = false;
    draw_cv_.notify_all();
  }
  return std::move(*me.result);
}

int64_t SqliteTariffStore::DrawBatchesForTesting() {
  std::scoped_lock lock(draw_mu_);
  return draw_batches_;
}

std::vector<Status> SqliteTariffStore::CommitDraws(const std::vector<internal::PendingDraw*>& batch) {
  std::scoped_lock lock(mu_);
  auto failed = [&](const Error& error) { return std::vector<Status>(batch.size(), error); };
  auto tx = internal::Transaction::Begin(*db_);
  if (!tx.ok()) return failed(tx.error());
  std::vector<Status> results;
  results.reserve(batch.size());
  for (const internal::PendingDraw* draw : batch) {
    // Refusals (no such quota, one draw already recorded, exhausted) are per draw; a failure
    // of the database loses the whole batch.
    auto result = DrawOne(*db_, *draw);
    if (!result.ok()) return failed(result.error());
    results.push_back(std::move(result).value());
  }
  Status committed = tx->Commit();
  if (!committed.ok()) return failed(committed.error());
  return results;
}

Result<std::optional<TariffRevision>> SqliteTariffStore::Revision() {
  ReadLease read = Read();
  CW_ASSIGN_OR_RETURN(TariffRevision revision, RevisionOn(*read.db));
  return std::optional<TariffRevision>(revision);
}

Result<std::optional<TariffSnapshot>> SqliteTariffStore::Snapshot() {
  ReadLease read = Read();
  CW_ASSIGN_OR_RETURN(auto tx, ReadTransaction::Begin(*read.db));
  TariffSnapshot out;
  CW_ASSIGN_OR_RETURN(out.revision, RevisionOn(*read.db));
  static const std::string measures_sql = "SELECT " + std::string(internal::kMeasureColumns) +
                                          " FROM measures WHERE recorded_to IS NULL";
  CW_ASSIGN_OR_RETURN(Stmt * measures, read.db->Prepare(measures_sql));
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, measures->Step());
    if (!row) break;
    out.measures.push_back(internal::MeasureFromRow(*measures));
  }
  CW_ASSIGN_OR_RETURN(
      Stmt * groups,
      read.db->Prepare("SELECT g.code, g.members FROM geo_groups g WHERE g.recorded_at = "
                       "(SELECT MAX(recorded_at) FROM geo_groups WHERE code = g.code)"));
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, groups->Step());
    if (!row) break;
    out.groups.push_back(GeoGroup{groups->Text(0), internal::SplitCodes(groups->Text(1))});
  }
  CW_ASSIGN_OR_RETURN(Stmt * rates,
                      read.db->Prepare("SELECT currency, per_unit, valid_from, valid_to, "
                                       "recorded_at FROM exchange_rates"));
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, rates->Step());
    if (!row) break;
    TariffSnapshot::RecordedRate rate;
    rate.rate.currency = rates->Text(0);
    rate.rate.per_unit = Decimal{rates->Int(1)};
    rate.rate.valid_from = internal::DateFrom(rates->Text(2));
    if (!rates->IsNull(3)) rate.rate.valid_to = internal::DateFrom(rates->Text(3));
    rate.recorded_at = internal::FromMicros(rates->Int(4));
    out.rates.push_back(std::move(rate));
  }
  return std::optional<TariffSnapshot>(std::move(out));
}

Result<std::vector<MeasureChange>> SqliteTariffStore::ChangesSince(Timestamp since, size_t limit) {
  std::scoped_lock lock(mu_);
  static const std::string sql = "SELECT " + std::string(internal::kMeasureColumns) +
                                 " FROM measures WHERE recorded_from >= ?1"
                                 " ORDER BY recorded_from, row_id LIMIT ?2";
  CW_ASSIGN_OR_RETURN(Stmt * stmt, db_->Prepare(sql));
  stmt->Bind(1, Micros(since));
  stmt->Bind(2, static_cast<int64_t>(limit));
  std::vector<MeasureChange> out;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    MeasureChange change;
    change.measure = internal::MeasureFromRow(*stmt);
    change.kind = ::clearway::tariff::internal::MeasureChangeKindFrom(stmt->Text(14));
    change.file_id = stmt->Text(15);
    out.push_back(std::move(change));
  }
  return out;
}

}  // namespace clearway::tariff::sqlite
