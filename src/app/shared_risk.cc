#include "app/shared_risk.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>
#include <vector>

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

// Version 2: the model registry (risk/registry.h) of every node: the models, each under its
// id (SHA-256 of the model bytes, checked again on every load), and the one-row pointer to the
// promoted model with the generation of its promotion (compare-and-set).
constexpr const char* kV2 = R"sql(
CREATE TABLE risk_models (
  id       TEXT        NOT NULL PRIMARY KEY,
  model    BYTEA       NOT NULL,
  meta     TEXT        NOT NULL,
  saved_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE risk_current_model (
  singleton   BOOLEAN     NOT NULL PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  generation  BIGINT      NOT NULL CHECK (generation > 0),
  model_id    TEXT        NOT NULL REFERENCES risk_models (id),
  promoted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
)sql";

// Version 3: the inspection results of every node (DATA_DIR/risk/inspections.csv), numbered
// in the order they commit (inserts take kRiskInspectionLock).
constexpr const char* kV3 = R"sql(
CREATE TABLE risk_inspections (
  seq            BIGINT      NOT NULL PRIMARY KEY,
  declaration_id TEXT        NOT NULL CHECK (declaration_id <> ''),
  version        BIGINT      NOT NULL,
  fraud_found    BOOLEAN     NOT NULL,
  duties_raised  NUMERIC     NOT NULL CHECK (duties_raised >= 0),
  inspected_on   DATE        NOT NULL,
  recorded_by    TEXT        NOT NULL,
  recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
)sql";

const std::array<const char*, 3> kMigrations = {kV1, kV2, kV3};

// The INSERT of one inspection result, numbered after the latest: run after taking
// kRiskInspectionLock in the same transaction (its own statement, so its snapshot sees every
// result committed before the lock was granted).
constexpr const char* kInsertInspection =
    "INSERT INTO risk_inspections (seq, declaration_id, version, fraud_found, duties_raised,"
    " inspected_on, recorded_by)"
    " SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3::boolean, $4::numeric, $5::date, $6"
    " FROM risk_inspections RETURNING seq";

template <typename T>
Result<T> MappedAs(Result<T> result, const char* reason, const char* what) {
  if (result.ok() || result.error().reason.rfind("store-", 0) != 0) return result;
  return Error::Unavailable(reason, std::string(what) + ": " + result.error().message);
}

template <typename T>
Result<T> Mapped(Result<T> result) {
  return MappedAs(std::move(result), "profile-store-failed", "shared risk profiles");
}

template <typename T>
Result<T> ModelsMapped(Result<T> result) {
  return MappedAs(std::move(result), "model-store-failed", "shared model registry");
}

// MaxOf() runs `sql`, a query of one bigint (the cheap checks every node makes before it
// assesses), on a connection of `pool`.
Result<int64_t> MaxOf(ConnectionPool& pool, const char* sql) {
  return pool.With<int64_t>([sql](PgConnection& db) -> Result<int64_t> {
    CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql));
    return rows.Int(0, 0);
  });
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
    return Mapped(MaxOf(*pool_, "SELECT COALESCE(MAX(generation), 0)::bigint"
                                " FROM risk_profile_documents"));
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

