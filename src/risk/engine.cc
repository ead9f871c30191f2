#include "risk/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <sstream>

namespace clearway::risk {

namespace {

constexpr size_t kCalibrationRows = 2000;

// The amount in major units ("43200.00" -> 43200.0): a ranking statistic, not accounting.
double MajorUnits(const Money& money) {
  std::string text = money.ToDecimalString();
  return std::strtod(text.c_str(), nullptr);
}

// The noisy-or of the file comment: each source alone can raise the score, none lowers it.
double CombineScore(double probability, double anomaly_z, double profile_weight,
                    double anomaly_weight) {
  double a = std::clamp((std::abs(anomaly_z) - 2.0) / 6.0, 0.0, 1.0);
  return 1 - (1 - probability) * (1 - anomaly_weight * a) * (1 - profile_weight);
}

std::string Signed(double v) {
  std::ostringstream out;
  out.precision(3);
  out << (v >= 0 ? "+" : "") << v;
  return out.str();
}

}  // namespace

Status ValidateOverride(const OfficerOverride& o) {
  if (o.declaration_id.empty() || o.officer_id.empty()) {
    return Error::InvalidArgument("", "bad-override",
                                  "an override names the declaration and officer");
  }
  if (o.reason.empty()) {
    return Error::InvalidArgument("reason", "override-reason-required",
                                  "an officer re-routing a declaration must say why");
  }
  if (o.from == o.to) {
    return Error::InvalidArgument("to", "override-no-change",
                                  "the lane is already " + std::string(LaneName(o.to)));
  }
  return OkStatus();
}

DeclarationRecord RecordOf(const declaration::Declaration& d, size_t item_index, Date day) {
  const auto& item = d.goods_items.at(item_index);
  DeclarationRecord r;
  r.id = d.invoice.number;
  r.date = day;
  r.office = d.office;
  r.procedure = d.procedure;
  r.declarant = d.declarant.id;
  if (d.importer) r.importer = d.importer->id;
  if (d.exporter) {
    r.seller = d.exporter->id;
    r.departure = d.exporter->address.country;
  }
  r.hs6 = item.commodity_code.substr(0, 6);
  r.origin = item.origin;
  r.transport_mode = std::to_string(d.transport.mode);
  r.net_mass_kg = static_cast<double>(item.net_mass_grams) / 1000.0;
  r.item_price = MajorUnits(item.price);
  return r;
}

Result<std::unique_ptr<RiskEngine>> RiskEngine::Create(
    std::optional<FraudModel> model, std::vector<RiskProfile> profiles, EngineConfig config,
    const std::vector<DeclarationRecord>& history) {
  CW_RETURN_IF_ERROR(ValidatePolicy(config.default_policy));
  for (const auto& [office, policy] : config.office_policies) {
    CW_RETURN_IF_ERROR(ValidatePolicy(policy));
  }
  config.model_replicas = std::max<size_t>(config.model_replicas, 1);
  // The constructor is private (Create() validates first), so make_unique cannot reach it.
  std::unique_ptr<RiskEngine> engine(new RiskEngine());
  engine->config_ = std::move(config);
  engine->profiles_ = std::move(profiles);
  // The calibration rows are featurised exactly as they would have been scored live.
  size_t calibrate_from = history.size() > kCalibrationRows ? history.size() - kCalibrationRows : 0;
  FeatureMatrix features = BuildFeatures(history, engine->history_, LabelPolicy{});
  std::vector<std::vector<float>> rows(
      features.rows.begin() + static_cast<std::ptrdiff_t>(calibrate_from), features.rows.end());
  std::vector<double> probabilities(rows.size(), 0.0);
  if (model && !rows.empty()) {
    CW_ASSIGN_OR_RETURN(probabilities, model->Predict(rows));
  }
  // Thresholds are quantiles of the final score, so they are computed like Assess() does.
  const size_t anomaly_at =
      static_cast<size_t>(std::find(FeatureBuilder::FeatureNames().begin(),
                                    FeatureBuilder::FeatureNames().end(), "price_anomaly") -
                          FeatureBuilder::FeatureNames().begin());
  for (size_t k = 0; k < rows.size(); ++k) {
    const DeclarationRecord& line = history[calibrate_from + k];
    engine->reference_.push_back(
        ReferenceLine{SubjectOf(line), line.date, probabilities[k], rows[k][anomaly_at]});
  }
  if (model) {
    engine->model_id_ = model->id();
    const std::string bytes = model->bytes();
    engine->replicas_.push_back(std::make_unique<Replica>(std::move(*model)));
    for (size_t i = 1; i < engine->config_.model_replicas; ++i) {
      CW_ASSIGN_OR_RETURN(FraudModel copy, FraudModel::FromBytes(bytes));
      engine->replicas_.push_back(std::make_unique<Replica>(std::move(copy)));
    }
  }
  engine->reference_scores_ = engine->ReferenceScores();
  return engine;
}

const std::string& RiskEngine::model_version() const { return model_id_; }

std::vector<double> RiskEngine::ReferenceScores() const {
  std::vector<double> scores;
  scores.reserve(reference_.size());
  for (const ReferenceLine& line : reference_) {
    ProfileHits hits = ApplyProfiles(profiles_, line.subject, line.date);
    scores.push_back(
        CombineScore(line.probability, line.anomaly, hits.weight, config_.anomaly_weight));
  }
  if (scores.empty()) scores.push_back(0);
  return scores;
}

std::unique_lock<std::mutex> RiskEngine::LockReplica(Replica** replica) {
  const size_t n = replicas_.size();
  const size_t start = next_replica_.fetch_add(1, std::memory_order_relaxed) % n;
  for (size_t k = 0; k < n; ++k) {
    Replica& candidate = *replicas_[(start + k) % n];
    std::unique_lock<std::mutex> lock(candidate.mu, std::try_to_lock);
    if (lock.owns_lock()) {
      *replica = &candidate;
      return lock;
    }
  }
  *replica = replicas_[start].get();
  return std::unique_lock<std::mutex>((*replica)->mu);
}

Result<ThresholdSelector*> RiskEngine::SelectorFor(const std::string& office) {
  auto it = selectors_.find(office);
  if (it != selectors_.end()) return &it->second;
  auto policy_it = config_.office_policies.find(office);
  OfficePolicy policy =
      policy_it == config_.office_policies.end() ? config_.default_policy : policy_it->second;
  uint64_t seed = config_.random_seed;
  if (seed == 0) seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  seed += selectors_.size();
  CW_ASSIGN_OR_RETURN(
      ThresholdSelector selector,
      ThresholdSelector::Create(policy, reference_scores_, std::make_unique<SeededUniform>(seed)));
  return &selectors_.emplace(office, std::move(selector)).first->second;
}

Result<Assessment> RiskEngine::AssessRecords(const std::vector<DeclarationRecord>& lines) {
  if (lines.empty()) return Error::InvalidArgument("goodsItems", "no-goods-items", "no goods");
  const size_t n = lines.size();
  std::vector<std::vector<float>> rows(n);
  std::vector<double> anomalies(n, 0);
  std::vector<ProfileHits> hits(n);
  Assessment best;
  {
    // Reading the history and the profiles: many assessments at once.
    std::shared_lock lock(state_mu_);
    for (size_t i = 0; i < n; ++i) {
      rows[i] = history_.Featurise(lines[i], &anomalies[i]);
      hits[i] = ApplyProfiles(profiles_, SubjectOf(lines[i]), lines[i].date);
      for (const auto& id : hits[i].ids) {
        if (std::find(best.profiles_hit.begin(), best.profiles_hit.end(), id) ==
            best.profiles_hit.end()) {
          best.profiles_hit.push_back(id);
        }
      }
    }
    for (const auto& p : profiles_) {
      if (std::find(best.profiles_hit.begin(), best.profiles_hit.end(), p.id) !=
              best.profiles_hit.end() &&
          !p.instructions.empty()) {
        best.instructions.push_back(p.id + ": " + p.instructions);
      }
    }
  }
  std::vector<double> probabilities(n, 0);
  std::optional<Lane> profile_lane;
  size_t best_line = 0;
  auto choose_best = [&] {
    best_line = 0;
    for (size_t i = 0; i < n; ++i) {
      double score = CombineScore(probabilities[i], anomalies[i], hits[i].weight,
                                  config_.anomaly_weight);
      if (hits[i].lane && (!profile_lane || *hits[i].lane > *profile_lane)) {
        profile_lane = hits[i].lane;
      }
      if (i == 0 || score > best.score) {
        best.score = score;
        best.model_probability = probabilities[i];
        best.anomaly = anomalies[i];
        best_line = i;
      }
    }
  };
  if (replicas_.empty()) {
    choose_best();
  } else {
    // The expensive part (trees and their contributions) runs outside the history's lock, on
    // a replica no other thread is using.
    Replica* replica = nullptr;
    std::unique_lock<std::mutex> lock = LockReplica(&replica);
    CW_ASSIGN_OR_RETURN(probabilities, replica->model.Predict(rows));
    choose_best();
    best.model_version = model_id_;
  }
  LaneDecision decision;
  {
    std::scoped_lock lock(select_mu_);
    CW_ASSIGN_OR_RETURN(ThresholdSelector * selector, SelectorFor(lines.front().office));
    decision = selector->Select({best.score, profile_lane}, lines.front().date);
  }
  // The contributions explain the decision to whoever reads it; they never change it. They
  // cost several times the prediction, so only the lanes someone reads get them.
  if (!replicas_.empty() && (config_.explain_green || decision.lane != Lane::kGreen)) {
    Replica* replica = nullptr;
    std::unique_lock<std::mutex> lock = LockReplica(&replica);
    CW_ASSIGN_OR_RETURN(best.top_contributions,
                        replica->model.TopContributions(rows[best_line],
                                                        config_.top_contributions,
                                                        config_.contributions));
  }
  best.lane = decision.lane;
  best.cause = decision.cause;
  best.channel = ToChannel(decision.lane);
  best.post_clearance_audit = decision.lane == Lane::kBlue;

  switch (decision.cause) {
    case LaneCause::kRandom:
      best.reasons.push_back("selected at random (exploration rate)");
      break;
    case LaneCause::kProfile:
      best.reasons.push_back("lane required by a risk profile");
      break;
    case LaneCause::kCapacity:
      best.reasons.push_back("red by score but the day's inspection capacity is used: yellow");
      break;
    case LaneCause::kScore:
      best.reasons.push_back("score " + Signed(best.score) + " (line " +
                             std::to_string(best_line + 1) + ")");
      break;
  }
  for (const auto& id : best.profiles_hit) best.reasons.push_back("profile " + id);
  if (!replicas_.empty()) {
    best.reasons.push_back("model " + best.model_version.substr(0, 12) + " probability " +
                           Signed(best.model_probability));
  }
  for (const auto& c : best.top_contributions) {
    best.reasons.push_back(c.feature + " " + Signed(c.log_odds));
  }
  best.reasons.push_back("unit-price anomaly z " + Signed(best.anomaly));
  return best;
}

Result<Assessment> RiskEngine::Assess(const declaration::Declaration& declaration, Timestamp at) {
  std::vector<DeclarationRecord> lines;
  for (size_t i = 0; i < declaration.goods_items.size(); ++i) {
    lines.push_back(RecordOf(declaration, i, DateOf(at)));
  }
  return AssessRecords(lines);
}

void RiskEngine::Observe(const std::vector<DeclarationRecord>& lines) {
  std::unique_lock lock(state_mu_);
  for (const auto& line : lines) history_.Observe(line, false);
}

void RiskEngine::RecordInspection(const DeclarationRecord& line, const InspectionResult& result) {
  std::unique_lock lock(state_mu_);
  history_.LearnLabel(line, result.fraud_found);
}

void RiskEngine::SetProfiles(std::vector<RiskProfile> profiles) {
  std::vector<double> scores;
  {
    std::unique_lock lock(state_mu_);
    profiles_ = std::move(profiles);
    scores = ReferenceScores();
  }
  std::scoped_lock lock(select_mu_);
  reference_scores_ = scores;
  for (auto& [office, selector] : selectors_) selector.Recalibrate(scores);
}

std::vector<RiskProfile> RiskEngine::profiles() const {
  std::shared_lock lock(state_mu_);
  return profiles_;
}

}  // namespace clearway::risk
