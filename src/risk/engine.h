// File: risk/engine.h
//
// RiskEngine: what every declaration passes through. For each goods line it computes the model's
// fraud probability (features from the history before the declaration), the unit-price anomaly
// and the risk profiles in force; the final score combines them as a noisy-or,
//     score = 1 - (1 - p_model) (1 - anomaly_weight x a) (1 - profile_weight),
// where a = clamp((|z| - 2) / 6, 0, 1) for the anomaly z-score; the declaration's score is its
// riskiest line's. A ThresholdSelector (risk/channels.h) then picks the lane under the office's
// rates, capacity and random rate. The Assessment carries the reasons: the profiles hit (with
// their instructions), the model version (id), the top feature contributions, the anomaly.
//
//   auto engine = risk::RiskEngine::Create(std::move(model), profiles, config, history);
//   auto a = (*engine)->Assess(declaration, clock.Now());
//   a->channel;            // declaration::Channel::kRed
//   a->model_version;      // "3f2a…" (commit it to the ledger with the decision)
//   a->reasons;            // {"profile TEX-CN-LOWVAL", "importer_fraud_rate +1.62", ...}
//
// Thread safety: one engine may be shared by request threads. Assess() reads the history under
// a shared lock (many at once), scores with the model outside it on one of
// EngineConfig::model_replicas copies of the model (each used by one thread at a time), and
// takes an exclusive lock only for the lane choice (a few comparisons). Observe(),
// RecordInspection() and SetProfiles() take the history's lock exclusively.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "declaration/declaration.h"
#include "risk/channels.h"
#include "risk/dataset.h"
#include "risk/features.h"
#include "risk/model.h"
#include "risk/profiles.h"

namespace clearway::risk {

struct EngineConfig {
  OfficePolicy default_policy;
  std::map<std::string, OfficePolicy> office_policies;  // by office code
  double anomaly_weight = 0.3;
  size_t top_contributions = 3;
  ContributionMethod contributions = ContributionMethod::kExactShap;
  // Contributions are computed where someone reads them: for a declaration routed to a
  // control or an audit (yellow, red, blue). A green one is released unread, so by default
  // it gets none (the decision is the same either way); true computes them for every lane.
  bool explain_green = false;
  uint64_t random_seed = 0;  // 0: a fresh seed from the OS; tests set one
  // Copies of the model scoring in parallel (a FraudModel is not thread-safe); >= 1.
  size_t model_replicas = 1;
};

// Assessment is the risk engine's decision on one declaration, with its reasons.
struct Assessment {
  double score = 0;              // in [0, 1]
  double model_probability = 0;  // of the riskiest line; 0 without a model
  double anomaly = 0;            // unit-price z-score of the riskiest line
  std::string model_version;     // model id, empty without a model
  std::vector<std::string> profiles_hit;
  std::vector<std::string> instructions;  // of the profiles hit, for the examining officer
  std::vector<Contribution> top_contributions;
  Lane lane = Lane::kGreen;
  declaration::Channel channel = declaration::Channel::kGreen;
  LaneCause cause = LaneCause::kScore;
  bool post_clearance_audit = false;  // blue lane
  std::vector<std::string> reasons;   // plain-language lines built from the above
};

// OfficerOverride is an officer re-routing a declaration against the engine's choice. The
// caller validates and records it on the ledger with the Assessment it overrides.
struct OfficerOverride {
  std::string declaration_id;
  std::string officer_id;
  Lane from = Lane::kGreen;
  Lane to = Lane::kGreen;
  std::string reason;  // required, plain language
  Timestamp at;
  std::string model_version;
};

// ValidateOverride(): kInvalidArgument "override-reason-required" (empty reason),
// "override-no-change" (to == from), "bad-override" (no declaration or officer id).
Status ValidateOverride(const OfficerOverride& override_record);

// InspectionResult is what an officer found: the label that flows back to training.
struct InspectionResult {
  std::string declaration_id;
  bool fraud_found = false;
  double duties_raised = 0;  // extra duty assessed, in the data's currency
  Date inspected_on = std::chrono::year{1970} / 1 / 1;
};

// RecordOf() is the risk view of one goods line of a declaration lodged on `day`.
DeclarationRecord RecordOf(const declaration::Declaration& declaration, size_t item_index,
                           Date day);

class RiskEngine {
 public:
  // Create() replays `history` (sorted by date, labels included) into the feature state and
  // calibrates every office's thresholds on the model's scores of the last 2000 history rows.
  // `model` may be empty (profiles and anomaly only). Errors: "bad-policy" from any policy.
  static Result<std::unique_ptr<RiskEngine>> Create(std::optional<FraudModel> model,
                                                    std::vector<RiskProfile> profiles,
                                                    EngineConfig config,
                                                    const std::vector<DeclarationRecord>& history);

  // Assess() decides a declaration lodged at `at`. kInvalidArgument "no-goods-items" for a
  // declaration without goods; model errors as FraudModel::Predict().
  Result<Assessment> Assess(const declaration::Declaration& declaration, Timestamp at);

  // AssessRecords() decides a declaration given as its lines in the risk view (CSV data).
  Result<Assessment> AssessRecords(const std::vector<DeclarationRecord>& lines);

  // Observe() adds assessed lines to the history (without a label).
  void Observe(const std::vector<DeclarationRecord>& lines);

  // RecordInspection() learns the label of a line observed before.
  void RecordInspection(const DeclarationRecord& line, const InspectionResult& result);

  // SetProfiles() replaces the profiles (e.g. one was activated or retired) and recalibrates
  // every office's thresholds on the reference lines with them; the day's red counts stay.
  void SetProfiles(std::vector<RiskProfile> profiles);

  // profiles() is a copy of the profiles in use.
  std::vector<RiskProfile> profiles() const;

  const std::string& model_version() const;

 private:
  // One copy of the model and the lock of the thread using it.
  struct Replica {
    std::mutex mu;
    FraudModel model;
    explicit Replica(FraudModel m) : model(std::move(m)) {}
  };
  // A line of the reference period with the parts of its score that do not depend on the
  // profiles, so thresholds can be recomputed when the profiles change.
  struct ReferenceLine {
    ProfileSubject subject;
    Date date = std::chrono::year{1970} / 1 / 1;
    double probability = 0;
    double anomaly = 0;
  };

  RiskEngine() = default;
  Result<ThresholdSelector*> SelectorFor(const std::string& office);  // needs select_mu_
  std::vector<double> ReferenceScores() const;                        // needs state_mu_
  // LockReplica() locks a free replica (else waits for one) and points `replica` at it.
  std::unique_lock<std::mutex> LockReplica(Replica** replica);

  EngineConfig config_;
  std::vector<std::unique_ptr<Replica>> replicas_;  // empty without a model
  std::string model_id_;
  std::atomic<size_t> next_replica_{0};

  mutable std::shared_mutex state_mu_;  // guards history_, profiles_
  FeatureBuilder history_;
  std::vector<RiskProfile> profiles_;
  std::vector<ReferenceLine> reference_;  // immutable after Create()

  std::mutex select_mu_;  // guards reference_scores_, selectors_
  std::vector<double> reference_scores_;
  std::map<std::string, ThresholdSelector> selectors_;
};

}  // namespace clearway::risk
