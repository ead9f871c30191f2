// risk_bench: training time on the full public file and scoring latency per declaration.
//
//   build/h-risk-rel/bench/risk_bench                     (Release build; data from
//   CLEARWAY_FRAUD_DATA or <source>/../shared/data/fraud/train.csv)
//
// BM_TrainFullFile trains with the default options on the earliest 75 % of the file (the
// split `clearway risk train` uses) and reports the held-out precision as counters.
// BM_AssessDeclaration times RiskEngine::AssessRecords() (features, model probability, three
// contributions, anomaly, profiles, lane) for held-out lines one by one and reports the p50
// and p99 of the per-call latency in microseconds; /0 with exact TreeSHAP contributions, /1
// with XGBoost's approximate ones.
// BM_FeaturiseLine times FeatureBuilder::Featurise() + UnitPriceAnomaly() (what the engine
// reads per goods line) for held-out lines against the history of the earlier 75 %; no model,
// no training. BM_ObserveLine times FeatureBuilder::Observe() of held-out lines (the price
// windows full, so every call also evicts a price).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <benchmark/benchmark.h>

#include "risk/risk.h"

namespace {

using namespace clearway;

const std::vector<risk::DeclarationRecord>& Records() {
  static const std::vector<risk::DeclarationRecord> records = [] {
    const char* env = std::getenv("CLEARWAY_FRAUD_DATA");
    std::string path =
        env != nullptr ? env : std::string(CLEARWAY_SOURCE_DIR) + "/../shared/data/fraud/train.csv";
    auto loaded = risk::ReadCsvFile(path, risk::KcsSchema());
    if (!loaded.ok()) {
      std::cerr << "risk_bench: " << loaded.error() << "\n";
      std::exit(2);
    }
    return *loaded;
  }();
  return records;
}

void BM_TrainFullFile(benchmark::State& state) {
  const auto& records = Records();
  auto split = risk::ChooseSplit(records, 0.25);
  if (!split.ok()) {
    state.SkipWithError("split failed");
    return;
  }
  risk::RankingMetrics metrics;
  double fit_seconds = 0;
  for (auto _ : state) {
    auto trained = risk::TrainWithHoldout(records, *split, risk::TrainingOptions{});
    if (!trained.ok()) {
      state.SkipWithError("training failed");
      return;
    }
    metrics = trained->metrics;
    fit_seconds = trained->training_seconds;
  }
  state.counters["fit_s"] = fit_seconds;
  state.counters["train_rows"] = static_cast<double>(split->train_rows);
  state.counters["p@5"] = metrics.precision_at[5];
  state.counters["p@10"] = metrics.precision_at[10];
  state.counters["auc"] = metrics.auc;
}
BENCHMARK(BM_TrainFullFile)->Iterations(1)->Unit(benchmark::kSecond);

void BM_AssessDeclaration(benchmark::State& state) {
  const auto& records = Records();
  auto split = risk::ChooseSplit(records, 0.25);
  std::vector<risk::DeclarationRecord> history;
  std::vector<risk::DeclarationRecord> later;
  for (const auto& r : records) (r.date < split->eval_from ? history : later).push_back(r);
  auto trained = risk::TrainWithHoldout(records, *split, risk::TrainingOptions{});
  if (!trained.ok()) {
    state.SkipWithError("training failed");
    return;
  }
  auto profiles = risk::ParseProfiles(R"({"profiles": [
      {"id": "P1", "status": "active", "lane": "yellow", "description": "textiles CN",
       "conditions": {"commodity_prefixes": ["61", "62"], "origins": ["CN"]}},
      {"id": "P2", "status": "active", "weight": 0.2, "description": "cheap per kg",
       "conditions": {"value_per_kg": {"max": 100}}}]})");
  risk::EngineConfig config;
  config.random_seed = 1;
  config.contributions = state.range(0) == 0 ? risk::ContributionMethod::kExactShap
                                             : risk::ContributionMethod::kApproximate;
  auto engine = risk::RiskEngine::Create(std::move(trained->model), *profiles, config, history);
  if (!engine.ok()) {
    state.SkipWithError("engine failed");
    return;
  }
  std::vector<double> micros;
  size_t next = 0;
  for (auto _ : state) {
    const auto& line = later[next++ % later.size()];
    auto start = std::chrono::steady_clock::now();
    auto a = (*engine)->AssessRecords({line});
    auto end = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(a);
    micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) {
    return micros[static_cast<size_t>(q * static_cast<double>(micros.size() - 1))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}
// Arg 0: exact TreeSHAP contributions; arg 1: approximate (Saabas) contributions.
BENCHMARK(BM_AssessDeclaration)->Arg(0)->Arg(1)->Iterations(2000)->Unit(benchmark::kMicrosecond);

// The history of the earlier 75 % of the file and the held-out lines after it.
struct Replayed {
  risk::FeatureBuilder history;
  std::vector<risk::DeclarationRecord> later;
};

Replayed& Replay() {
  static Replayed replayed = [] {
    const auto& records = Records();
    auto split = risk::ChooseSplit(records, 0.25);
    if (!split.ok()) {
      std::cerr << "risk_bench: " << split.error() << "\n";
      std::exit(2);
    }
    Replayed r;
    std::vector<risk::DeclarationRecord> earlier;
    for (const auto& line : records) (line.date < split->eval_from ? earlier : r.later).push_back(line);
    risk::BuildFeatures(earlier, r.history, risk::LabelPolicy{});
    return r;
  }();
  return replayed;
}

void BM_FeaturiseLine(benchmark::State& state) {
  const Replayed& r = Replay();
  size_t next = 0;
  for (auto _ : state) {
    const auto& line = r.later[next++ % r.later.size()];
    auto row = r.history.Featurise(line);
    double anomaly = r.history.UnitPriceAnomaly(line);
    benchmark::DoNotOptimize(row);
    benchmark::DoNotOptimize(anomaly);
  }
}
BENCHMARK(BM_FeaturiseLine)->Unit(benchmark::kNanosecond);

void BM_ObserveLine(benchmark::State& state) {
  Replayed& r = Replay();
  size_t next = 0;
  for (auto _ : state) r.history.Observe(r.later[next++ % r.later.size()], false);
}
BENCHMARK(BM_ObserveLine)->Unit(benchmark::kNanosecond);

}  // namespace
