#include "app/declaration_service.h"

#include <array>

#include "common/ids.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "risk/engine.h"
#include "store/encrypting_store.h"
#include "store/ledger_records.h"

namespace clearway::app {

namespace decl = clearway::declaration;
using identity::Policy;
using identity::Principal;

namespace {

identity::DeclarationScope ScopeOf(const store::DeclarationRow& row) {
  return {row.organisation_id, row.office};
}

bool NeedsReason(decl::Action action) {
  return action == decl::Action::kInvalidate || action == decl::Action::kHold ||
         action == decl::Action::kSeize || action == decl::Action::kReject;
}

bool IsOfficerAction(decl::Action action) {
  switch (action) {
    case decl::Action::kRouteGreen:
    case decl::Action::kRouteYellow:
    case decl::Action::kRouteRed:
    case decl::Action::kRelease:
    case decl::Action::kHold:
    case decl::Action::kSeize:
    case decl::Action::kReject:
      return true;
    default:
      return false;
  }
}

// A caller may only lodge as itself: the declarant party must be the caller's organisation.
Status CheckDeclarant(const Principal& principal, const decl::Declaration& d) {
  if (d.declarant.id == principal.organisation_id) return OkStatus();
  return Error::PermissionDenied("declarant-mismatch",
                                 "declarant.id must be your own organisation's id");
}

Error NotFound(const std::string& id) {
  return Error::NotFound("declaration-not-found", "no declaration " + id.substr(0, 64));
}

// Missing() is what a read of a declaration the store does not hold answers: "purged" when
// retention purged it (the API's 410 Gone), else the plain not-found.
Error Missing(Error error, const std::string& id) {
  if (error.reason == "declaration-purged") {
    return Error::NotFound("declaration-purged",
                           "declaration " + id.substr(0, 64) +
                               " was purged under the retention policy; only its ledger "
                               "leaves remain");
  }
  return NotFound(id);
}

bool IsRouting(decl::Action action) {
  return action == decl::Action::kRouteGreen || action == decl::Action::kRouteYellow ||
         action == decl::Action::kRouteRed;
}

decl::Action RouteTo(decl::Channel channel) {
  switch (channel) {
    case decl::Channel::kYellow:
      return decl::Action::kRouteYellow;
    case decl::Channel::kRed:
      return decl::Action::kRouteRed;
    case decl::Channel::kGreen:
    case decl::Channel::kNone:
      break;
  }
  return decl::Action::kRouteGreen;
}

risk::Lane LaneOf(decl::Channel channel) {
  switch (channel) {
    case decl::Channel::kYellow:
      return risk::Lane::kYellow;
    case decl::Channel::kRed:
      return risk::Lane::kRed;
    case decl::Channel::kGreen:
    case decl::Channel::kNone:
      break;
  }
  return risk::Lane::kGreen;
}

// A lodged declaration is assessed when a version of it is filed or amended; a draft is not.
bool IsLodged(decl::DeclarationStatus status) {
  return status == decl::DeclarationStatus::kAccepted ||
         status == decl::DeclarationStatus::kUnderControl;
}

// The assessment of a version, if it has one.
Result<std::optional<store::AssessmentRow>> StoredAssessment(store::Store& store,
                                                             const std::string& id,
                                                             int64_t version) {
  auto found = store.GetAssessment(id, version);
  if (found.ok()) return std::optional<store::AssessmentRow>(std::move(found).value());
  if (found.error().code == ErrorCode::kNotFound) return std::optional<store::AssessmentRow>();
  return std::move(found).error();
}

// SensitiveTermsOf() lists the values a declaration can be looked up by exactly; the store
// keeps only their blind indexes (store/encrypting_store.h).
std::vector<store::SensitiveTerm> SensitiveTermsOf(const decl::Declaration& declaration) {
  std::vector<store::SensitiveTerm> terms;
  if (!declaration.invoice.number.empty()) {
    terms.push_back({std::string(store::kInvoiceNumberPurpose), declaration.invoice.number});
  }
  for (const std::string& container : declaration.transport.containers) {
    terms.push_back({std::string(store::kContainerIdPurpose), container});
  }
  return terms;
}

store::TransitionRow MakeTransition(const store::DeclarationRow& row, int64_t sequence,
                                    std::string from, std::string actor, std::string reason,
                                    Timestamp at) {
  store::TransitionRow t;
  t.declaration_id = row.id;
  t.sequence = sequence;
  t.version = row.version;
  t.from_status = std::move(from);
  t.to_status = row.status;
  t.channel = row.channel;
  t.actor = std::move(actor);
  t.reason = std::move(reason);
  t.at = at;
  return t;
}

// Append() moves the record to `to` with a transition by `who`, for `why`.
void Append(DeclarationRecord& record, decl::Transition to, std::string who, std::string why,
            Timestamp now) {
  std::string from = record.row.status;
  record.row.status = std::string(decl::StatusName(to.status));
  record.row.channel = std::string(decl::ChannelName(to.channel));
  record.row.updated_at = now;
  int64_t sequence = static_cast<int64_t>(record.transitions.size()) + 1;
  record.transitions.push_back(
      MakeTransition(record.row, sequence, std::move(from), std::move(who), std::move(why), now));
}

}  // namespace

DeclarationService::DeclarationService(store::Store& store, const Clock& clock,
                                       std::function<void(uint64_t)> on_appended)
    : store_(store), clock_(clock), on_appended_(std::move(on_appended)) {}

std::string DeclarationService::NewId() const {
  std::array<uint8_t, 10> random;
  crypto::RandomBytes(random);
  return MakeUlid(clock_.Now(), random);
}

Result<std::optional<Outcome>> DeclarationService::Replay(const Principal& principal,
                                                          const IdempotencyContext* idempotency) {
  if (idempotency == nullptr) return std::optional<Outcome>();
  auto stored = store_.GetIdempotency(principal.user_id, idempotency->key);
  if (!stored.ok()) {
    if (stored.error().code == ErrorCode::kNotFound) return std::optional<Outcome>();
    return std::move(stored).error();
  }
  if (!crypto::ConstantTimeEqual(stored->request_hash, idempotency->request_hash)) {
    return Error::FailedPrecondition(
        "idempotency-key-reused",
        "this Idempotency-Key was already used for a different request; use a new key");
  }
  return std::optional<Outcome>(
      Outcome{StoredResponse{stored->status_code, stored->response_body, stored->resource_id},
              true});
}

Result<Outcome> DeclarationService::CommitAndRender(const Principal& principal,
                                                    store::UnitOfWork work,
                                                    DeclarationRecord record,
                                                    const IdempotencyContext* idempotency,
                                                    const Renderer& render,
                                                    const FilingAssessment* assessed) {
  StoredResponse response = render(record);
  if (idempotency != nullptr) {
    store::IdempotencyRow row;
    row.principal = principal.user_id;
    row.key = idempotency->key;
    row.request_hash = idempotency->request_hash;
    row.status_code = response.status_code;
    row.response_body = response.body;
    row.resource_id = record.row.id;
    row.created_at = clock_.Now();
    work.idempotency = std::move(row);
  }
  // Every record of the unit gets its salt and leaf here, so no record is stored without them.
  store::SealUnit(work);
  auto committed = store_.Commit(std::move(work));
  if (!committed.ok()) {
    const Error& error = committed.error();
    if (error.code == ErrorCode::kAlreadyExists || error.code == ErrorCode::kAborted) {
      // A concurrent request won: either the same idempotent request (replay its answer) or
      // another change to this declaration (the caller should re-read and retry).
      CW_ASSIGN_OR_RETURN(auto replay, Replay(principal, idempotency));
      if (replay) return std::move(*replay);
      return Error::Aborted("concurrent-change",
                            "the declaration was changed concurrently; fetch it and retry");
    }
    return std::move(committed).error();
  }
  if (on_appended_) on_appended_(committed->tree_size);
  // Only now, with the filing durable: quota draws and the engine's history (never for a
  // declaration that was not filed).
  if (assessed != nullptr && assessor_ != nullptr) assessor_->Filed(*assessed);
  return Outcome{std::move(response), false};
}

Result<FilingAssessment> DeclarationService::AssessAndRoute(const decl::Declaration& declaration,
                                                            DeclarationRecord& record,
                                                            Timestamp now) {
  CW_ASSIGN_OR_RETURN(auto status, decl::ParseStatus(record.row.status));
  CW_ASSIGN_OR_RETURN(auto channel, decl::ParseChannel(record.row.channel));
  const bool routable =
      status == decl::DeclarationStatus::kAccepted && channel == decl::Channel::kNone;
  CW_ASSIGN_OR_RETURN(FilingAssessment assessed,
                      assessor_->Assess(declaration, record.row.id, record.row.version, now,
                                        routable));
  if (assessed.route) {
    CW_ASSIGN_OR_RETURN(decl::Transition next, decl::Apply(status, channel,
                                                           RouteTo(assessed.channel),
                                                           decl::ActorKind::kSystem));
    Append(record, next, "system", assessed.routing_reason, now);
  }
  record.assessment = assessed.row;
  return assessed;
}

Result<Outcome> DeclarationService::File(const Principal& principal,
                                         const boost::json::value& body, bool draft,
                                         const IdempotencyContext* idempotency,
                                         const Renderer& render) {
  CW_ASSIGN_OR_RETURN(auto replay, Replay(principal, idempotency));
  if (replay) {
    if (assessor_ != nullptr && !replay->response.resource_id.empty()) {
      assessor_->Refiled(replay->response.resource_id);
    }
    return std::move(*replay);
  }

  Timestamp now = clock_.Now();
  CW_ASSIGN_OR_RETURN(decl::Declaration declaration, decl::ParseDeclaration(body, now));
  CW_RETURN_IF_ERROR(Policy::CanFile(principal, decl::OrganisationOf(declaration)));
  CW_RETURN_IF_ERROR(CheckDeclarant(principal, declaration));

  DeclarationRecord record;
  store::DeclarationRow& row = record.row;
  row.id = NewId();
  row.version = 1;
  row.organisation_id = decl::OrganisationOf(declaration);
  row.declarant_id = principal.user_id;
  row.office = declaration.office;
  row.type = std::string(decl::DeclarationTypeName(declaration.type));
  row.hs_chapters = decl::HsChapters(declaration);
  row.created_at = now;
  row.updated_at = now;
  row.payload = CanonicalJson(decl::ToJson(declaration));
  row.sensitive_terms = SensitiveTermsOf(declaration);

  store::UnitOfWork work;
  work.expected_current_versions.emplace_back(row.id, 0);
  if (draft) {
    row.status = std::string(decl::StatusName(decl::DeclarationStatus::kDraft));
    record.transitions.push_back(
        MakeTransition(row, 1, "", principal.user_id, "saved as draft", now));
  } else {
    row.status = std::string(decl::StatusName(decl::DeclarationStatus::kSubmitted));
    record.transitions.push_back(
        MakeTransition(row, 1, "", principal.user_id, "filed", now));
    row.status = std::string(decl::StatusName(decl::DeclarationStatus::kAccepted));
    record.transitions.push_back(MakeTransition(row, 2, record.transitions[0].to_status,
                                                "system", "validation passed", now));
  }
  std::optional<FilingAssessment> assessed;
  if (!draft && assessor_ != nullptr) {
    CW_ASSIGN_OR_RETURN(assessed, AssessAndRoute(declaration, record, now));
    work.assessments.push_back(assessed->row);
  }
  work.declarations.push_back(row);
  work.transitions = record.transitions;
  return CommitAndRender(principal, std::move(work), std::move(record), idempotency, render,
                         assessed ? &*assessed : nullptr);
}

Result<DeclarationRecord> DeclarationService::Load(const std::string& id) {
  auto row = store_.GetDeclaration(id, std::nullopt);
  if (!row.ok()) {
    if (row.error().code == ErrorCode::kNotFound) return Missing(std::move(row).error(), id);
    return std::move(row).error();
  }
  DeclarationRecord record;
  record.row = std::move(row).value();
  CW_ASSIGN_OR_RETURN(record.transitions, store_.ListTransitions(id));
  // The row and its transitions come from two reads; a decision committed between them shows
  // as a last transition that does not lead to the row's status. Such a mixed view must not be
  // decided on: the caller re-reads and retries.
  if (!record.transitions.empty() &&
      (record.transitions.back().to_status != record.row.status ||
       record.transitions.back().channel != record.row.channel)) {
    return Error::Aborted("concurrent-change",
                          "the declaration was changed concurrently; fetch it and retry");
  }
  return record;
}

Result<Outcome> DeclarationService::Amend(const Principal& principal, const std::string& id,
                                          const boost::json::value& body,
                                          std::optional<int64_t> if_match,
                                          const IdempotencyContext* idempotency,
                                          const Renderer& render) {
  CW_ASSIGN_OR_RETURN(auto replay, Replay(principal, idempotency));
  if (replay) return std::move(*replay);
  CW_ASSIGN_OR_RETURN(DeclarationRecord current, Load(id));
  CW_RETURN_IF_ERROR(Policy::CanFile(principal, current.row.organisation_id));
  if (if_match && *if_match != current.row.version) {
    return Error::Aborted("version-mismatch",
                          "you amended version " + std::to_string(*if_match) +
                              " but the current version is " +
                              std::to_string(current.row.version) + "; fetch it and retry");
  }
  CW_ASSIGN_OR_RETURN(auto status, decl::ParseStatus(current.row.status));
  CW_ASSIGN_OR_RETURN(auto channel, decl::ParseChannel(current.row.channel));
  CW_RETURN_IF_ERROR(
      decl::Apply(status, channel, decl::Action::kAmend, decl::ActorKind::kDeclarant));

  Timestamp now = clock_.Now();
  CW_ASSIGN_OR_RETURN(decl::Declaration declaration, decl::ParseDeclaration(body, now));
  CW_RETURN_IF_ERROR(CheckDeclarant(principal, declaration));
  if (decl::OrganisationOf(declaration) != current.row.organisation_id) {
    return Error::FailedPrecondition(
        "organisation-change",
        "an amendment cannot change the declarant organisation; invalidate and file anew");
  }
  DeclarationRecord record;
  record.row = current.row;
  store::DeclarationRow& row = record.row;
  row.version = current.row.version + 1;
  row.declarant_id = principal.user_id;
  row.office = declaration.office;
  row.type = std::string(decl::DeclarationTypeName(declaration.type));
  row.hs_chapters = decl::HsChapters(declaration);
  row.updated_at = now;
  row.payload = CanonicalJson(decl::ToJson(declaration));
  row.sensitive_terms = SensitiveTermsOf(declaration);
  record.transitions = current.transitions;
  int64_t sequence = static_cast<int64_t>(current.transitions.size()) + 1;
  record.transitions.push_back(MakeTransition(row, sequence, row.status, principal.user_id,
                                              "amended to version " + std::to_string(row.version),
                                              now));

  store::UnitOfWork work;
  work.expected_current_versions.emplace_back(id, current.row.version);
  // The new version is assessed afresh (and routed, when it was still waiting for a channel);
  // one under control keeps its channel: only an officer re-routes it.
  std::optional<FilingAssessment> assessed;
  if (assessor_ != nullptr && IsLodged(status)) {
    CW_ASSIGN_OR_RETURN(assessed, AssessAndRoute(declaration, record, now));
    work.assessments.push_back(assessed->row);
    assessed->lines.clear();  // the engine's history counts declarations, not their versions
  }
  work.declarations.push_back(row);
  work.transitions.assign(record.transitions.begin() +
                              static_cast<std::ptrdiff_t>(current.transitions.size()),
                          record.transitions.end());
  return CommitAndRender(principal, std::move(work), std::move(record), idempotency, render,
                         assessed ? &*assessed : nullptr);
}

Result<Outcome> DeclarationService::Act(const Principal& principal, const std::string& id,
                                        decl::Action action, const std::string& reason,
                                        const IdempotencyContext* idempotency,
                                        const Renderer& render) {
  CW_ASSIGN_OR_RETURN(auto replay, Replay(principal, idempotency));
  if (replay) return std::move(*replay);
  if (action == decl::Action::kAmend || action == decl::Action::kAccept) {
    return Error::InvalidArgument("action", "unknown-action", "not an action a user can take");
  }
  if (NeedsReason(action) && reason.empty()) {
    return Error::InvalidArgument("reason", "reason-required",
                                  "say why: a reason is recorded with this decision");
  }
  if (reason.size() > 1000) {
    return Error::InvalidArgument("reason", "too-long", "at most 1000 characters");
  }
  CW_ASSIGN_OR_RETURN(DeclarationRecord current, Load(id));
  decl::ActorKind actor = decl::ActorKind::kDeclarant;
  if (IsOfficerAction(action)) {
    actor = decl::ActorKind::kOfficer;
    CW_RETURN_IF_ERROR(Policy::CanDecide(principal, ScopeOf(current.row)));
  } else {
    CW_RETURN_IF_ERROR(Policy::CanFile(principal, current.row.organisation_id));
  }
  CW_ASSIGN_OR_RETURN(auto status, decl::ParseStatus(current.row.status));
  CW_ASSIGN_OR_RETURN(auto channel, decl::ParseChannel(current.row.channel));
  CW_ASSIGN_OR_RETURN(decl::Transition next, decl::Apply(status, channel, action, actor));

  Timestamp now = clock_.Now();
  DeclarationRecord record;
  record.row = current.row;
  record.transitions = current.transitions;
  CW_ASSIGN_OR_RETURN(record.assessment,
                      StoredAssessment(store_, id, current.row.version));
  std::string why = reason.empty() ? std::string(decl::ActionName(action)) : reason;
  if (IsRouting(action) && record.assessment) {
    // Re-routing against the engine is allowed, with a reason the ledger keeps beside the
    // channel it overrides.
    std::optional<decl::Channel> engine = EngineChannelOf(*record.assessment);
    if (engine && *engine != next.channel) {
      risk::OfficerOverride decision;
      decision.declaration_id = id;
      decision.officer_id = principal.user_id;
      decision.from = LaneOf(*engine);
      decision.to = LaneOf(next.channel);
      decision.reason = reason;
      decision.at = now;
      CW_RETURN_IF_ERROR(risk::ValidateOverride(decision));
      why = reason + " (overrides the risk engine's " + std::string(decl::ChannelName(*engine)) +
            " channel)";
    }
  }
  Append(record, next, principal.user_id, why, now);
  std::optional<FilingAssessment> assessed;
  if (action == decl::Action::kSubmit) {
    // A draft was fully validated when saved; submitting it is accepted at once.
    CW_ASSIGN_OR_RETURN(decl::Transition accepted,
                        decl::Apply(next.status, next.channel, decl::Action::kAccept,
                                    decl::ActorKind::kSystem));
    Append(record, accepted, "system", "validation passed", now);
    if (assessor_ != nullptr) {
      CW_ASSIGN_OR_RETURN(decl::Declaration declaration,
                          decl::ParseDeclarationText(record.row.payload, now));
      CW_ASSIGN_OR_RETURN(assessed, AssessAndRoute(declaration, record, now));
    }
  }

  store::UnitOfWork work;
  work.expected_current_versions.emplace_back(id, current.row.version);
  store::StatusUpdate update;
  update.declaration_id = id;
  update.version = record.row.version;
  update.status = record.row.status;
  update.channel = record.row.channel;
  update.updated_at = now;
  // The transition was checked against this status: it must still hold when committed (the
  // row and its transitions were read by two queries, and another decision may land between).
  update.expected_status = current.row.status;
  update.expected_channel = current.row.channel;
  work.status_updates.push_back(std::move(update));
  work.transitions.assign(record.transitions.begin() +
                              static_cast<std::ptrdiff_t>(current.transitions.size()),
                          record.transitions.end());
  if (assessed) work.assessments.push_back(assessed->row);
  return CommitAndRender(principal, std::move(work), std::move(record), idempotency, render,
                         assessed ? &*assessed : nullptr);
}

Result<DeclarationRecord> DeclarationService::Get(const Principal& principal,
                                                  const std::string& id,
                                                  std::optional<int64_t> version) {
  CW_ASSIGN_OR_RETURN(DeclarationRecord record, Load(id));
  CW_RETURN_IF_ERROR(Policy::CanRead(principal, ScopeOf(record.row)));
  if (version && *version != record.row.version) {
    auto row = store_.GetDeclaration(id, version);
    if (!row.ok()) {
      if (row.error().code == ErrorCode::kNotFound) {
        return Error::NotFound("version-not-found", "no version " + std::to_string(*version) +
                                                        " of declaration " + id.substr(0, 64));
      }
      return std::move(row).error();
    }
    record.row = std::move(row).value();
  }
  CW_ASSIGN_OR_RETURN(record.assessment, StoredAssessment(store_, id, record.row.version));
  return record;
}

Result<AssessmentAccess> DeclarationService::GetAssessment(const Principal& principal,
                                                           const std::string& id,
                                                           std::optional<int64_t> version) {
  auto latest = store_.GetDeclaration(id, std::nullopt);
  if (!latest.ok()) {
    if (latest.error().code == ErrorCode::kNotFound) return Missing(std::move(latest).error(), id);
    return std::move(latest).error();
  }
  CW_ASSIGN_OR_RETURN(AssessmentView view, AssessmentViewFor(principal, ScopeOf(*latest)));
  const int64_t wanted = version.value_or(latest->version);
  if (wanted < 1 || wanted > latest->version) {
    return Error::NotFound("version-not-found", "no version " + std::to_string(wanted) +
                                                    " of declaration " + id.substr(0, 64));
  }
  CW_ASSIGN_OR_RETURN(std::optional<store::AssessmentRow> assessment,
                      StoredAssessment(store_, id, wanted));
  if (!assessment) {
    return Error::NotFound("assessment-not-found",
                           "version " + std::to_string(wanted) +
                               " has no assessment: drafts, and versions filed before "
                               "assessment was enabled, have none");
  }
  return AssessmentAccess{std::move(*assessment), std::move(latest).value(), view};
}

Result<std::vector<store::DeclarationRow>> DeclarationService::Versions(
    const Principal& principal, const std::string& id) {
  CW_ASSIGN_OR_RETURN(DeclarationRecord record, Load(id));
  CW_RETURN_IF_ERROR(Policy::CanRead(principal, ScopeOf(record.row)));
  return store_.ListVersions(id);
}

Result<store::DeclarationPage> DeclarationService::List(const Principal& principal,
                                                        const ListQuery& query,
                                                        const store::PageRequest& page) {
  store::DeclarationFilter filter;
  filter.status = query.status;
  filter.type = query.type;
  filter.channel = query.channel;
  filter.created_from = query.created_from;
  filter.created_to = query.created_to;
  if (!query.invoice_number.empty()) {
    filter.sensitive.push_back(
        {std::string(store::kInvoiceNumberPurpose), query.invoice_number});
  }
  if (!query.container.empty()) {
    filter.sensitive.push_back({std::string(store::kContainerIdPurpose), query.container});
  }
  auto organisations = Policy::VisibleOrganisations(principal);
  if (organisations) {
    if (organisations->empty()) return store::DeclarationPage{};
    filter.organisation_ids = *organisations;
  }
  auto offices = Policy::VisibleOffices(principal);
  if (offices) {
    if (!query.office.empty()) {
      bool allowed = std::find(offices->begin(), offices->end(), query.office) != offices->end();
      if (!allowed) return store::DeclarationPage{};
      filter.offices = {query.office};
    } else {
      if (offices->empty()) return store::DeclarationPage{};
      filter.offices = *offices;
    }
  } else if (!query.office.empty()) {
    filter.offices = {query.office};
  }
  return store_.ListDeclarations(filter, page);
}

}  // namespace clearway::app
