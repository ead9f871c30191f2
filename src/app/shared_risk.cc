#include "app/shared_risk.h"

#include <array>
#include <utility>

#include "app/files.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/locks.h"
#include "store/postgres/module_schema.h"

namespace clearway::app {

namespace {

using store::postgres::internal::ConnectionPool;
using store::postgres::internal::PgConnection;
using store::postgres::internal::PgParams;
using store::postgres::internal::PgRows;

// Version 1: the profile document (the JSON of DATA_DIR/risk/profiles.json) and its
// generation, in one row.
constexpr const char* kV1 = R"sql(
CREATE TABLE risk_profile_documents (
  singleton  BOOLEAN NOT NULL PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  generation BIGINT  NOT NULL CHECK (generation > 0),
  document   TEXT    NOT NULL
);
)sql";

const std::array<const char*, 1> kMigrations = {kV1};

template <typename T>
Result<T> Mapped(Result<T> result) {
  if (result.ok() || result.error().reason.rfind("store-", 0) != 0) return result;
  return Error::Unavailable("profile-store-failed",
                            "shared risk profiles: " + result.error().message);
}

class PostgresProfileBackend final : public ProfileBackend {
 public:
  explicit PostgresProfileBackend(std::unique_ptr<ConnectionPool> pool)
      : pool_(std::move(pool)) {}

  Result<Document> Load() override {
    return Mapped(pool_->With<Document>([](PgConnection& db) -> Result<Document> {
      CW_ASSIGN_OR_RETURN(PgRows rows,
                          db.Run("SELECT generation, document FROM risk_profile_documents"));
      Document doc;
      if (rows.size() == 0) return doc;
      doc.generation = rows.Int(0, 0);
      doc.text = rows.Text(0, 1);
      return doc;
    }));
  }

  Result<int64_t> Generation() override {
    return Mapped(pool_->With<int64_t>([](PgConnection& db) -> Result<int64_t> {
      CW_ASSIGN_OR_RETURN(PgRows rows,
                          db.Run("SELECT COALESCE(MAX(generation), 0)::bigint"
                                 " FROM risk_profile_documents"));
      return rows.Int(0, 0);
    }));
  }

  Result<int64_t> Save(const std::string& text, int64_t generation) override {
    // Generation 0 is "no document yet": the first save inserts the row, later ones replace
    // it only over the generation they read (a racing first save hits the primary key).
    // A save is not repeated on a broken connection: the caller's retry reloads first.
    int64_t saved = 0;
    Status done = Mapped(pool_->WithStatus(
        [&](PgConnection& db) -> Status {
          Result<PgRows> written =
              generation == 0
                  ? db.Run("INSERT INTO risk_profile_documents (generation, document)"
                           " VALUES (1, $1) ON CONFLICT (singleton) DO NOTHING",
                           PgParams().Text(text))
                  : db.Run("UPDATE risk_profile_documents SET generation = generation + 1,"
                           " document = $1 WHERE generation = $2",
                           PgParams().Text(text).Int(generation));
          if (!written.ok()) return std::move(written).error();
          if (written->affected() != 1) {
            return Error::Aborted("profile-store-conflict",
                                  "another node changed the risk profiles meanwhile");
          }
          saved = generation + 1;
          return OkStatus();
        },
        /*retry=*/false));
    if (!done.ok()) return std::move(done).error();
    return saved;
  }

 private:
  std::unique_ptr<ConnectionPool> pool_;  // thread-safe itself
};

}  // namespace

Result<std::unique_ptr<ProfileBackend>> OpenPostgresProfileBackend(
    const std::string& url, const std::string& application_name) {
  static const store::postgres::internal::ModuleMigrations kRiskMigrations = {
      "risk_schema_migrations", store::postgres::internal::kRiskMigrationLock, kMigrations,
      "the risk tables"};
  CW_ASSIGN_OR_RETURN(auto pool, Mapped(store::postgres::internal::OpenModulePool(
                                      url, application_name, 2, "bad-store-url", kRiskMigrations)));
  return std::unique_ptr<ProfileBackend>(new PostgresProfileBackend(std::move(pool)));
}

Status CopyProfilesToPostgres(const std::string& path, PgConnection& target,
                              store::postgres::CopyReport& report) {
  CW_ASSIGN_OR_RETURN(auto readable, ProfileStore::Open(path));  // refuses an unreadable file
  static_cast<void>(readable);
  CW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  CW_ASSIGN_OR_RETURN(PgRows held,
                      Mapped(target.RunOnce("SELECT COUNT(*) FROM risk_profile_documents")));
  if (held.Int(0, 0) != 0) {
    return Error::FailedPrecondition("target-not-empty",
                                     "the PostgreSQL database already holds risk profiles; copy "
                                     "into a new, empty database");
  }
  CW_ASSIGN_OR_RETURN(PgRows inserted,
                      Mapped(target.Run("INSERT INTO risk_profile_documents (generation, document)"
                                        " VALUES (1, $1)",
                                        PgParams().Text(text))));
  static_cast<void>(inserted);
  report.tables.emplace_back("risk_profile_documents", 1);
  return OkStatus();
}

}  // namespace clearway::app
