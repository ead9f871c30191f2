#include "app/demo_risk.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "app/files.h"
#include "crypto/crypto.h"
#include "risk/risk.h"

namespace clearway::app {

namespace {

namespace decl = clearway::declaration;

// The goods of the demo (app/samples.cc), their usual EUR price per kg and roughly the duty
// the demo tariff takes (docs/tariff.md), and who usually sells them.
struct DemoGoods {
  const char* hs6;
  const char* origin;
  double eur_per_kg;
  double duty_percent;
  const char* seller;
};

constexpr DemoGoods kGoods[] = {
    {"020230", "AR", 9.0, 32.0, "AR30712345678"},   {"160250", "BR", 8.0, 16.6, "BR1234567800019"},
    {"847130", "CN", 45.0, 0.0, "CN914403007152672"}, {"610910", "BD", 12.0, 0.0, "BD123456789"},
    {"500720", "IN", 90.0, 7.5, "IN0123456789"},     {"090121", "CO", 11.0, 0.0, "CO900123456"},
    {"870380", "KR", 25.0, 10.0, "KR1234567890"},    {"940360", "VN", 6.0, 12.5, "VN0312345678"},
    {"220421", "CL", 5.5, 11.6, "CL76543210"},       {"851713", "TW", 300.0, 0.0, "TW12345678"},
};

// The demo's traders (app/samples.cc) and brokers.
constexpr const char* kNordfleisch = "DE987654321000001";
constexpr const char* kLyon = "FR44123456700017";
constexpr const char* kHanse = "DE123456789012345";
constexpr const char* kOtherBroker = "NL800123456000001";
constexpr const char* kShenzhen = "CN914403007152672";  // the samples' exporter
constexpr int kImporters = 30;
constexpr int kDishonest = 5;  // importers 0..4 cheat often
constexpr int kDays = 120;

constexpr size_t kDemoRows = 4000;
constexpr uint64_t kDemoSeed = 20261124;

risk::TrainingOptions DemoTraining() {
  risk::TrainingOptions options;
  options.rounds = 40;
  options.learning_rate = 0.25;
  options.max_depth = 4;
  // One thread: OpenMP's workers spin while they wait, which on a busy machine costs more than
  // the second core gives for a model this small.
  options.threads = 1;
  return options;
}

risk::RiskProfile Profile(const char* id, const char* description, const char* instructions,
                          std::optional<risk::Lane> lane, double weight,
                          std::vector<std::string> prefixes, std::vector<std::string> origins,
                          std::optional<double> max_value_per_kg, risk::ProfileStatus status) {
  risk::RiskProfile p;
  p.id = id;
  p.description = description;
  p.instructions = instructions;
  p.lane = lane;
  p.weight = weight;
  p.conditions.commodity_prefixes = std::move(prefixes);
  p.conditions.origins = std::move(origins);
  p.conditions.max_value_per_kg = max_value_per_kg;
  p.status = status;
  return p;
}

struct DemoModel {
  risk::FraudModel model;
  risk::RankingMetrics metrics;
};

// TrainDemo() is risk::TrainWithHoldout() in one pass over the features: with labels frozen at
// the split (as ScorePeriod() does), a row before the split sees exactly the labels it would
// see in a training-only pass, so the earlier rows train and the later ones measure.
Result<DemoModel> TrainDemo(const std::vector<risk::DeclarationRecord>& history,
                            const risk::TimeSplit& split, const risk::TrainingOptions& options) {
  risk::FeatureBuilder builder;
  risk::FeatureMatrix all =
      risk::BuildFeatures(history, builder, risk::LabelPolicy{split.eval_from});
  risk::FeatureMatrix train;
  std::vector<std::vector<float>> eval_rows;
  std::vector<bool> eval_fraud;
  std::vector<double> eval_duties;
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].date < split.eval_from) {
      train.rows.push_back(std::move(all.rows[i]));
      train.labels.push_back(history[i].fraud.value_or(false) ? 1.0f : 0.0f);
    } else {
      eval_rows.push_back(std::move(all.rows[i]));
      eval_fraud.push_back(history[i].fraud.value_or(false));
      eval_duties.push_back(history[i].duty);
    }
  }
  CW_ASSIGN_OR_RETURN(risk::FraudModel model, risk::FraudModel::Train(train, options));
  CW_ASSIGN_OR_RETURN(std::vector<double> scores, model.Predict(eval_rows));
  CW_ASSIGN_OR_RETURN(risk::RankingMetrics metrics,
                      risk::Evaluate(scores, eval_fraud, eval_duties));
  return DemoModel{std::move(model), std::move(metrics)};
}

}  // namespace

