// File: app/runtime.h
//
// The composition root: from a Config it opens the store, builds the clock, the user
// directory and authenticator, loads (or makes) the ledger key, starts the ledger's
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

#include <memory>

#include "app/config.h"
#include "app/declaration_service.h"
#include "app/ledger_config.h"
#include "app/ledger_key.h"
#include "app/ledger_service.h"
#include "common/time.h"
#include "identity/identity.h"
#include "store/store.h"

namespace clearway::app {

class Runtime {
 public:
  // Open() validates the config, creates the data directory (0700) if needed, opens the
  // embedded store (applying migrations), loads DATA_DIR/ledger-key (made on first start) and
  // starts the ledger with `ledger` overridden by the environment (ApplyLedgerEnvironment()).
  // Errors from ValidateConfig, ValidateLedgerConfig, the store, LoadOrCreateLedgerKey() and
  // LedgerService::Open().
  static Result<std::unique_ptr<Runtime>> Open(Config config, LedgerConfig ledger = {});

  // OpenWith() wires a runtime around a store, clock and ledger key the caller made (tests).
  // `ledger_options` defaults to no background checkpointer: tests issue checkpoints with
  // ledger().IssueCheckpoint(). Errors of LedgerService::Open().
  static Result<std::unique_ptr<Runtime>> OpenWith(
      Config config, std::unique_ptr<store::Store> store, std::unique_ptr<Clock> clock,
      LedgerKey ledger_key, LedgerServiceOptions ledger_options = {std::chrono::milliseconds(0)});

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  const Config& config() const { return config_; }
  const Clock& clock() const { return *clock_; }
  store::Store& store() { return *store_; }
  identity::Authenticator& authenticator() { return *authenticator_; }
  DeclarationService& declarations() { return *declarations_; }
  LedgerService& ledger() { return *ledger_; }

 private:
  Runtime() = default;

  Config config_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::StaticUserDirectory> users_;
  std::unique_ptr<identity::Authenticator> authenticator_;
  std::unique_ptr<LedgerService> ledger_;               // before declarations_, which calls it
  std::unique_ptr<DeclarationService> declarations_;
};

}  // namespace clearway::app
