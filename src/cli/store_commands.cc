#include "cli/store_commands.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "app/config.h"
#include "app/store_factory.h"
#include "crypto/crypto.h"
#include "identity/postgres/postgres_identity_store.h"
#include "app/shared_risk.h"
#include "cli/output.h"
#include "identity/postgres/sqlite_import.h"
#include "tariff/postgres/postgres_tariff_store.h"
#include "tariff/postgres/sqlite_import.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/sqlite_import.h"
#include "store/sqlite/sqlite_store.h"

namespace clearway::cli {

namespace {

int Fail(const Error& error) {
  std::cerr << "clearway: " << error.ToString() << "\n";
  return 1;
}

Result<app::StoreConfig> ConfigOf(const StoreFlags& flags) {
  return StoreConfigOfFlags(flags.data_dir, flags.url);
}

Result<app::OpenedStore> OpenStore(const StoreFlags& flags) {
  CW_ASSIGN_OR_RETURN(app::StoreConfig config, ConfigOf(flags));
  return app::OpenStore(config, app::StoreOpenOptions{"clearway-cli", false});
}

}  // namespace

int StoreMigrate(const StoreFlags& flags) {
  auto config = ConfigOf(flags);
  if (!config.ok()) return Fail(config.error());
  auto store = app::OpenStore(*config, app::StoreOpenOptions{"clearway-cli", false});
  if (!store.ok()) return Fail(store.error());
  const int64_t version = app::IsPostgresStore(*config)
                              ? store::postgres::PostgresStore::SchemaVersion()
                              : store::sqlite::SqliteStore::SchemaVersion();
  std::cout << "schema is current (version " << version << ") in " << app::DescribeStore(*config)
            << "\n";
  if (app::IsPostgresStore(*config)) {
    // The identity directory's tables live in the same database (identity/postgres).
    auto directory = app::OpenIdentityDirectory(*config, "clearway-cli");
    if (!directory.ok()) return Fail(directory.error());
    std::cout << "identity schema is current (version "
              << identity::postgres::PostgresIdentityStore::SchemaVersion() << ")\n";
  }
  return 0;
}

int StoreStats(const StoreFlags& flags) {
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(store.error());
  auto count = store->store->CountDeclarations();
  if (!count.ok()) return Fail(count.error());
  std::cout << "declarations: " << *count << "\n";
  return 0;
}

int StoreCopy(const StoreCopyFlags& flags) {
  if (flags.from.rfind("sqlite:", 0) != 0 || flags.from.size() == 7) {
    return Fail(Error::InvalidArgument("--from", "unsupported-store",
                                       "--from must be sqlite:PATH (the store to copy)"));
  }
  app::StoreConfig target;
  target.url = flags.to;
  if (!app::IsPostgresStore(target)) {
    return Fail(Error::InvalidArgument("--to", "unsupported-store",
                                       "--to must be postgres://USER@HOST:PORT/DB"));
  }
  app::StoreConfig source;
  source.url = flags.from;
  const std::string path = app::SqlitePathOf(source);
  if (!std::filesystem::is_regular_file(path)) {
    return Fail(Error::NotFound("store-not-found", "no SQLite store at " + path));
  }
  // Opening each store brings it to this build's schema (the SQLite one enters records older
  // than the ledger into it) before a row is copied.
  for (const app::StoreConfig* config : {&source, &target}) {
    auto opened = app::OpenStore(*config, app::StoreOpenOptions{"clearway-store-copy", false});
    if (!opened.ok()) return Fail(opened.error());
  }
  // The identity directory beside the store file (DATA_DIR/identity.db), when there is one,
  // goes in the same transaction; both directories are migrated first, likewise.
  const std::string parent = std::filesystem::path(path).parent_path().string();
  source.data_dir = parent.empty() ? "." : parent;
  const std::string identity_path = source.data_dir + "/identity.db";
  const bool has_identity = std::filesystem::is_regular_file(identity_path);
  if (has_identity) {
    for (const app::StoreConfig* config : {&source, &target}) {
      auto opened = app::OpenIdentityDirectory(*config, "clearway-store-copy");
      if (!opened.ok()) return Fail(opened.error());
    }
  }
  // The node's tariff (DATA_DIR/tariff.db) likewise: the target's tariff tables are made first.
  const std::string tariff_path = source.data_dir + "/tariff.db";
  const bool has_tariff = std::filesystem::is_regular_file(tariff_path);
  if (has_tariff) {
    auto opened = app::OpenTariffStore(target, "clearway-store-copy");
    if (!opened.ok()) return Fail(opened.error());
  }
  // And the risk profiles (DATA_DIR/risk/profiles.json) become the shared document.
  const std::string profiles_path = source.data_dir + "/risk/profiles.json";
  const bool has_profiles = std::filesystem::is_regular_file(profiles_path);
  // The model registry (DATA_DIR/models: the models and CURRENT) becomes the shared one.
  const std::string models_path = source.data_dir + "/models";
  const bool has_models = std::filesystem::is_directory(models_path);
  // And the inspection results (DATA_DIR/risk/inspections.csv) the shared ones.
  const std::string inspections_path = source.data_dir + "/risk/inspections.csv";
  const bool has_inspections = std::filesystem::is_regular_file(inspections_path);
  if (has_profiles || has_models || has_inspections) {
    auto opened = app::OpenPostgresProfileBackend(target.url, "clearway-store-copy");
    if (!opened.ok()) return Fail(opened.error());
  }
  store::postgres::CopyStep copy_beside = [&](store::postgres::internal::PgConnection& db,
                                              store::postgres::CopyReport& copied) -> Status {
    if (has_identity) {
      CW_RETURN_IF_ERROR(identity::postgres::CopyIdentityFromSqlite(identity_path, db, copied));
    }
    if (has_tariff) {
      CW_RETURN_IF_ERROR(tariff::postgres::CopyTariffFromSqlite(tariff_path, db, copied));
    }
    if (has_profiles) CW_RETURN_IF_ERROR(app::CopyProfilesToPostgres(profiles_path, db, copied));
    if (has_models) CW_RETURN_IF_ERROR(app::CopyModelsToPostgres(models_path, db, copied));
    if (has_inspections) {
      CW_RETURN_IF_ERROR(app::CopyInspectionsToPostgres(inspections_path, db, copied));
    }
    return OkStatus();
  };
  auto report = store::postgres::CopySqliteToPostgres(path, flags.to, copy_beside);
  if (!report.ok()) return Fail(report.error());
  for (const auto& [table, rows] : report->tables) {
    std::cout << "  " << table << std::string(22 - std::min<size_t>(21, table.size()), ' ') << rows
              << "\n";
  }
  std::cout << "copied " << path << " to " << app::DescribeStore(target) << ": "
            << report->leaves << " ledger leaves";
  if (report->checkpoint_size > 0) {
    std::cout << ", latest checkpoint " << report->checkpoint_size << " checked against the tree";
  }
  if (has_identity) {
    std::cout << "\nand the identity directory " << identity_path;
  } else {
    std::cout << "\nno identity directory at " << identity_path << ": none copied";
  }
  if (has_tariff) {
    std::cout << "\nand the tariff " << tariff_path;
  } else {
    std::cout << "\nno tariff at " << tariff_path << ": none copied";
  }
  if (has_profiles) std::cout << "\nand the risk profiles " << profiles_path;
  if (has_models) std::cout << "\nand the model registry " << models_path;
  if (has_inspections) std::cout << "\nand the inspection results " << inspections_path;
  std::cout << "\nnow run: clearway ledger verify --full --data-dir DATA_DIR --store "
            << app::DescribeStore(target) << "\n";
  return 0;
}

int HashPassword() {
  if (isatty(STDIN_FILENO)) std::cerr << "password: " << std::flush;
  std::string password;
  std::getline(std::cin, password);
  if (password.size() < 12) {
    std::cerr << "clearway: use at least 12 characters\n";
    return 1;
  }
  auto hash = crypto::HashPassword(password);
  if (!hash.ok()) {
    std::cerr << "clearway: " << hash.error().ToString() << "\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

}  // namespace clearway::cli
