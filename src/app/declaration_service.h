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
// Assessment (app/assessment.h): with an assessor set, every lodged version (filed, amended,
// or a submitted draft) gets its duty quote and risk decision in the same unit of work, and
// an accepted declaration is routed by the engine's channel at once (a "system" transition
// whose reason names the lane and its cause): green releases, yellow and red put it under
// control. An officer routing to another channel than the engine's must give a reason, and
// the transition's reason names the engine's channel it overrides.
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

#include "app/assessment.h"
#include "common/result.h"
#include "common/time.h"
#include "declaration/declaration.h"
#include "identity/identity.h"
#include "store/store.h"

namespace clearway::app {

// A declaration as stored: its current (or requested) version, its transitions and the
// assessment of that version (none for drafts, and for versions filed without an assessor).
struct DeclarationRecord {
  store::DeclarationRow row;
  std::vector<store::TransitionRow> transitions;
  std::optional<store::AssessmentRow> assessment;
};

// What GetAssessment() found: the assessment, the declaration's latest version, and how much
// of the assessment the caller may see.
struct AssessmentAccess {
  store::AssessmentRow assessment;
  store::DeclarationRow declaration;
  AssessmentView view = AssessmentView::kTrader;
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
  // Exact look-ups on sensitive values, answered through blind indexes (never plaintext).
  std::string invoice_number;
  std::string container;
};

class DeclarationService {
 public:
  // `on_appended`, when set, is called after every commit with the log's new size (the ledger's
  // checkpointer listens); it must be cheap and thread-safe.
  DeclarationService(store::Store& store, const Clock& clock,
                     std::function<void(uint64_t tree_size)> on_appended = {});

  // SetAssessor() makes every lodged version assessed (see the file comment); call it once,
  // before the service is shared. Without one (the default) filings are not assessed and
  // stay accepted for officers to route. The assessor must outlive the service.
  void SetAssessor(FilingAssessor* assessor) { assessor_ = assessor; }

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

  // Act() applies a lifecycle action: kSubmit (a draft; the system then accepts it, and with
  // an assessor assesses and routes it), kInvalidate (declarant), kRouteGreen/kRouteYellow/
  // kRouteRed, kRelease, kHold, kSeize, kReject (officer of the declaration's office).
  // `reason` is required for invalidate, hold, seize and reject (kInvalidArgument
  // "reason-required"), and for a route to another channel than the risk engine chose for the
  // current version (kInvalidArgument "override-reason-required"). Errors as Amend, plus
  // kPermissionDenied "forbidden".
  Result<Outcome> Act(const identity::Principal& principal, const std::string& id,
                      declaration::Action action, const std::string& reason,
                      const IdempotencyContext* idempotency, const Renderer& render);

  // Get() returns the latest (or the given) version with its transitions and assessment.
  // kNotFound "declaration-not-found", kPermissionDenied "forbidden".
  Result<DeclarationRecord> Get(const identity::Principal& principal, const std::string& id,
                                std::optional<int64_t> version);

  // GetAssessment() returns the assessment of the latest (or the given) version and what the
  // principal may see of it (AssessmentViewFor()). kNotFound "declaration-not-found",
  // "version-not-found", "assessment-not-found" (a draft, or a version filed without an
  // assessor); kPermissionDenied "forbidden".
  Result<AssessmentAccess> GetAssessment(const identity::Principal& principal,
                                         const std::string& id, std::optional<int64_t> version);

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
                                  const Renderer& render,
                                  const FilingAssessment* assessed = nullptr);
  Result<DeclarationRecord> Load(const std::string& id);
  // AssessAndRoute() assesses the record's version and, when the assessor says so, appends
  // the system's routing transition to `record`.
  Result<FilingAssessment> AssessAndRoute(const declaration::Declaration& declaration,
                                          DeclarationRecord& record, Timestamp now);
  std::string NewId() const;

  store::Store& store_;
  const Clock& clock_;
  const std::function<void(uint64_t)> on_appended_;
  FilingAssessor* assessor_ = nullptr;
};

}  // namespace clearway::app
