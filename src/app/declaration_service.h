// File: app/declaration_service.h
//
// The use cases of a declaration's life, each one unit of work on the store: file, amend,
// submit a draft, invalidate, and the officers' decisions (route, release, hold, seize,
// reject). Every call takes the Principal making it, checks identity::Policy, validates with
// the declaration module, writes the new version or status plus its transition record (actor,
// time, reason) atomically, and only then answers.
//
// Idempotency: a caller may pass an IdempotencyContext; the rendered first response is stored
// in the same unit of work, so a retry with the same key replays it and files nothing twice,
// even when the two requests race.
//
// Ledger: every version and transition is sealed into the same unit of work as its leaf
// (store::SealUnit), so the store appends the leaves with the records or not at all.
//
//   app::DeclarationService service(store, clock);
//   auto outcome = service.File(principal, body, /*draft=*/false, &idem, render);
//
// Thread-safe: holds no mutable state of its own; concurrent changes to one declaration are
// serialised by the store's compare-and-set (the loser gets kAborted "concurrent-change").
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "declaration/declaration.h"
#include "identity/identity.h"
#include "store/store.h"

namespace clearway::app {

// A declaration as stored: its current (or requested) version and its transitions.
struct DeclarationRecord {
  store::DeclarationRow row;
  std::vector<store::TransitionRow> transitions;
};

// The response a route renders for a record; stored for idempotent replays.
struct StoredResponse {
  int status_code = 200;
  std::string body;
  std::string resource_id;
};
using Renderer = std::function<StoredResponse(const DeclarationRecord&)>;

struct IdempotencyContext {
  std::string key;            // the Idempotency-Key header (1..255 printable characters)
  std::string request_hash;   // hex SHA-256 over method, path and canonical body
};

struct Outcome {
  StoredResponse response;
  bool replayed = false;      // true when this is the stored answer to an earlier request
};

// Filters a caller may ask for when listing; the Policy narrows them further.
struct ListQuery {
  std::string status;
  std::string type;
  std::string channel;
  std::string office;
  std::optional<Timestamp> created_from;
  std::optional<Timestamp> created_to;
};

class DeclarationService {
 public:
  // `on_appended`, when set, is called after every commit with the log's new size (the ledger's
  // checkpointer listens); it must be cheap and thread-safe.
  DeclarationService(store::Store& store, const Clock& clock,
                     std::function<void(uint64_t tree_size)> on_appended = {});

  // File() validates `body` and stores version 1 as accepted (submitted -> accepted), or as a
  // draft when `draft`. Errors: kInvalidArgument "validation-failed" with every problem in
  // details; kPermissionDenied "forbidden" when the principal may not file for the
  // declarant's organisation; kFailedPrecondition "idempotency-key-reused" when the key was
  // used for a different request.
  Result<Outcome> File(const identity::Principal& principal, const boost::json::value& body,
                       bool draft, const IdempotencyContext* idempotency,
                       const Renderer& render);

  // Amend() replaces the declaration with a new version (status unchanged). `if_match` is the
  // version the caller amended, when it says (If-Match); a stale one is kAborted
  // "version-mismatch". kFailedPrecondition "illegal-transition" after release and in final
  // states; "organisation-change" if the declarant organisation would change.
  Result<Outcome> Amend(const identity::Principal& principal, const std::string& id,
                        const boost::json::value& body, std::optional<int64_t> if_match,
                        const IdempotencyContext* idempotency, const Renderer& render);

  // Act() applies a lifecycle action: kSubmit (a draft; the system then accepts it),
  // kInvalidate (declarant), kRouteGreen/kRouteYellow/kRouteRed, kRelease, kHold, kSeize,
  // kReject (officer of the declaration's office). `reason` is required for invalidate, hold,
  // seize and reject (kInvalidArgument "reason-required"). Errors as Amend, plus
  // kPermissionDenied "forbidden".
  Result<Outcome> Act(const identity::Principal& principal, const std::string& id,
                      declaration::Action action, const std::string& reason,
                      const IdempotencyContext* idempotency, const Renderer& render);

  // Get() returns the latest (or the given) version with its transitions.
  // kNotFound "declaration-not-found", kPermissionDenied "forbidden".
  Result<DeclarationRecord> Get(const identity::Principal& principal, const std::string& id,
                                std::optional<int64_t> version);

  // Versions() lists every version (oldest first) the principal may read.
  Result<std::vector<store::DeclarationRow>> Versions(const identity::Principal& principal,
                                                      const std::string& id);

  // List() pages through the declarations the principal may see, newest first.
  Result<store::DeclarationPage> List(const identity::Principal& principal,
                                      const ListQuery& query, const store::PageRequest& page);

 private:
  Result<std::optional<Outcome>> Replay(const identity::Principal& principal,
                                        const IdempotencyContext* idempotency);
  Result<Outcome> CommitAndRender(const identity::Principal& principal, store::UnitOfWork work,
                                  DeclarationRecord record, const IdempotencyContext* idempotency,
                                  const Renderer& render);
  Result<DeclarationRecord> Load(const std::string& id);
  std::string NewId() const;

  store::Store& store_;
  const Clock& clock_;
  const std::function<void(uint64_t)> on_appended_;
};

}  // namespace clearway::app
