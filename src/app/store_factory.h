// File: app/store_factory.h
//
// Opens the store a StoreConfig names: the embedded SQLite file (DATA_DIR/clearway.db or
// sqlite:PATH) or a PostgreSQL database (postgres://…, with an optional read replica), and on
// PostgreSQL the sequencer lease that decides which of several nodes sharing the database
// signs the ledger's checkpoints (store/postgres/sequencer_lease.h, docs/store-postgres.md).
// Also opens the identity directory and the tariff that go with it: DATA_DIR/identity.db and
// DATA_DIR/tariff.db beside an SQLite store, the identity_ and tariff_ tables of the same
// database beside a PostgreSQL one (shared by every node on it).
//
//   CW_ASSIGN_OR_RETURN(app::OpenedStore opened, app::OpenStore(config.store, {}));
//   ledger_options.may_sign = opened.may_sign;      // empty: always (one node)
//
// Thread safety: the functions are thread-safe; what they return is documented by its type.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/config.h"
#include "common/result.h"
#include "identity/directory.h"
#include "store/store.h"
#include "tariff/tariff_store.h"

namespace clearway::app {

struct StoreOpenOptions {
  // Shown to PostgreSQL operators (pg_stat_activity.application_name); the process id is
  // appended, so that each node's sessions can be told apart.
  std::string application_name = "clearway";
  // Start the sequencer lease (serving nodes); command-line tools do not sign.
  bool sequencer_lease = false;
};

struct OpenedStore {
  std::unique_ptr<store::Store> store;
  // Whether this node may sign checkpoints now: empty on SQLite (one node), on PostgreSQL true
  // while this node holds the sequencer lease (it owns the lease).
  std::function<bool()> may_sign;
};

// OpenStore() opens (and migrates) the configured store. Errors: ValidateStoreConfig()'s;
// those of SqliteStore::Open(), PostgresStore::Open() and SequencerLease::Start().
// The SQLite file's directory must exist (Runtime::Open() creates it).
Result<OpenedStore> OpenStore(const StoreConfig& config, const StoreOpenOptions& options);

// OpenIdentityDirectory() opens (and migrates) the identity directory of `config`: on
// PostgreSQL the identity tables of the store's database (shared by every node on it), else
// DATA_DIR/identity.db (the data directory must exist). `application_name` is shown to
// PostgreSQL operators, with the process id appended. Errors: ValidateStoreConfig()'s, those of
// PostgresIdentityStore::Open() and SqliteIdentityStore::Open().
Result<std::unique_ptr<identity::IdentityStore>> OpenIdentityDirectory(
    const StoreConfig& config, const std::string& application_name);

// OpenTariffStore() opens (and migrates) the tariff of `config`: on PostgreSQL the tariff
// tables of the store's database (one tariff and one balance per quota for every node), else
// DATA_DIR/tariff.db (the data directory must exist). Errors: ValidateStoreConfig()'s, those of
// PostgresTariffStore::Open() and SqliteTariffStore::Open().
Result<std::unique_ptr<tariff::TariffStore>> OpenTariffStore(const StoreConfig& config,
                                                             const std::string& application_name);

// DescribeStore() names the store for banners and logs: the SQLite path, or the PostgreSQL
// URL with any password replaced by "***" (and its replica, likewise).
std::string DescribeStore(const StoreConfig& config);

}  // namespace clearway::app
