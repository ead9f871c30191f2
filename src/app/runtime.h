// File: app/runtime.h
//
// The composition root: from a Config it opens the store, builds the clock, opens the
// identity directory (adding the configured bootstrap users), loads (or makes) the ledger key, starts the ledger's
// checkpointer and builds the domain services, and owns them all. Edges (the HTTPS api, the
// CLI) take a Runtime& and never build domain objects themselves.
//
//   CW_ASSIGN_OR_RETURN(auto runtime, app::Runtime::Open(config, ledger_config));
//   runtime->declarations().File(...);
//   runtime->ledger().LatestCheckpoint();
//
// Thread safety: the services it hands out are thread-safe; Runtime itself is immutable after
// Open().
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "app/assessment.h"
#include "app/config.h"
#include "app/data_views.h"
#include "app/declaration_service.h"
#include "app/identity_service.h"
#include "app/ledger_config.h"
#include "app/ledger_key.h"
#include "app/ledger_service.h"
#include "app/purge_register.h"
#include "app/retention.h"
#include "app/risk_service.h"
#include "app/security_log.h"
#include "common/time.h"
#include "identity/directory.h"
#include "identity/identity.h"
#include "app/encryption.h"
#include "keys/key_provider.h"
#include "store/store.h"
#include "tariff/tariff.h"

namespace clearway::app {

class Runtime {
 public:
  // Open() validates the config, creates the data directory (0700) if needed, opens the
  // embedded store (applying migrations), loads DATA_DIR/ledger-key (made on first start) and
  // starts the ledger with `ledger` overridden by the environment (ApplyLedgerEnvironment()).
  // Errors from ValidateConfig, ValidateLedgerConfig, the store, LoadOrCreateLedgerKey() and
  // LedgerService::Open().
  // `clock` replaces the system clock (tests that move time, e.g. across retention periods).
  static Result<std::unique_ptr<Runtime>> Open(Config config, LedgerConfig ledger = {},
                                               std::unique_ptr<Clock> clock = nullptr);

  // OpenWith() wires a runtime around a store, clock and ledger key the caller made (tests).
  // `ledger_options` defaults to no background checkpointer: tests issue checkpoints with
  // ledger().IssueCheckpoint(). Errors of LedgerService::Open().
  // `directory` defaults to an empty in-memory identity directory; config.users are added to
  // it (BootstrapUsers()).
  static Result<std::unique_ptr<Runtime>> OpenWith(
      Config config, std::unique_ptr<store::Store> store, std::unique_ptr<Clock> clock,
      LedgerKey ledger_key, LedgerServiceOptions ledger_options = {std::chrono::milliseconds(0)},
      std::unique_ptr<identity::IdentityStore> directory = nullptr);

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  const Config& config() const { return config_; }
  const Clock& clock() const { return *clock_; }
  store::Store& store() { return *store_; }
  // The identity directory (DATA_DIR/identity.db), sign-in and sessions, security events.
  identity::IdentityStore& directory() { return *directory_; }
  IdentityService& identity() { return *identity_; }
  SecurityLog& security_log() { return *security_log_; }
  DeclarationService& declarations() { return *declarations_; }
  LedgerService& ledger() { return *ledger_; }
  // The tariff (DATA_DIR/tariff.db, or the tariff_ tables of a PostgreSQL store; in memory and
  // empty for OpenWith()) and its duty engine.
  tariff::TariffStore& tariff() { return *tariff_; }
  const tariff::DutyEngine& duty() const { return *duty_; }
  // The risk engine (issue 7), nullptr until StartAssessment(). StartAssessment() builds it
  // from config().risk and DATA_DIR and has every lodged version assessed (app/assessment.h);
  // Open() calls it, tests on OpenWith() call it when they want filings assessed. Call it
  // once, before the runtime is shared.
  RiskService* risk() { return risk_.get(); }
  // The background re-wrapper of data keys after a KEK rotation (app/encryption.h); nullptr
  // for OpenWith() runtimes.
  KeyRewrapper* rewrapper() { return rewrapper_.get(); }
  // Retention: legal holds, plan and run (app/retention.h). The purge register is
  // config().retention.register_path, or for Open() the one beside the key file; Open() also
  // starts the scheduled run (retention_scheduler(), nullptr when the interval is 0).
  RetentionService& retention() { return *retention_; }
  RetentionScheduler* retention_scheduler() { return retention_scheduler_.get(); }
  Status StartAssessment();
  // StartRetention() (re)builds the retention service from config().retention; OpenWith() and
  // Open() call it.
  Status StartRetention();

  // The pseudonyms of the data views (app/data_views.h): the key provider's blind index under
  // the purpose "party-pseudonym", "p-" + 32 hex characters, stable for the life of the key
  // file and unrelated to the invoice and container indexes. An OpenWith() runtime has no key
  // provider: it keys an HMAC-SHA256 with random bytes made at start (stable for its life).
  Pseudonymiser pseudonymiser();

 private:
  Runtime() = default;

  Config config_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<keys::KeyProvider> key_provider_;  // Open(): after clock_, before store_
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::IdentityStore> directory_;
  std::unique_ptr<SecurityLog> security_log_;
  std::unique_ptr<IdentityService> identity_;  // after directory_ and security_log_
  std::unique_ptr<LedgerService> ledger_;               // before declarations_, which calls it
  std::unique_ptr<DeclarationService> declarations_;
  std::unique_ptr<tariff::TariffStore> tariff_;
  std::unique_ptr<tariff::DutyEngine> duty_;  // after tariff_, which it reads
  std::unique_ptr<RiskService> risk_;         // after store_ and tariff_, which it reads
  std::unique_ptr<Assessor> assessor_;        // after duty_ and risk_; declarations_ calls it
  std::unique_ptr<KeyRewrapper> rewrapper_;   // Open(): last, so it stops first
  std::array<uint8_t, 32> pseudonym_key_{};   // OpenWith(): random; used without key_provider_
  std::unique_ptr<PurgeRegister> purge_register_;
  std::unique_ptr<RetentionService> retention_;             // after store_ and directory_
  std::unique_ptr<RetentionScheduler> retention_scheduler_;  // stops before retention_
};

}  // namespace clearway::app
