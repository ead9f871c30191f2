// File: app/assessment.h
//
// The assessment of a declaration version as it is filed: the duty quote (tariff::DutyEngine;
// imports only) and the risk engine's decision (app/risk_service.h), stored as one
// store::AssessmentRow in the same unit of work as the version, so its ledger leaf
// ("declaration.assessment") commits to the model version, the score and the reasons.
//
//   AssessmentRow.quote  canonical JSON of tariff::QuoteToJson() plus "quotaClaims"
//                        [{"orderNumber", "thousandths"}]; "" when no quote could be made
//   AssessmentRow.risk   canonical JSON: {"channel", "lane", "cause", "postClearanceAudit",
//                        "score", "modelProbability", "modelVersion", "anomaly",
//                        "profilesHit", "instructions", "contributions" [{"feature",
//                        "logOdds"}], "reasons", "currency", "routing" ("routed" |
//                        "recommended" | "kept"), "quote" {"status": "quoted" | "none",
//                        "reason", "message"}}
//
// Who sees what (AssessmentViewFor()): officers of the declaration's office, risk analysts and
// auditors see everything (AssessmentView::kFull); the trader, its broker and administrators
// see the declaration's channel and the quote only (kTrader) — never the score, the profiles,
// the contributions or the instructions, which would teach a fraudster the profiles.
//
//   app::Assessor assessor(runtime.duty(), runtime.risk());
//   CW_ASSIGN_OR_RETURN(FilingAssessment a, assessor.Assess(declaration, id, 1, now, true));
//   work.assessments.push_back(a.row);          // then route by a.channel when a.route
//   ... commit ...
//   assessor.Filed(a);                           // quota draws, history
//
// Thread safety: Assessor is safe to share; the free functions are pure.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "declaration/declaration.h"
#include "identity/identity.h"
#include "risk/dataset.h"
#include "store/store.h"

namespace clearway::tariff {
class DutyEngine;
}

namespace clearway::app {

class RiskService;

// FilingAssessment is one version's assessment, ready to be stored and acted on.
struct FilingAssessment {
  store::AssessmentRow row;  // the salt is set by store::SealUnit()
  declaration::Channel channel = declaration::Channel::kGreen;  // the engine's channel
  bool route = false;          // the system routes the declaration by `channel` now
  std::string routing_reason;  // the reason of that system transition
  // For Filed(): the quota draws of the quote and the lines the engine learns.
  std::map<std::string, int64_t> quota_draws;
  std::vector<risk::DeclarationRecord> lines;
};

// FilingAssessor is what DeclarationService asks to assess a filing; tests may supply their
// own.
class FilingAssessor {
 public:
  virtual ~FilingAssessor() = default;

  // Assess() assesses version `version` of declaration `id`, lodged at `at`. `routable` says
  // whether the declaration can be routed now (it is accepted and not yet routed). A quote
  // that cannot be made is not an error (the risk JSON says why); risk engine errors are.
  virtual Result<FilingAssessment> Assess(const declaration::Declaration& declaration,
                                          const std::string& id, int64_t version, Timestamp at,
                                          bool routable) = 0;

  // Filed() runs once the assessment's unit of work is durable: draws the quote's quotas for
  // the declaration (once per declaration and quota: a retry draws nothing more) and adds the
  // lines to the engine's history. Nothing it does can undo the filing; failures are counted.
  virtual void Filed(const FilingAssessment& assessment) = 0;

  // Refiled() runs when a filing is answered from its idempotency record: it draws the
  // stored quote's quotas again (a no-op when they were drawn), closing the window of a crash
  // between the commit and the draw.
  virtual void Refiled(const std::string& declaration_id) = 0;
};

// Assessor is the server's FilingAssessor: the tariff's duty engine and the RiskService.
class Assessor final : public FilingAssessor {
 public:
  // `duty`, `risk` and `store` must outlive the Assessor.
  Assessor(const tariff::DutyEngine& duty, RiskService& risk, store::Store& store);

  Result<FilingAssessment> Assess(const declaration::Declaration& declaration,
                                  const std::string& id, int64_t version, Timestamp at,
                                  bool routable) override;
  void Filed(const FilingAssessment& assessment) override;
  void Refiled(const std::string& declaration_id) override;

 private:
  const tariff::DutyEngine& duty_;
  RiskService& risk_;
  store::Store& store_;
};

// EngineChannelOf() is the channel the engine chose in a stored assessment (nullopt when the
// risk JSON does not say).
std::optional<declaration::Channel> EngineChannelOf(const store::AssessmentRow& row);

enum class AssessmentView { kFull, kTrader };

// AssessmentViewFor() decides what `principal` may see of the assessment of a declaration
// with `scope`: kFull for officers of its office, risk analysts and auditors; kTrader for
// whoever may read the declaration otherwise (its trader, broker, administrators);
// kPermissionDenied "forbidden" for everyone else.
Result<AssessmentView> AssessmentViewFor(const identity::Principal& principal,
                                         const identity::DeclarationScope& scope);

// AssessmentJson() renders a stored assessment for a view: {"declarationId", "version", "at",
// "channel", "quote" (object or null), "quoteStatus", "links"} and, in the full view, "risk"
// (the whole decision). The trader view's channel is the declaration's current one.
boost::json::object AssessmentJson(const store::AssessmentRow& row,
                                   const store::DeclarationRow& declaration, AssessmentView view);

// TraderHistory() is a declaration's history as the trader and its broker see it: the reason
// of each routing transition the risk engine made ("risk engine: red lane (profile)") becomes
// "routed by risk analysis", so the cause of a control is not taught to whoever it controls.
std::vector<store::TransitionRow> TraderHistory(std::vector<store::TransitionRow> transitions);

// QuoteSummaryOf() is the quote's totals for the declaration resource: {"currency",
// "customsDuty", "excise", "vat", "total", "complete"}; nullopt when there is no quote.
// The summary is built in `storage`.
std::optional<boost::json::object> QuoteSummaryOf(const store::AssessmentRow& row,
                                                  boost::json::storage_ptr storage = {});

}  // namespace clearway::app
