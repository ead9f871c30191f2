#include "app/store_factory.h"

#include <unistd.h>

#include <utility>

#include "identity/postgres/postgres_identity_store.h"
#include "identity/sqlite/sqlite_identity_store.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/sequencer_lease.h"
#include "store/postgres/url.h"
#include "store/sqlite/sqlite_store.h"
#include "tariff/postgres/postgres_tariff_store.h"
#include "tariff/sqlite/sqlite_tariff_store.h"

namespace clearway::app {

Result<OpenedStore> OpenStore(const StoreConfig& config, const StoreOpenOptions& options) {
  CW_RETURN_IF_ERROR(ValidateStoreConfig(config));
  OpenedStore opened;
  if (!IsPostgresStore(config)) {
    store::sqlite::SqliteOptions sqlite;
    sqlite.path = SqlitePathOf(config);
    CW_ASSIGN_OR_RETURN(opened.store, store::sqlite::SqliteStore::Open(sqlite));
    return opened;
  }
  const std::string name = options.application_name + "-" + std::to_string(::getpid());
  store::postgres::PostgresOptions postgres;
  postgres.url = config.url;
  postgres.read_replica_url = config.read_replica;
  postgres.application_name = name;
  CW_ASSIGN_OR_RETURN(opened.store, store::postgres::PostgresStore::Open(postgres));
  if (options.sequencer_lease) {
    store::postgres::SequencerLeaseOptions lease_options;
    lease_options.url = config.url;
    lease_options.application_name = name + "-lease";
    CW_ASSIGN_OR_RETURN(std::unique_ptr<store::postgres::SequencerLease> lease,
                        store::postgres::SequencerLease::Start(lease_options));
    // The check owns the lease: it lives as long as whoever asks (the ledger service).
    std::shared_ptr<store::postgres::SequencerLease> shared(std::move(lease));
    opened.may_sign = [shared] { return shared->Held(); };
  }
  return opened;
}

Result<std::unique_ptr<identity::IdentityStore>> OpenIdentityDirectory(
    const StoreConfig& config, const std::string& application_name) {
  CW_RETURN_IF_ERROR(ValidateStoreConfig(config));
  if (!IsPostgresStore(config)) {
    CW_ASSIGN_OR_RETURN(auto directory, identity::sqlite::SqliteIdentityStore::Open(
                                            config.data_dir + "/identity.db"));
    return std::unique_ptr<identity::IdentityStore>(std::move(directory));
  }
  identity::postgres::PostgresIdentityOptions options;
  options.url = config.url;
  options.application_name = application_name + "-" + std::to_string(::getpid());
  CW_ASSIGN_OR_RETURN(auto directory, identity::postgres::PostgresIdentityStore::Open(options));
  return std::unique_ptr<identity::IdentityStore>(std::move(directory));
}

Result<std::unique_ptr<tariff::TariffStore>> OpenTariffStore(const StoreConfig& config,
                                                             const std::string& application_name) {
  CW_RETURN_IF_ERROR(ValidateStoreConfig(config));
  if (!IsPostgresStore(config)) {
    CW_ASSIGN_OR_RETURN(auto tariff,
                        tariff::sqlite::SqliteTariffStore::Open(config.data_dir + "/tariff.db"));
    return std::unique_ptr<tariff::TariffStore>(std::move(tariff));
  }
  tariff::postgres::PostgresTariffOptions options;
  options.url = config.url;
  options.application_name = application_name + "-" + std::to_string(::getpid());
  CW_ASSIGN_OR_RETURN(auto tariff, tariff::postgres::PostgresTariffStore::Open(options));
  return std::unique_ptr<tariff::TariffStore>(std::move(tariff));
}

std::string DescribeStore(const StoreConfig& config) {
  if (!IsPostgresStore(config)) return SqlitePathOf(config);
  std::string text = store::postgres::RedactUrl(config.url);
  if (!config.read_replica.empty()) {
    text += " (read replica " + store::postgres::RedactUrl(config.read_replica) + ")";
  }
  return text;
}

}  // namespace clearway::app
