// File: app/runtime.h
//
// The composition root: from a Config it opens the store, builds the clock, the user
// directory and authenticator, and the domain services, and owns them all. Edges (the HTTPS
// api, the CLI) take a Runtime& and never build domain objects themselves.
//
//   CW_ASSIGN_OR_RETURN(auto runtime, app::Runtime::Open(config));
//   runtime->declarations().File(...);
//
// Thread safety: the services it hands out are thread-safe; Runtime itself is immutable after
// Open().
#pragma once

#include <memory>

#include "app/config.h"
#include "app/declaration_service.h"
#include "common/time.h"
#include "identity/identity.h"
#include "store/store.h"

namespace clearway::app {

class Runtime {
 public:
  // Open() validates the config, creates the data directory (0700) if needed and opens the
  // embedded store (applying migrations). Errors from ValidateConfig and the store.
  static Result<std::unique_ptr<Runtime>> Open(Config config);

  // OpenWith() wires a runtime around a store and clock the caller made (tests).
  static std::unique_ptr<Runtime> OpenWith(Config config, std::unique_ptr<store::Store> store,
                                           std::unique_ptr<Clock> clock);

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  const Config& config() const { return config_; }
  const Clock& clock() const { return *clock_; }
  store::Store& store() { return *store_; }
  identity::Authenticator& authenticator() { return *authenticator_; }
  DeclarationService& declarations() { return *declarations_; }

 private:
  Runtime() = default;

  Config config_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::StaticUserDirectory> users_;
  std::unique_ptr<identity::Authenticator> authenticator_;
  std::unique_ptr<DeclarationService> declarations_;
};

}  // namespace clearway::app
