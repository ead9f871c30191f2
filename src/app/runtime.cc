#include "app/runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app/identity_bootstrap.h"
#include "app/shared_risk.h"
#include "app/store_factory.h"
#include "crypto/crypto.h"
#include "crypto/hmac.h"
#include "identity/in_memory_directory.h"
#include "tariff/caching_tariff_store.h"
#include "tariff/sqlite/sqlite_tariff_store.h"

namespace clearway::app {

namespace {
// How often the server looks for data keys under an older KEK version (after a rotation).
constexpr std::chrono::milliseconds kRewrapInterval = std::chrono::minutes(1);

Status EnsureDirectory(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return OkStatus();
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Error::Unavailable("data-dir", "cannot create data directory " + dir + ": " +
                                              ec.message());
  }
  ::chmod(dir.c_str(), 0700);
  return OkStatus();
}
}  // namespace

Runtime::~Runtime() = default;

Result<std::unique_ptr<Runtime>> Runtime::Open(Config config, LedgerConfig ledger,
                                               std::unique_ptr<Clock> clock) {
  CW_RETURN_IF_ERROR(ValidateConfig(config));
  CW_RETURN_IF_ERROR(ApplyLedgerEnvironment(ledger));
  if (clock == nullptr) clock = std::make_unique<SystemClock>();
  // Issue 5: a KEK in a PKCS#11 token is opened before anything is written, so a missing
  // token, a refused PIN or a token without the KEK leave the data directory as it was.
  std::unique_ptr<keys::KeyProvider> provider;
  if (UsesToken(config.keys)) {
    CW_ASSIGN_OR_RETURN(provider, OpenTokenForStart(config.store, config.keys, *clock));
  }
  if (!IsPostgresStore(config.store)) {
    std::string path = SqlitePathOf(config.store);
    CW_RETURN_IF_ERROR(EnsureDirectory(std::filesystem::path(path).parent_path().string().empty()
                                           ? "."
                                           : std::filesystem::path(path).parent_path().string()));
  }
  // The ledger key lives in the data directory, even when the database file is elsewhere.
  CW_RETURN_IF_ERROR(EnsureDirectory(config.store.data_dir));
  CW_ASSIGN_OR_RETURN(LedgerKey key, LoadOrCreateLedgerKey(config.store.data_dir, ledger.origin));
  // SQLite, or PostgreSQL shared with other nodes: then only the holder of the sequencer
  // lease signs checkpoints (issue 8, docs/store-postgres.md).
  CW_ASSIGN_OR_RETURN(OpenedStore opened,
                      OpenStore(config.store, StoreOpenOptions{"clearway", true}));
  // Issue 5: every record is sealed under its declaration's data key (docs/keys.md). The key
  // file is made on first start, beside a store that holds no data key yet.
  if (provider == nullptr) {
    CW_ASSIGN_OR_RETURN(provider,
                        OpenOrCreateKeyProvider(config.store, config.keys, *clock, *opened.store));
  }
  auto encrypted = std::make_unique<store::EncryptingStore>(std::move(opened.store), *provider,
                                                            store::EncryptingStoreOptions{});
  store::EncryptingStore* encrypting = encrypted.get();
  LedgerServiceOptions ledger_options;
  ledger_options.may_sign = std::move(opened.may_sign);
  ledger_options.checkpoint_interval = ledger.checkpoint_interval;
  ledger_options.checkpoint_batch = ledger.checkpoint_batch;
  CW_ASSIGN_OR_RETURN(ledger_options.witnesses, WitnessKeys(ledger));
  // DATA_DIR/identity.db, or on PostgreSQL the identity tables of the same database, so that
  // every node sharing it knows the same users and accepts the same tokens.
  CW_ASSIGN_OR_RETURN(std::unique_ptr<identity::IdentityStore> directory,
                      OpenIdentityDirectory(config.store, "clearway-identity"));
  const bool demo = config.demo;
  CW_ASSIGN_OR_RETURN(auto runtime, OpenWith(std::move(config), std::move(encrypted),
                                             std::move(clock), std::move(key), ledger_options,
                                             std::move(directory)));
  runtime->key_provider_ = std::move(provider);
  runtime->rewrapper_ = std::make_unique<KeyRewrapper>(*encrypting, kRewrapInterval);
  // Issue 5: retention purges what is due on a schedule; the purge register lives beside the
  // key file unless the configuration names another place.
  if (runtime->config_.retention.register_path.empty()) {
    runtime->config_.retention.register_path =
        PurgeRegisterPathFor(KeyFilePath(runtime->config_.store, runtime->config_.keys));
    CW_RETURN_IF_ERROR(runtime->StartRetention());
  }
  if (runtime->config_.retention.interval.count() > 0) {
    runtime->retention_scheduler_ = std::make_unique<RetentionScheduler>(
        *runtime->retention_,
        std::chrono::duration_cast<std::chrono::milliseconds>(runtime->config_.retention.interval));
  }
  if (!demo) {
    CW_ASSIGN_OR_RETURN(auto users, runtime->directory_->ListUsers(""));
    if (users.empty()) {
      return Error::FailedPrecondition(
          "no-principals",
          "the identity directory has no users: add them with `clearway user add` or as "
          "[[users]] in the configuration (see docs/configuration.md)");
    }
  }
  // The tariff: its own database file beside an SQLite store (issue 6), or the tariff_ tables
  // of a PostgreSQL store's database, shared by every node (quota balances included). Quotes
  // read the measures, groups and rates from memory, rebuilt when an import (from this process
  // or another, on PostgreSQL from any node) moves the tariff's revision; quota state is
  // always read from the store.
  CW_ASSIGN_OR_RETURN(auto tariff, OpenTariffStore(runtime->config_.store, "clearway-tariff"));
  runtime->tariff_ = std::make_unique<tariff::CachingTariffStore>(std::move(tariff));
  runtime->duty_ = std::make_unique<tariff::DutyEngine>(*runtime->tariff_, *runtime->clock_);
  // Issue 7: every filing is assessed (duty quote + risk decision) by the engine built here.
  CW_RETURN_IF_ERROR(runtime->StartAssessment());
  return runtime;
}