std::vector<risk::DeclarationRecord> GenerateDemoHistory(Date end, size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> noise(0, 0.1);
  const std::chrono::sys_days first = std::chrono::sys_days(end) - std::chrono::days(kDays);
  std::vector<risk::DeclarationRecord> out;
  out.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    risk::DeclarationRecord r;
    r.id = "DEMO-" + std::to_string(100000 + i);
    r.date = first + std::chrono::days(static_cast<int>(static_cast<double>(i) * kDays /
                                                        static_cast<double>(rows)));
    double who = u(rng);
    int importer = static_cast<int>(u(rng) * kImporters);
    bool dishonest = false;
    if (who < 0.15) {
      r.importer = kNordfleisch;
    } else if (who < 0.25) {
      r.importer = kLyon;
    } else {
      dishonest = importer < kDishonest;
      r.importer = "DE40000000000" + std::to_string(1000 + importer);
    }
    double agent = u(rng);
    r.declarant = agent < 0.4 ? r.importer : (agent < 0.8 ? kHanse : kOtherBroker);
    double office = u(rng);
    r.office = office < 0.6 ? "DE004700" : (office < 0.9 ? "FR693000" : "NL000396");
    r.procedure = "4000";
    r.transport_mode = "1";
    const DemoGoods& g = kGoods[static_cast<size_t>(u(rng) * static_cast<double>(std::size(kGoods)))];
    r.hs6 = g.hs6;
    r.origin = g.origin;
    bool via_shenzhen = u(rng) < 0.5;
    r.seller = via_shenzhen ? kShenzhen : g.seller;
    r.departure = via_shenzhen ? "CN" : g.origin;
    r.net_mass_kg = std::round(50 + u(rng) * 5000);
    bool undervalued = u(rng) < 0.04;
    double unit = g.eur_per_kg * std::exp(noise(rng)) * (undervalued ? 0.35 : 1.0);
    r.item_price = std::round(r.net_mass_kg * unit * 100) / 100;
    r.tax_rate_percent = g.duty_percent;
    r.duty = r.item_price * g.duty_percent / 100;
    double p = dishonest ? 0.6 : (undervalued ? 0.75 : 0.02);
    r.fraud = u(rng) < p;
    r.critical = *r.fraud ? 1 : 0;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<risk::RiskProfile> DemoProfiles() {
  using risk::Lane;
  using risk::ProfileStatus;
  return {
      Profile("MEAT-AR-COLDCHAIN",
              "Frozen bovine meat from Argentina: cold chain and veterinary controls (demo)",
              "Check the reefer container's temperature log and the veterinary certificate "
              "(N853); weigh two pallets.",
              Lane::kRed, 0.3, {"0202"}, {"AR"}, std::nullopt, ProfileStatus::kActive),
      Profile("TEX-BD-LOWVAL", "Knitted T-shirts from Bangladesh declared under 6 EUR per kg",
              "Compare the invoice with the sales contract and the proof of payment.",
              Lane::kYellow, 0.2, {"6109"}, {"BD"}, 6.0, ProfileStatus::kActive),
      Profile("FURN-VN-ORIGIN",
              "Wooden furniture from Viet Nam: anti-dumping duty by producer (demo)",
              "Check the producer named on the certificate of origin against the declared "
              "exporter.",
              std::nullopt, 0.15, {"9403"}, {"VN"}, std::nullopt, ProfileStatus::kActive),
      Profile("PHONE-TW-LOWVAL",
              "Smartphones from Taiwan declared under 150 EUR per kg (a draft: test it first)",
              "Ask for the purchase order and compare the unit price with the list price.",
              std::nullopt, 0.4, {"851713"}, {"TW"}, 150.0, ProfileStatus::kDraft),
  };
}

Status SeedDemoRisk(Runtime& runtime) {
  RiskService* risk = runtime.risk();
  if (risk == nullptr) {
    return Error::FailedPrecondition("risk-engine-unavailable", "the runtime has no risk engine");
  }
  const std::string dir = runtime.config().store.data_dir;
  const std::string history_path = dir + "/risk/history.csv";
  const Timestamp now = runtime.clock().Now();
  std::vector<risk::DeclarationRecord> history;
  std::string history_text;
  if (std::filesystem::exists(history_path)) {
    CW_ASSIGN_OR_RETURN(history_text, ReadFile(history_path));
  } else {
    history = GenerateDemoHistory(DateOf(now), kDemoRows, kDemoSeed);
    history_text = risk::WriteCsv(history);
    std::error_code ec;
    std::filesystem::create_directories(dir + "/risk", ec);
    CW_RETURN_IF_ERROR(WriteFileAtomic(history_path, history_text, 0600));
  }
  ModelRegistry& registry = risk->models();  // DATA_DIR/models, or shared on PostgreSQL
  CW_ASSIGN_OR_RETURN(ModelRegistry::Current current, registry.LoadCurrent());
  if (!current.model) {
    if (history.empty()) {
      CW_ASSIGN_OR_RETURN(history, risk::ReadCsv(history_text, risk::KcsSchema()));
    }
    CW_ASSIGN_OR_RETURN(risk::TimeSplit split, risk::ChooseSplit(history, 0.2));
    const risk::TrainingOptions options = DemoTraining();
    const auto started = std::chrono::steady_clock::now();
    CW_ASSIGN_OR_RETURN(DemoModel trained, TrainDemo(history, split, options));
    risk::ModelMetadata meta;
    meta.created_at = FormatTimestamp(now);
    meta.schema = "clearway-demo (KCS layout)";
    meta.data_sha256 = crypto::ToHex(crypto::Sha256(history_text));
    meta.split = split;
    meta.metrics = trained.metrics;
    meta.options = options;
    meta.training_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    meta.feature_names = risk::FeatureBuilder::FeatureNames();
    auto saved = registry.Save(trained.model, meta);
    if (!saved.ok() && saved.error().code != ErrorCode::kAlreadyExists) {
      return std::move(saved).error();
    }
    // Saved before (a first start stopped in between): the file registry's name is its
    // directory, the shared one's the id.
    std::string name = saved.ok() ? *saved : trained.model.id();
    Status promoted = registry.Promote(name, current.generation);
    // Another node's demo promoted its model first: that one is kept.
    if (!promoted.ok() && promoted.error().reason != "model-promotion-conflict") return promoted;
  }
  CW_ASSIGN_OR_RETURN(bool seeded, risk->profiles().CreateIfEmpty(DemoProfiles(), "demo", now));
  (void)seeded;  // false on later starts: the analysts' profiles stay as they are
  return risk->Reload();
}

bool DemoDecisionApplies(Runtime& runtime, const std::string& declaration_id,
                         decl::Action action) {
  auto row = runtime.store().GetDeclaration(declaration_id, std::nullopt);
  if (!row.ok()) return false;
  auto status = decl::ParseStatus(row->status);
  auto channel = decl::ParseChannel(row->channel);
  if (!status.ok() || !channel.ok()) return false;
  return decl::Apply(*status, *channel, action, decl::ActorKind::kOfficer).ok();
}

}  // namespace clearway::app