class PostgresModelRegistry final : public ModelRegistry {
 public:
  explicit PostgresModelRegistry(std::unique_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

  Result<Current> LoadCurrent() override {
    return ModelsMapped(pool_->With<Current>([](PgConnection& db) -> Result<Current> {
      CW_ASSIGN_OR_RETURN(PgRows rows,
                          db.Run("SELECT c.generation, m.id, m.model, m.meta"
                                 " FROM risk_current_model c JOIN risk_models m"
                                 " ON m.id = c.model_id"));
      Current current;
      if (rows.size() == 0) return current;
      current.generation = rows.Int(0, 0);
      const std::string id = rows.Text(0, 1);
      CW_ASSIGN_OR_RETURN(current.model,
                          risk::ModelFromBytes(rows.Bytes(0, 2), rows.Text(0, 3), id,
                                               "the shared model registry (" + id + ")"));
      return current;
    }));
  }

  Result<int64_t> Generation() override {
    return ModelsMapped(MaxOf(*pool_, "SELECT COALESCE(MAX(generation), 0)::bigint"
                                      " FROM risk_current_model"));
  }

  Result<std::string> Save(const risk::FraudModel& model, risk::ModelMetadata meta) override {
    meta.id = model.id();
    const std::string meta_text = risk::MetadataToJson(meta);
    Status saved = ModelsMapped(pool_->WithStatus([&](PgConnection& db) -> Status {
      CW_ASSIGN_OR_RETURN(PgRows written,
                          db.Run("INSERT INTO risk_models (id, model, meta) VALUES ($1, $2, $3)"
                                 " ON CONFLICT (id) DO NOTHING",
                                 PgParams().Text(meta.id).Bytes(model.bytes()).Text(meta_text)));
      if (written.affected() != 1) {
        return Error::AlreadyExists("model-exists", "model " + meta.id + " is already saved");
      }
      return OkStatus();
    }));
    CW_RETURN_IF_ERROR(saved);
    return meta.id;
  }

  Result<Listing> List() override {
    return ModelsMapped(pool_->With<Listing>([](PgConnection& db) -> Result<Listing> {
      CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT meta FROM risk_models"));
      Listing listing;
      for (int i = 0; i < rows.size(); ++i) {
        CW_ASSIGN_OR_RETURN(risk::ModelMetadata meta, risk::MetadataFromJson(rows.Text(i, 0)));
        listing.models.push_back(std::move(meta));
      }
      SortByCreation(listing.models);
      CW_ASSIGN_OR_RETURN(PgRows current, db.Run("SELECT model_id FROM risk_current_model"));
      if (current.size() > 0) listing.current = current.Text(0, 0);
      return listing;
    }));
  }

  Status Promote(const std::string& name, int64_t generation) override {
    // The model is loaded (and so re-hashed) first: a tampered model is never promoted.
    Result<bool> known = ModelsMapped(pool_->With<bool>([&](PgConnection& db) -> Result<bool> {
      CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT model, meta FROM risk_models WHERE id = $1",
                                              PgParams().Text(name)));
      if (rows.size() == 0) return false;
      CW_ASSIGN_OR_RETURN(risk::LoadedModel loaded,
                          risk::ModelFromBytes(rows.Bytes(0, 0), rows.Text(0, 1), name,
                                               "the shared model registry (" + name + ")"));
      static_cast<void>(loaded);
      return true;
    }));
    if (!known.ok()) return std::move(known).error();
    if (!*known) {
      return Error::NotFound("model-not-found",
                             "no model " + name.substr(0, 64) + " in the shared model registry");
    }
    // Generation 0 is "nothing promoted yet": the first promotion inserts the row (a racing
    // first promotion hits the primary key), later ones move it only over the generation read.
    return ModelsMapped(pool_->WithStatus(
        [&](PgConnection& db) -> Status {
          CW_ASSIGN_OR_RETURN(
              PgRows written,
              generation == 0
                  ? db.Run("INSERT INTO risk_current_model (generation, model_id) VALUES (1, $1)"
                           " ON CONFLICT (singleton) DO NOTHING",
                           PgParams().Text(name))
                  : db.Run("UPDATE risk_current_model SET generation = generation + 1,"
                           " model_id = $1, promoted_at = now() WHERE generation = $2",
                           PgParams().Text(name).Int(generation)));
          if (written.affected() != 1) {
            return Error::Aborted("model-promotion-conflict",
                                  "another model was promoted meanwhile; nothing changed");
          }
          return OkStatus();
        },
        /*retry=*/false));
  }

 private:
  std::unique_ptr<ConnectionPool> pool_;  // thread-safe itself
};

