// assessment_bench: what assessing every filing costs (issue 7 wired into filing).
// DeclarationService::File() of the clearway-load mix (bench/bench_declarations.h: 1..20 goods
// items) on a file-backed SQLite store (WAL, synchronous=FULL, group commit), with and without
// the assessment, in the same process, so the figures are ratios to a baseline of this run:
//
//   BM_File/0   no assessor: filing as before (the baseline)
//   BM_File/1   assessed: duty quote (demo tariff) + risk decision without a model + routing
//   BM_File/2   assessed with the demo's model (60 trees of depth 4, docs/risk.md) and its
//               profiles, approximate contributions (the server's default)
//   BM_File/3   the same with exact TreeSHAP contributions ([risk] contributions = "exact")
//
// each on 1 and 16 threads (UseRealTime: items_per_second are filings per second of wall
// time). BM_Assess/N times the assessment alone (quote + risk, no store) on one thread.
//
//   build/h-assess-rel/bench/assessment_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "app/demo_risk.h"
#include "app/runtime.h"
#include "app/samples.h"
#include "bench/bench_declarations.h"
#include "common/json.h"
#include "store/sqlite/sqlite_store.h"
#include "tariff/tariff.h"

namespace clearway {
namespace {

constexpr size_t kBodies = 512;

struct Bench {
  std::string dir;
  std::unique_ptr<app::Runtime> runtime;
  std::vector<boost::json::value> bodies;
  std::vector<declaration::Declaration> declarations;
  std::atomic<size_t> next{0};
};

app::LedgerKey BenchKey() {
  std::array<uint8_t, 32> bytes;
  bytes.fill(9);
  app::LedgerKey key;
  key.origin = "clearway.example/bench";
  key.signer = crypto::Ed25519Signer::FromSeed(crypto::Ed25519Seed::FromBytes(bytes).value());
  key.verifier_key = ledger::MakeVerifierKey(key.origin, ledger::NoteKeyType::kEd25519,
                                             key.signer->public_key())
                         .value();
  return key;
}

std::string TempDir(const std::string& name) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             ("clearway-assessment-bench-" + name + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

// The registry and history the model modes share, trained once.
std::string SharedModelDir() {
  static const std::string dir = [] {
    std::string d = TempDir("model");
    app::Config config;
    config.demo = true;
    config.store.data_dir = d;
    store::sqlite::SqliteOptions options;
    options.path = d + "/clearway.db";
    app::LedgerServiceOptions ledger;
    ledger.checkpoint_interval = std::chrono::milliseconds(0);
    auto runtime = app::Runtime::OpenWith(config, store::sqlite::SqliteStore::Open(options).value(),
                                          std::make_unique<SystemClock>(), BenchKey(), ledger)
                       .value();
    (void)tariff::SeedDemoTariff(runtime->tariff(), SystemClock().Now());
    CW_CHECK(runtime->StartAssessment().ok());
    CW_CHECK(app::SeedDemoRisk(*runtime).ok());
    return d;
  }();
  return dir;
}

Bench& For(int mode) {
  static std::mutex mu;
  // Never destroyed: at exit XGBoost's own statics go first, and a booster freed after them
  // touches freed memory. The process ends right after the benchmarks anyway.
  static auto* benches = new std::map<int, std::unique_ptr<Bench>>();
  std::scoped_lock lock(mu);
  auto& slot = (*benches)[mode];
  if (slot) return *slot;
  slot = std::make_unique<Bench>();
  Bench& b = *slot;
  b.dir = TempDir(std::to_string(mode));
  app::Config config;
  config.demo = true;
  config.store.data_dir = b.dir;
  config.risk.default_policy.random_rate = 0;
  if (mode >= 2) {
    const std::string shared = SharedModelDir();
    config.risk.models = shared + "/models";
    config.risk.history = shared + "/risk/history.csv";
    std::filesystem::create_directories(b.dir + "/risk");
    std::filesystem::copy_file(shared + "/risk/profiles.json", b.dir + "/risk/profiles.json");
  }
  if (mode == 3) config.risk.contributions = risk::ContributionMethod::kExactShap;
  store::sqlite::SqliteOptions options;
  options.path = b.dir + "/clearway.db";
  app::LedgerServiceOptions ledger;
  ledger.checkpoint_interval = std::chrono::milliseconds(0);
  b.runtime = app::Runtime::OpenWith(config, store::sqlite::SqliteStore::Open(options).value(),
                                     std::make_unique<SystemClock>(), BenchKey(), ledger)
                  .value();
  (void)tariff::SeedDemoTariff(b.runtime->tariff(), SystemClock().Now());
  if (mode >= 1) CW_CHECK(b.runtime->StartAssessment().ok());
  for (const std::string& text : bench::MakeDeclarationBodies(app::Nordfleisch(), kBodies, 20)) {
    b.bodies.push_back(ParseJson(text).value());
    b.declarations.push_back(declaration::ParseDeclaration(b.bodies.back(),
                                                           SystemClock().Now())
                                 .value());
  }
  return b;
}

identity::Principal Clerk() {
  return {"nordfleisch.clerk", app::Nordfleisch().id, identity::Role::kDeclarant, {}, {}};
}

void BM_File(benchmark::State& state) {
  Bench& b = For(static_cast<int>(state.range(0)));
  const identity::Principal clerk = Clerk();
  const app::Renderer render = [](const app::DeclarationRecord& r) {
    return app::StoredResponse{201, "", r.row.id};
  };
  for (auto _ : state) {
    const size_t i = b.next.fetch_add(1) % b.bodies.size();
    auto filed = b.runtime->declarations().File(clerk, b.bodies[i], false, nullptr, render);
    if (!filed.ok()) state.SkipWithError(filed.error().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_File)
    ->DenseRange(0, 3)
    ->Threads(1)
    ->Threads(16)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The assessment alone: quote + lines + risk decision, nothing stored.
void BM_Assess(benchmark::State& state) {
  Bench& b = For(static_cast<int>(state.range(0)));
  app::Assessor assessor(b.runtime->duty(), *b.runtime->risk(), b.runtime->store());
  size_t i = 0;
  for (auto _ : state) {
    const auto& d = b.declarations[i++ % b.declarations.size()];
    auto assessed = assessor.Assess(d, "BENCH", 1, SystemClock().Now(), true);
    if (!assessed.ok()) state.SkipWithError(assessed.error().ToString().c_str());
    benchmark::DoNotOptimize(assessed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Assess)->DenseRange(1, 3)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace clearway