Result<std::unique_ptr<Runtime>> Runtime::OpenWith(Config config,
                                                   std::unique_ptr<store::Store> store,
                                                   std::unique_ptr<Clock> clock,
                                                   LedgerKey ledger_key,
                                                   LedgerServiceOptions ledger_options,
                                                   std::unique_ptr<identity::IdentityStore> directory) {
  std::unique_ptr<Runtime> runtime(new Runtime());
  crypto::RandomBytes(runtime->pseudonym_key_);
  runtime->config_ = std::move(config);
  runtime->clock_ = std::move(clock);
  runtime->store_ = std::move(store);
  runtime->directory_ = directory != nullptr
                           ? std::move(directory)
                           : std::make_unique<identity::InMemoryIdentityStore>();
  CW_RETURN_IF_ERROR(
      BootstrapUsers(*runtime->directory_, runtime->config_.users, runtime->clock_->Now()));
  runtime->security_log_ = std::make_unique<SecurityLog>();
  runtime->identity_ = std::make_unique<IdentityService>(
      *runtime->directory_, *runtime->clock_, *runtime->security_log_);
  CW_ASSIGN_OR_RETURN(runtime->ledger_,
                      LedgerService::Open(*runtime->store_, *runtime->clock_,
                                          std::move(ledger_key), ledger_options));
  LedgerService* ledger = runtime->ledger_.get();
  // Security events are journaled to the store's append-only log, each with its ledger leaf.
  runtime->security_log_->SetJournal(
      runtime->store_.get(), [ledger](uint64_t tree_size) { ledger->NoteAppended(tree_size); });
  runtime->declarations_ = std::make_unique<DeclarationService>(
      *runtime->store_, *runtime->clock_,
      [ledger](uint64_t tree_size) { ledger->NoteAppended(tree_size); });
  CW_ASSIGN_OR_RETURN(auto tariff, tariff::sqlite::SqliteTariffStore::Open(":memory:"));
  runtime->tariff_ = std::make_unique<tariff::CachingTariffStore>(std::move(tariff));
  runtime->duty_ = std::make_unique<tariff::DutyEngine>(*runtime->tariff_, *runtime->clock_);
  CW_RETURN_IF_ERROR(runtime->StartRetention());
  return runtime;
}

Status Runtime::StartRetention() {
  retention_scheduler_.reset();
  if (!config_.retention.register_path.empty()) {
    purge_register_ = std::make_unique<PurgeRegister>(config_.retention.register_path);
  }
  LedgerService* ledger = ledger_.get();
  retention_ = std::make_unique<RetentionService>(
      *store_, directory_.get(), *clock_, config_.retention,
      [ledger](uint64_t tree_size) { ledger->NoteAppended(tree_size); }, purge_register_.get());
  return OkStatus();
}

Status Runtime::StartAssessment() {
  // On PostgreSQL the risk profiles, the model registry and the inspection results are shared
  // by every node (app/shared_risk.h).
  std::unique_ptr<ProfileStore> profiles;
  std::unique_ptr<ModelRegistry> models;
  std::unique_ptr<InspectionLog> inspections;
  if (IsPostgresStore(config_.store)) {
    const std::string name = "clearway-risk-" + std::to_string(::getpid());
    CW_ASSIGN_OR_RETURN(auto backend, OpenPostgresProfileBackend(config_.store.url, name));
    CW_ASSIGN_OR_RETURN(profiles, ProfileStore::Open(std::move(backend)));
    CW_ASSIGN_OR_RETURN(models, OpenPostgresModelRegistry(config_.store.url, name));
    CW_ASSIGN_OR_RETURN(inspections, OpenPostgresInspectionLog(config_.store.url, name));
  }
  CW_ASSIGN_OR_RETURN(risk_, RiskService::Open(config_.risk, config_.store.data_dir, *store_,
                                               *tariff_, *clock_, std::move(profiles),
                                               std::move(models), std::move(inspections)));
  assessor_ = std::make_unique<Assessor>(*duty_, *risk_, *store_);
  declarations_->SetAssessor(assessor_.get());
  return OkStatus();
}

Pseudonymiser Runtime::pseudonymiser() {
  return [this](std::string_view value) -> std::string {
    if (value.empty()) return std::string();
    if (key_provider_ != nullptr) {
      auto index = key_provider_->BlindIndex("party-pseudonym", value);
      // Only a malformed purpose or an empty value fail, and neither can happen here; fail
      // closed anyway: a pseudonym that cannot be made shows nothing.
      return index.ok() ? "p-" + *index : std::string("p-unavailable");
    }
    const crypto::HmacSha256Tag tag = crypto::HmacSha256(
        std::span<const uint8_t>(pseudonym_key_),
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
    return "p-" + crypto::ToHex(std::span<const uint8_t>(tag.data(), 16));
  };
}

}  // namespace clearway::app