class PostgresInspectionLog final : public InspectionLog {
 public:
  explicit PostgresInspectionLog(std::unique_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

  Result<int64_t> Append(const InspectionRecord& r) override {
    // Not repeated on a broken connection: the result may have been kept.
    int64_t seq = 0;
    Status done = ModelsMapped(pool_->WithStatus(
        [&](PgConnection& db) -> Status {
          return store::postgres::internal::Transact(db, [&](PgConnection& tx) -> Status {
            CW_ASSIGN_OR_RETURN(
                PgRows locked,
                tx.Run("SELECT pg_advisory_xact_lock($1, $2)",
                       PgParams()
                           .Int(store::postgres::internal::kLockClass)
                           .Int(store::postgres::internal::kRiskInspectionLock)));
            static_cast<void>(locked);
            CW_ASSIGN_OR_RETURN(PgRows rows,
                                tx.Run(kInsertInspection,
                                       PgParams()
                                           .Text(r.declaration_id)
                                           .Int(r.version)
                                           .Text(r.fraud_found ? "true" : "false")
                                           .Text(r.duties_raised)
                                           .Text(FormatDate(r.inspected_on))
                                           .Text(r.recorded_by)));
            seq = rows.Int(0, 0);
            return OkStatus();
          });
        },
        /*retry=*/false));
    CW_RETURN_IF_ERROR(done);
    return seq;
  }

  Result<std::vector<InspectionEntry>> After(int64_t seq) override {
    using Entries = std::vector<InspectionEntry>;
    return ModelsMapped(pool_->With<Entries>([&](PgConnection& db) -> Result<Entries> {
      CW_ASSIGN_OR_RETURN(PgRows rows,
                          db.Run("SELECT seq, declaration_id, fraud_found::int,"
                                 " duties_raised::text, inspected_on::text FROM risk_inspections"
                                 " WHERE seq > $1 ORDER BY seq",
                                 PgParams().Int(seq)));
      Entries out;
      for (int i = 0; i < rows.size(); ++i) {
        InspectionEntry entry;
        entry.seq = rows.Int(i, 0);
        entry.result.declaration_id = rows.Text(i, 1);
        entry.result.fraud_found = rows.Int(i, 2) != 0;
        entry.result.duties_raised = std::strtod(rows.Text(i, 3).c_str(), nullptr);
        CW_ASSIGN_OR_RETURN(entry.result.inspected_on, ParseDate(rows.Text(i, 4)));
        out.push_back(std::move(entry));
      }
      return out;
    }));
  }

  Result<int64_t> Last() override {
    return ModelsMapped(MaxOf(*pool_, "SELECT COALESCE(MAX(seq), 0)::bigint"
                                      " FROM risk_inspections"));
  }

 private:
  std::unique_ptr<ConnectionPool> pool_;  // thread-safe itself
};

Result<std::unique_ptr<ConnectionPool>> OpenRiskPool(const std::string& url,
                                                     const std::string& application_name) {
  static const store::postgres::internal::ModuleMigrations kRiskMigrations = {
      "risk_schema_migrations", store::postgres::internal::kRiskMigrationLock, kMigrations,
      "the risk tables"};
  return store::postgres::internal::OpenModulePool(url, application_name, 2, "bad-store-url",
                                                   kRiskMigrations);
}

}  // namespace

Result<std::unique_ptr<ProfileBackend>> OpenPostgresProfileBackend(
    const std::string& url, const std::string& application_name) {
  CW_ASSIGN_OR_RETURN(auto pool, Mapped(OpenRiskPool(url, application_name)));
  return std::unique_ptr<ProfileBackend>(new PostgresProfileBackend(std::move(pool)));
}

Result<std::unique_ptr<ModelRegistry>> OpenPostgresModelRegistry(
    const std::string& url, const std::string& application_name) {
  CW_ASSIGN_OR_RETURN(auto pool, ModelsMapped(OpenRiskPool(url, application_name)));
  return std::unique_ptr<ModelRegistry>(new PostgresModelRegistry(std::move(pool)));
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

Result<std::unique_ptr<InspectionLog>> OpenPostgresInspectionLog(
    const std::string& url, const std::string& application_name) {
  CW_ASSIGN_OR_RETURN(auto pool, ModelsMapped(OpenRiskPool(url, application_name)));
  return std::unique_ptr<InspectionLog>(new PostgresInspectionLog(std::move(pool)));
}

Status CopyInspectionsToPostgres(const std::string& path, PgConnection& target,
                                 store::postgres::CopyReport& report) {
  CW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  CW_ASSIGN_OR_RETURN(std::vector<risk::InspectionResult> results,
                      risk::ParseInspectionResults(text));  // refuses an unreadable file
  CW_ASSIGN_OR_RETURN(PgRows held,
                      ModelsMapped(target.RunOnce("SELECT COUNT(*) FROM risk_inspections")));
  if (held.Int(0, 0) != 0) {
    return Error::FailedPrecondition("target-not-empty",
                                     "the PostgreSQL database already holds inspection results;"
                                     " copy into a new, empty database");
  }
  // The file keeps neither the version inspected nor who recorded it: 0 and "" here.
  int64_t seq = 0;
  for (const risk::InspectionResult& r : results) {
    char duties[32];
    std::snprintf(duties, sizeof duties, "%.2f", r.duties_raised);
    CW_ASSIGN_OR_RETURN(PgRows inserted,
                        ModelsMapped(target.Run(
                            "INSERT INTO risk_inspections (seq, declaration_id, version,"
                            " fraud_found, duties_raised, inspected_on, recorded_by)"
                            " VALUES ($1, $2, 0, $3::boolean, $4::numeric, $5::date, '')",
                            PgParams()
                                .Int(++seq)
                                .Text(r.declaration_id)
                                .Text(r.fraud_found ? "true" : "false")
                                .Text(duties)
                                .Text(FormatDate(r.inspected_on)))));
    static_cast<void>(inserted);
  }
  report.tables.emplace_back("risk_inspections", seq);
  return OkStatus();
}

Status CopyModelsToPostgres(const std::string& dir, PgConnection& target,
                            store::postgres::CopyReport& report) {
  namespace fs = std::filesystem;
  // Every model is loaded (so re-hashed) before anything is written: a tampered model stops
  // the copy.
  std::vector<risk::LoadedModel> models;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "model.json")) continue;
    CW_ASSIGN_OR_RETURN(risk::LoadedModel loaded, risk::LoadModel(entry.path().string()));
    models.push_back(std::move(loaded));
  }
  if (ec) return Error::Unavailable("io-failed", "cannot read " + dir);
  std::sort(models.begin(), models.end(), [](const risk::LoadedModel& a,
                                             const risk::LoadedModel& b) {
    return a.meta.id < b.meta.id;
  });
  std::string current;
  if (fs::exists(fs::path(dir) / "CURRENT")) {
    CW_ASSIGN_OR_RETURN(risk::LoadedModel promoted, risk::LoadModel(dir));
    current = promoted.meta.id;
  }
  CW_ASSIGN_OR_RETURN(PgRows held,
                      ModelsMapped(target.RunOnce("SELECT COUNT(*) FROM risk_models")));
  if (held.Int(0, 0) != 0) {
    return Error::FailedPrecondition("target-not-empty",
                                     "the PostgreSQL database already holds risk models; copy "
                                     "into a new, empty database");
  }
  for (const risk::LoadedModel& m : models) {
    CW_ASSIGN_OR_RETURN(PgRows inserted,
                        ModelsMapped(target.Run(
                            "INSERT INTO risk_models (id, model, meta) VALUES ($1, $2, $3)",
                            PgParams().Text(m.meta.id).Bytes(m.model.bytes()).Text(
                                risk::MetadataToJson(m.meta)))));
    static_cast<void>(inserted);
  }
  report.tables.emplace_back("risk_models", static_cast<int64_t>(models.size()));
  if (!current.empty()) {
    CW_ASSIGN_OR_RETURN(PgRows inserted,
                        ModelsMapped(target.Run("INSERT INTO risk_current_model (generation,"
                                                " model_id) VALUES (1, $1)",
                                                PgParams().Text(current))));
    static_cast<void>(inserted);
    report.tables.emplace_back("risk_current_model", 1);
  }
  return OkStatus();
}

}  // namespace clearway::app
