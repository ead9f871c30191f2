// stage_bench: one micro-benchmark per stage of filing a declaration, each beside the baseline
// that bounds it, measured in the same process on the same machine:
//
//   stage                          benchmark                    baseline (same binary)
//   parse the JSON body            BM_ParseBody                 BM_BaselineBoostJsonParse
//   validate into a Declaration    BM_Validate                  (parse: BM_ParseBody)
//   canonical payload              BM_CanonicalPayload          BM_BaselineBoostJsonSerialize
//   duty quote (demo tariff)       BM_Quote/1 (in-memory index) BM_Quote/0 (SQLite look-ups)
//   JSON of the filing: idem-     BM_IdempotencyBody,          BM_BaselineBoostJsonParse,
//     potency hash, stored quote,  BM_QuoteRow, BM_QuoteSummary, BM_BaselineBoostJsonSerialize
//     the 201's rendering          BM_RenderPayload
//   risk score                     BM_Score/0 (no model),       BM_Score/2 (the model, every
//                                  BM_Score/1 (400-tree model,   lane explained)
//                                  controlled lanes explained),
//                                  BM_Score/3 (as /1, and each
//                                  declaration observed after it
//                                  is scored, the price windows
//                                  full: a server's risk work)
//     the model's part of it                                    BM_BaselineXgboostPredict/0,1
//     explaining one line                                       BM_BaselineXgboostContrib/0,1
//   encrypt the payload            BM_Encrypt                   BM_BaselineAead
//   seal (commitments + leaves)    BM_Seal                      BM_BaselineSha256Leaf*
//   ledger append (leaf hash +     BM_LedgerAppend,             BM_BaselineSha256LeafOpenssl
//     tree nodes, in memory)       BM_LedgerAppendBatch256,
//                                  BM_LedgerAppendHashedBatch256
//                                  (leaf hashes given, as the
//                                  store's writer appends them)
//   inclusion proof at 10M leaves  BM_InclusionProof10M         -
//   store commit (SQLite, WAL,     BM_StoreCommit/threads:N     BM_BaselineSqliteInsert/rows,
//     synchronous=FULL, group)                                  BM_BaselineSqliteFiling/decls
//                                                               (the three rows a filing keeps)
//
// "Per declaration" figures use the same mix of declarations as clearway-load (1..20 goods
// items, bench/bench_declarations.h); a filing makes 3 ledger leaves (the version and two
// transitions). bench/run.sh turns the JSON output into the table of docs/performance.md.
//
//   build/h-bench-rel/bench/stage_bench --benchmark_min_time=0.2
//   CLEARWAY_BENCH_PROOF_LEAVES=1000000 ...   (a smaller tree for a quick run)
//
// "Encrypt" is envelope encryption of the payload: a fresh data key per record, the payload
// sealed under it, the data key wrapped under a key-encryption key; with src/keys (keys::Seal,
// keys::GenerateDataKey) when the build has it (CLEARWAY_HAVE_KEYS), else the same shape with
// libsodium directly. The baselines call SQLite, OpenSSL, libsodium and XGBoost directly: they
// are the limits the project's code is compared with, the floor of a declaration's filing with
// none of our own code around the libraries.
#include <sodium.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <xgboost/c_api.h>

#include "app/assessment.h"
#include "app/data_views.h"
#include "app/samples.h"
#include "bench/bench_declarations.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "declaration/declaration.h"
#ifdef CLEARWAY_HAVE_KEYS
#include "keys/data_key.h"
#include "keys/envelope.h"
#endif
#include "ledger/leaf.h"
#include "ledger/merkle.h"
#include "ledger/merkle_log.h"
#include "ledger/tree_store.h"
#include "risk/risk.h"
#include "store/ledger_records.h"
#include "store/sqlite/sqlite_store.h"
#include "tariff/caching_tariff_store.h"
#include "tariff/demo_tariff.h"
#include "tariff/sqlite/sqlite_tariff_store.h"
#include "tariff/tariff.h"

namespace clearway::bench {
namespace {

constexpr size_t kBodies = 512;
constexpr int kMaxItems = 20;
constexpr int kLeavesPerFiling = 3;  // the version and the submitted/accepted transitions
const Timestamp kNow = ParseTimestamp("2026-11-20T10:00:00Z").value();

// ---- Shared inputs ---------------------------------------------------------------------------

// TempDir is a directory under /tmp (or $TMPDIR) removed with its contents at exit.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            ("clearway-stage-bench-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct Inputs {
  std::vector<std::string> bodies;
  std::vector<boost::json::value> json;
  std::vector<declaration::Declaration> declarations;
  std::vector<std::string> payloads;  // canonical JSON, as stored
  double mean_items = 0;
  double mean_body_bytes = 0;
};

const Inputs& TheInputs() {
  static const Inputs* inputs = [] {
    auto* in = new Inputs();  // lives for the whole run
    in->bodies = MakeDeclarationBodies(app::Nordfleisch(), kBodies, kMaxItems);
    for (const std::string& body : in->bodies) {
      auto json = ParseJson(body);
      CW_CHECK(json.ok());
      auto parsed = declaration::ParseDeclaration(*json, kNow);
      if (!parsed.ok()) {  // the mix must be valid, or the benchmark measures refusals
        std::cerr << "stage_bench: invalid sample: " << parsed.error().ToString() << "\n";
        std::exit(2);
      }
      in->mean_items += static_cast<double>(parsed->goods_items.size());
      in->mean_body_bytes += static_cast<double>(body.size());
      in->payloads.push_back(CanonicalJson(declaration::ToJson(*parsed)));
      in->json.push_back(std::move(json).value());
      in->declarations.push_back(std::move(parsed).value());
    }
    in->mean_items /= static_cast<double>(kBodies);
    in->mean_body_bytes /= static_cast<double>(kBodies);
    return in;
  }();
  return *inputs;
}

void PerDeclaration(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations());
  state.counters["mean_items"] = TheInputs().mean_items;
  state.counters["mean_body_bytes"] = TheInputs().mean_body_bytes;
}

// ---- Parse and validate ----------------------------------------------------------------------

void BM_BaselineBoostJsonParse(benchmark::State& state) {
  const Inputs& in = TheInputs();
  size_t next = 0;
  for (auto _ : state) {
    boost::system::error_code ec;
    benchmark::DoNotOptimize(boost::json::parse(in.bodies[next++ % kBodies], ec));
  }
  PerDeclaration(state);
}
BENCHMARK(BM_BaselineBoostJsonParse);

void BM_ParseBody(benchmark::State& state) {
  const Inputs& in = TheInputs();
  size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ParseJson(in.bodies[next++ % kBodies]));
  PerDeclaration(state);
}
BENCHMARK(BM_ParseBody);

void BM_Validate(benchmark::State& state) {
  const Inputs& in = TheInputs();
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(declaration::ParseDeclaration(in.json[next++ % kBodies], kNow));
  }
  PerDeclaration(state);
}
BENCHMARK(BM_Validate);

void BM_BaselineBoostJsonSerialize(benchmark::State& state) {
  const Inputs& in = TheInputs();
  size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(boost::json::serialize(in.json[next++ % kBodies]));
  PerDeclaration(state);
}
BENCHMARK(BM_BaselineBoostJsonSerialize);

// The stored payload: the declaration back to JSON, canonicalised (keys sorted).
void BM_CanonicalPayload(benchmark::State& state) {
  const Inputs& in = TheInputs();
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CanonicalJson(declaration::ToJson(in.declarations[next++ % kBodies])));
  }
  PerDeclaration(state);
}
BENCHMARK(BM_CanonicalPayload);

// ---- Duty quote ------------------------------------------------------------------------------

struct TariffWorld {
  TempDir dir{"tariff"};
  std::unique_ptr<tariff::sqlite::SqliteTariffStore> store;  // look-ups in SQLite
  std::unique_ptr<tariff::CachingTariffStore> cached;        // the server's: in-memory index
  FakeClock clock{kNow};
  std::unique_ptr<tariff::DutyEngine> engine;
  std::unique_ptr<tariff::DutyEngine> cached_engine;
};

TariffWorld& TheTariff() {
  static TariffWorld* world = [] {
    auto* w = new TariffWorld();
    w->store = tariff::sqlite::SqliteTariffStore::Open(w->dir.File("tariff.db")).value();
    CW_CHECK(tariff::SeedDemoTariff(*w->store, ParseTimestamp("2026-01-01T00:00:00Z").value()).ok());
    w->engine = std::make_unique<tariff::DutyEngine>(*w->store, w->clock);
    w->cached = std::make_unique<tariff::CachingTariffStore>(
        tariff::sqlite::SqliteTariffStore::Open(w->dir.File("tariff.db")).value());
    w->cached_engine = std::make_unique<tariff::DutyEngine>(*w->cached, w->clock);
    return w;
  }();
  return *world;
}

// The duty quote of a filing on the demo tariff (the demo's goods codes), as a quote: without
// quota draws (filing draws them in its own write). Arg 0 reads the tariff in SQLite, arg 1
// through the in-memory index the server uses (CachingTariffStore over the same file).
void BM_Quote(benchmark::State& state) {
  const Inputs& in = TheInputs();
  TariffWorld& world = TheTariff();
  tariff::DutyEngine& engine = state.range(0) == 1 ? *world.cached_engine : *world.engine;
  size_t next = 0;
  int64_t failed = 0;
  for (auto _ : state) {
    auto quote = engine.Quote(in.declarations[next++ % kBodies]);
    if (!quote.ok()) ++failed;
    benchmark::DoNotOptimize(quote);
  }
  PerDeclaration(state);
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK(BM_Quote)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// ---- JSON of a filing (perf3) ------------------------------------------------------------------
// The JSON steps of DeclarationService::File besides the payload (BM_CanonicalPayload): the
// idempotency hash's canonical body, the stored quote (QuoteToJson + CanonicalJson), and the
// 201's rendering: the quote summary re-read from the stored quote and the declaration passed
// through the filer's data view and serialised (api/routes.cc Resource()).

struct QuoteRows {
  std::vector<tariff::DutyQuote> quotes;
  std::vector<store::AssessmentRow> rows;  // the stored quote JSON
};

const QuoteRows& TheQuoteRows() {
  static const QuoteRows* rows = [] {
    auto* r = new QuoteRows();
    for (const auto& d : TheInputs().declarations) {
      auto quote = TheTariff().cached_engine->Quote(d);
      CW_CHECK(quote.ok());
      store::AssessmentRow row;
      row.quote = CanonicalJson(tariff::QuoteToJson(*quote));
      r->rows.push_back(std::move(row));
      r->quotes.push_back(std::move(quote).value());
    }
    return r;
  }();
  return *rows;
}

void BM_IdempotencyBody(benchmark::State& state) {
  const Inputs& in = TheInputs();
  size_t next = 0;
  for (auto _ : state) {
    auto parsed = ParseJson(in.bodies[next++ % kBodies]);
    benchmark::DoNotOptimize(CanonicalJson(*parsed));
  }
  PerDeclaration(state);
}
BENCHMARK(BM_IdempotencyBody);

void BM_QuoteRow(benchmark::State& state) {
  const QuoteRows& rows = TheQuoteRows();
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CanonicalJson(tariff::QuoteToJson(rows.quotes[next++ % kBodies])));
  }
  PerDeclaration(state);
}
BENCHMARK(BM_QuoteRow);

void BM_QuoteSummary(benchmark::State& state) {
  const QuoteRows& rows = TheQuoteRows();
  size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(app::QuoteSummaryOf(rows.rows[next++ % kBodies]));
  PerDeclaration(state);
}
BENCHMARK(BM_QuoteSummary);

void BM_RenderPayload(benchmark::State& state) {
  const Inputs& in = TheInputs();
  const app::Pseudonymiser pseudonymise = [](std::string_view v) { return std::string(v); };
  size_t next = 0;
  for (auto _ : state) {
    auto payload = ParseJson(in.payloads[next++ % kBodies]);
    boost::json::object full{{"id", "01J"}, {"declaration", std::move(payload).value()}};
    auto shown = app::Minimise(full, app::DataView::kFiler, app::ViewedResource::kDeclaration,
                               pseudonymise);
    benchmark::DoNotOptimize(boost::json::serialize(*shown));
  }
  PerDeclaration(state);
}
BENCHMARK(BM_RenderPayload);

// ---- Risk score ------------------------------------------------------------------------------

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string SourceDir() {
  const char* root = std::getenv("CLEARWAY_SOURCE_DIR");
  return root != nullptr ? root : CLEARWAY_SOURCE_DIR;
}

// The fraud data of the model: the first 12,000 lines of the public data (prediction cost
// depends on the trees, not on how many rows trained them), read once.
const std::vector<risk::DeclarationRecord>& TheFraudRecords() {
  static const std::vector<risk::DeclarationRecord>* records = [] {
    const char* env = std::getenv("CLEARWAY_FRAUD_DATA");
    const std::string data = env != nullptr ? env : SourceDir() + "/../shared/data/fraud/train.csv";
    auto read = risk::ReadCsvFile(data, risk::KcsSchema());
    CW_CHECK(read.ok());
    if (read->size() > 12000) read->resize(12000);
    return new std::vector<risk::DeclarationRecord>(std::move(read).value());
  }();
  return *records;
}

// The bytes of the fraud model trained with the default options (400 trees of depth 7) on
// TheFraudRecords(), trained once: every benchmark below that uses a model loads these bytes.
const std::string& TheFraudModelBytes() {
  static const std::string* bytes = [] {
    const auto& records = TheFraudRecords();
    auto split = risk::ChooseSplit(records, 0.25);
    CW_CHECK(split.ok());
    auto trained = risk::TrainWithHoldout(records, *split, risk::TrainingOptions{});
    CW_CHECK(trained.ok());
    return new std::string(trained->model.bytes());
  }();
  return *bytes;
}

// A risk engine as a server would run it: the example profiles, the fraud model
// (TheFraudModelBytes()), approximate contributions, for the lanes someone reads (yellow,
// red, blue). Arg 0 leaves the model out (profiles and the price anomaly only); arg 2 explains
// green declarations too.
std::unique_ptr<risk::RiskEngine> MakeRiskEngine(bool with_model, bool explain_green) {
  std::optional<risk::FraudModel> model;
  if (with_model) {
    auto loaded = risk::FraudModel::FromBytes(TheFraudModelBytes());
    CW_CHECK(loaded.ok());
    model = std::move(loaded).value();
  }
  auto profiles = risk::ParseProfiles(ReadText(SourceDir() + "/docs/risk-profiles-example.json"));
  CW_CHECK(profiles.ok());
  risk::EngineConfig config;
  config.random_seed = 1;
  config.contributions = risk::ContributionMethod::kApproximate;
  config.explain_green = explain_green;
  auto engine = risk::RiskEngine::Create(std::move(model), *profiles, config, TheFraudRecords());
  CW_CHECK(engine.ok());
  return std::move(engine).value();
}

void BM_Score(benchmark::State& state) {
  // Leaked on purpose: XGBoost's own statics are gone by the time ours would be destroyed.
  static risk::RiskEngine* engines[4] = {nullptr, nullptr, nullptr, nullptr};
  const int64_t kind = state.range(0);
  risk::RiskEngine*& engine = engines[kind];
  const Inputs& in = TheInputs();
  // A server observes every filing after scoring it, so the price windows of the goods it
  // keeps seeing are full (256 prices): /3 scores and observes, after a warm-up that fills them.
  const bool observe = kind == 3;
  auto lines_of = [](const declaration::Declaration& d) {
    std::vector<risk::DeclarationRecord> lines;
    for (size_t i = 0; i < d.goods_items.size(); ++i) {
      lines.push_back(risk::RecordOf(d, i, DateOf(kNow)));
    }
    return lines;
  };
  if (engine == nullptr) {
    engine = MakeRiskEngine(kind != 0, kind == 2).release();
    for (int round = 0; observe && round < 24; ++round) {
      for (const auto& d : in.declarations) engine->Observe(lines_of(d));
    }
  }
  size_t next = 0;
  int64_t failed = 0;
  for (auto _ : state) {
    const declaration::Declaration& d = in.declarations[next++ % kBodies];
    auto assessment = engine->Assess(d, kNow);
    if (!assessment.ok()) ++failed;
    if (observe) engine->Observe(lines_of(d));
    benchmark::DoNotOptimize(assessment);
  }
  PerDeclaration(state);
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK(BM_Score)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMicrosecond);

// The limits of the model's part of BM_Score: the XGBoost C API alone, on the same model
// (TheFraudModelBytes(), loaded as FraudModel::FromBytes does: one thread, silent) and on the
// feature rows the engine would build for each declaration (one row per goods item, the
// engine's history: FeatureBuilder over TheFraudRecords()), featurised once outside the timed
// loop. Handles are leaked like BM_Score's engines (XGBoost's statics go first at exit).
struct XgbWorld {
  BoosterHandle booster = nullptr;
  DMatrixHandle proxy = nullptr;       // for in-place prediction, as risk's ThreadProxy()
  std::vector<std::vector<float>> dense;  // per declaration: its rows, one after the other
  std::vector<std::string> interfaces;    // per declaration: the __array_interface__ of dense
  std::vector<std::vector<float>> lines;  // every goods line of every declaration, one row each
  std::vector<DMatrixHandle> line_matrices;  // per line: a one-row DMatrix
  size_t width = 0;
  double mean_rows = 0;
};

void CheckXgb(int rc) {
  if (rc != 0) {
    std::cerr << "stage_bench: xgboost: " << XGBGetLastError() << "\n";
    std::exit(2);
  }
}

// The array interface XGBoosterPredictFromDense reads (as FraudModel::Predict writes it).
std::string ArrayInterface(const float* data, size_t rows, size_t width) {
  return R"({"data": [)" + std::to_string(reinterpret_cast<uintptr_t>(data)) +
         R"(, true], "shape": [)" + std::to_string(rows) + ", " + std::to_string(width) +
         R"(], "typestr": "<f4", "version": 3})";
}

const XgbWorld& TheXgb() {
  static const XgbWorld* world = [] {
    auto* w = new XgbWorld();
    const std::string& bytes = TheFraudModelBytes();
    CheckXgb(XGBoosterCreate(nullptr, 0, &w->booster));
    CheckXgb(XGBoosterLoadModelFromBuffer(w->booster, bytes.data(), bytes.size()));
    CheckXgb(XGBoosterSetParam(w->booster, "verbosity", "0"));
    CheckXgb(XGBoosterSetParam(w->booster, "nthread", "1"));
    CheckXgb(XGProxyDMatrixCreate(&w->proxy));
    w->width = risk::FeatureBuilder::FeatureNames().size();
    risk::FeatureBuilder history;
    risk::BuildFeatures(TheFraudRecords(), history, risk::LabelPolicy{});
    for (const auto& d : TheInputs().declarations) {
      std::vector<float> rows;
      for (size_t i = 0; i < d.goods_items.size(); ++i) {
        std::vector<float> row = history.Featurise(risk::RecordOf(d, i, DateOf(kNow)));
        CW_CHECK(row.size() == w->width);
        rows.insert(rows.end(), row.begin(), row.end());
        DMatrixHandle line = nullptr;
        CheckXgb(XGDMatrixCreateFromMat(row.data(), 1, w->width, std::nanf(""), &line));
        w->line_matrices.push_back(line);
        w->lines.push_back(std::move(row));
      }
      w->mean_rows += static_cast<double>(d.goods_items.size());
      w->dense.push_back(std::move(rows));
    }
    for (size_t k = 0; k < w->dense.size(); ++k) {
      w->interfaces.push_back(ArrayInterface(w->dense[k].data(), w->dense[k].size() / w->width,
                                             w->width));
    }
    w->mean_rows /= static_cast<double>(w->dense.size());
    return w;
  }();
  return *world;
}

// Predict type 0 (the probability) or 3 (approximate contributions, + bias column).
std::string PredictConfig(int type) {
  return R"({"type": )" + std::to_string(type) +
         R"(, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
         R"( "strict_shape": false, "missing": NaN, "cache_id": 0})";
}

// The 400 trees over one declaration's rows (the floor of BM_Score/1's prediction).
// Arg 0: in-place prediction (XGBoosterPredictFromDense, the path FraudModel::Predict takes),
// the array interface written per call over rows laid out once. Arg 1: the same with the
// array interface written once too (XGBoost still parses it per call): the absolute floor of
// this API. (XGBoosterPredictFromDMatrix over a DMatrix built once is no floor: XGBoost caches
// the predictions of a DMatrix it has seen, so from the second call on it walks no tree: 8 us
// per declaration against 130 us in-place on 2026-11-24. A DMatrix built per call adds its
// making to the trees: compare BM_BaselineXgboostContrib/0 with /1.)
void BM_BaselineXgboostPredict(benchmark::State& state) {
  const XgbWorld& xgb = TheXgb();
  const std::string config = PredictConfig(0);
  const bool interface_per_call = state.range(0) == 0;
  size_t next = 0;
  for (auto _ : state) {
    const size_t k = next++ % kBodies;
    const std::string interface =
        interface_per_call ? ArrayInterface(xgb.dense[k].data(), xgb.dense[k].size() / xgb.width,
                                            xgb.width)
                           : std::string();
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* out = nullptr;
    CheckXgb(XGBoosterPredictFromDense(
        xgb.booster, interface_per_call ? interface.c_str() : xgb.interfaces[k].c_str(),
        config.c_str(), xgb.proxy, &shape, &dim, &out));
    benchmark::DoNotOptimize(out);
  }
  PerDeclaration(state);
  state.counters["rows"] = xgb.mean_rows;
}
BENCHMARK(BM_BaselineXgboostPredict)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The same trees over the rows of 32 declarations in one call (what a server scoring the
// filings in flight together would do): does XGBoost walk a row for less in a larger block?
// Items are declarations, so the time compares with BM_BaselineXgboostPredict per declaration.
void BM_BaselineXgboostPredictBatch32(benchmark::State& state) {
  constexpr size_t kBatch = 32;
  const XgbWorld& xgb = TheXgb();
  const std::string config = PredictConfig(0);
  std::vector<float> rows;
  for (size_t k = 0; k < kBatch; ++k) {
    rows.insert(rows.end(), xgb.dense[k % kBodies].begin(), xgb.dense[k % kBodies].end());
  }
  const std::string interface = ArrayInterface(rows.data(), rows.size() / xgb.width, xgb.width);
  for (auto _ : state) {
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* out = nullptr;
    CheckXgb(XGBoosterPredictFromDense(xgb.booster, interface.c_str(), config.c_str(), xgb.proxy,
                                       &shape, &dim, &out));
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
  state.counters["rows"] = static_cast<double>(rows.size() / xgb.width) / kBatch;
}
BENCHMARK(BM_BaselineXgboostPredictBatch32)->Unit(benchmark::kMicrosecond);

// XGBoost's approximate contributions (pred_contribs, approx_contribs: what RiskEngine computes
// for the best line of a yellow or red declaration) of ONE goods line: the floor of explaining
// a line. Contributions need a DMatrix (in-place prediction has no contributions in 1.7).
// Arg 0: a one-row DMatrix made per call (XGDMatrixCreateFromMat, as
// FraudModel::TopContributions does); arg 1: one made once per line, outside the loop (the
// absolute floor; contributions are not cached). Items are lines.
void BM_BaselineXgboostContrib(benchmark::State& state) {
  const XgbWorld& xgb = TheXgb();
  const std::string config = PredictConfig(3);
  const bool matrix_per_call = state.range(0) == 0;
  size_t next = 0;
  for (auto _ : state) {
    const size_t k = next++ % xgb.lines.size();
    DMatrixHandle matrix = xgb.line_matrices[k];
    if (matrix_per_call) {
      CheckXgb(XGDMatrixCreateFromMat(xgb.lines[k].data(), 1, xgb.width, std::nanf(""), &matrix));
    }
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* out = nullptr;
    CheckXgb(XGBoosterPredictFromDMatrix(xgb.booster, matrix, config.c_str(), &shape, &dim, &out));
    benchmark::DoNotOptimize(out);
    if (matrix_per_call) XGDMatrixFree(matrix);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["features"] = static_cast<double>(xgb.width);
}
BENCHMARK(BM_BaselineXgboostContrib)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// ---- Encrypt ---------------------------------------------------------------------------------

constexpr size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

// The raw AEAD over the same payloads, one fixed key and nonce: the limit of "encrypt".
void BM_BaselineAead(benchmark::State& state) {
  CW_CHECK(sodium_init() >= 0);
  const Inputs& in = TheInputs();
  std::array<uint8_t, kKeyBytes> key{};
  std::array<uint8_t, kNonceBytes> nonce{};
  std::vector<uint8_t> out(64 * 1024);
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& payload = in.payloads[next++ % kBodies];
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.data(), &written, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(),
        nullptr, 0, nullptr, nonce.data(), key.data());
    bytes += static_cast<int64_t>(payload.size());
    benchmark::DoNotOptimize(out.data());
  }
  PerDeclaration(state);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_BaselineAead);

#ifdef CLEARWAY_HAVE_KEYS
// Envelope encryption of one payload with src/keys: a fresh DataKey (guarded memory), the
// payload sealed under it bound to "<id>@v1" (keys::Seal), and the data key wrapped under a
// key-encryption key (here keys::Seal under a second DataKey: the shape of the provider's Wrap).
void BM_Encrypt(benchmark::State& state) {
  const Inputs& in = TheInputs();
  const keys::DataKey kek = keys::GenerateDataKey().value();
  const std::vector<uint8_t> kek_ad = keys::AssociatedData("kek-1", 1);
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& payload = in.payloads[next++ % kBodies];
    auto data_key = keys::GenerateDataKey();
    CW_CHECK(data_key.ok());
    std::vector<uint8_t> sealed = keys::Seal(*data_key, keys::AsBytes(payload),
                                             keys::AssociatedData("01JD4S7X4T6Q8V2N3M5K7P9R1W", 1));
    std::vector<uint8_t> wrapped = keys::Seal(kek, data_key->InsecureKeyBytes(), kek_ad);
    bytes += static_cast<int64_t>(payload.size());
    benchmark::DoNotOptimize(sealed.data());
    benchmark::DoNotOptimize(wrapped.data());
  }
  PerDeclaration(state);
  state.SetBytesProcessed(bytes);
  state.counters["src_keys"] = 1;
}

// The parts of BM_Encrypt: a fresh DataKey alone (guarded memory: sodium_malloc, mlock,
// mprotect), and keys::Seal of the payload under an existing key.
void BM_EncryptKeyOnly(benchmark::State& state) {
  for (auto _ : state) {
    auto data_key = keys::GenerateDataKey();
    CW_CHECK(data_key.ok());
    benchmark::DoNotOptimize(data_key->valid());
  }
  PerDeclaration(state);
}
BENCHMARK(BM_EncryptKeyOnly);

void BM_EncryptSealOnly(benchmark::State& state) {
  const Inputs& in = TheInputs();
  const keys::DataKey key = keys::GenerateDataKey().value();
  const std::vector<uint8_t> ad = keys::AssociatedData("01JD4S7X4T6Q8V2N3M5K7P9R1W", 1);
  size_t next = 0;
  for (auto _ : state) {
    std::vector<uint8_t> sealed = keys::Seal(key, keys::AsBytes(in.payloads[next++ % kBodies]), ad);
    benchmark::DoNotOptimize(sealed.data());
  }
  PerDeclaration(state);
}
BENCHMARK(BM_EncryptSealOnly);
#else
// Envelope encryption of one payload (src/keys is not built yet): a fresh data key, a fresh
// nonce, the payload sealed under the data key with the record id as associated data, and the
// data key wrapped under the KEK.
void BM_Encrypt(benchmark::State& state) {
  CW_CHECK(sodium_init() >= 0);
  const Inputs& in = TheInputs();
  std::array<uint8_t, kKeyBytes> kek{};
  crypto_aead_xchacha20poly1305_ietf_keygen(kek.data());
  const std::string record_id = "01JD4S7X4T6Q8V2N3M5K7P9R1W@v1";
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& payload = in.payloads[next++ % kBodies];
    std::array<uint8_t, kKeyBytes> data_key;
    crypto_aead_xchacha20poly1305_ietf_keygen(data_key.data());
    std::vector<uint8_t> sealed(kNonceBytes + payload.size() + kTagBytes);
    randombytes_buf(sealed.data(), kNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        sealed.data() + kNonceBytes, &written, reinterpret_cast<const uint8_t*>(payload.data()),
        payload.size(), reinterpret_cast<const uint8_t*>(record_id.data()), record_id.size(),
        nullptr, sealed.data(), data_key.data());
    std::array<uint8_t, kNonceBytes + kKeyBytes + kTagBytes> wrapped;
    randombytes_buf(wrapped.data(), kNonceBytes);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        wrapped.data() + kNonceBytes, &written, data_key.data(), data_key.size(),
        reinterpret_cast<const uint8_t*>(record_id.data()), record_id.size(), nullptr,
        wrapped.data(), kek.data());
    sodium_memzero(data_key.data(), data_key.size());
    bytes += static_cast<int64_t>(payload.size());
    benchmark::DoNotOptimize(sealed.data());
    benchmark::DoNotOptimize(wrapped.data());
  }
  PerDeclaration(state);
  state.SetBytesProcessed(bytes);
  state.counters["src_keys"] = 0;
}
#endif
BENCHMARK(BM_Encrypt);

// ---- Seal and ledger append ------------------------------------------------------------------

// The leaf entries of filings: kind, record id and a commitment (values do not matter here).
std::vector<std::vector<uint8_t>> LeafBytes(size_t count) {
  std::vector<std::vector<uint8_t>> out;
  out.reserve(count);
  for (size_t idx = 0; idx < count; ++idx) {
    ledger::LeafEntry entry;
    entry.kind = std::string(idx % 3 == 0 ? ledger::kKindDeclarationVersion
                                          : ledger::kKindDeclarationTransition);
    entry.record_id = "01JD4S7X4T6Q8V2N3M5K" + std::to_string(100000 + idx / 3) +
                      (idx % 3 == 0 ? "@v1" : "#" + std::to_string(idx % 3));
    entry.commitment[0] = static_cast<uint8_t>(idx);
    out.push_back(ledger::EncodeLeafEntry(entry).value());
  }
  return out;
}

// Raw SHA-256 of the leaf hash input (0x00 || entry) with OpenSSL: the machine's leaf-hash rate
// (SHA-NI where the CPU has it), the same figure `openssl speed sha256` gives for this size.
void BM_BaselineSha256LeafOpenssl(benchmark::State& state) {
  auto leaves = LeafBytes(1024);
  for (auto& leaf : leaves) leaf.insert(leaf.begin(), 0x00);
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  // The digest is fetched once and the context reused, as `openssl speed -evp sha256` does.
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                                     &EVP_MD_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  CW_CHECK(md != nullptr && ctx != nullptr);
  size_t next = 0;
  for (auto _ : state) {
    const auto& leaf = leaves[next++ % leaves.size()];
    unsigned int length = 0;
    EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr);
    EVP_DigestUpdate(ctx.get(), leaf.data(), leaf.size());
    EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["leaf_bytes"] = static_cast<double>(leaves[0].size());
}
BENCHMARK(BM_BaselineSha256LeafOpenssl);

// The same with libsodium's crypto_hash_sha256, which crypto::Sha256 (and so the ledger) uses.
void BM_BaselineSha256LeafSodium(benchmark::State& state) {
  auto leaves = LeafBytes(1024);
  for (auto& leaf : leaves) leaf.insert(leaf.begin(), 0x00);
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  size_t next = 0;
  for (auto _ : state) {
    const auto& leaf = leaves[next++ % leaves.size()];
    crypto_hash_sha256(digest.data(), leaf.data(), leaf.size());
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineSha256LeafSodium);

// Sealing one filing as DeclarationService does it: fresh salts, the canonical records and
// their commitments, the three leaf entries (store::SealUnit).
void BM_Seal(benchmark::State& state) {
  const Inputs& in = TheInputs();
  size_t next = 0;
  for (auto _ : state) {
    store::UnitOfWork work;
    store::DeclarationRow row;
    row.id = "01JD4S7X4T6Q8V2N3M5K7P9R" + std::to_string(next);
    row.organisation_id = "DE987654321000001";
    row.declarant_id = "nordfleisch.clerk";
    row.office = "DE004700";
    row.type = "import";
    row.status = "accepted";
    row.hs_chapters = "02,16";
    row.created_at = kNow;
    row.updated_at = kNow;
    row.payload = in.payloads[next++ % kBodies];
    for (int64_t seq = 1; seq <= 2; ++seq) {
      store::TransitionRow t;
      t.declaration_id = row.id;
      t.sequence = seq;
      t.from_status = seq == 1 ? "" : "submitted";
      t.to_status = seq == 1 ? "submitted" : "accepted";
      t.actor = seq == 1 ? "nordfleisch.clerk" : "system";
      t.reason = seq == 1 ? "filed" : "validation passed";
      t.at = kNow;
      work.transitions.push_back(std::move(t));
    }
    work.declarations.push_back(std::move(row));
    store::SealUnit(work);
    benchmark::DoNotOptimize(work.leaves.data());
  }
  PerDeclaration(state);
}
BENCHMARK(BM_Seal);

// One leaf appended as the store's writer does it: the leaf hash of the encoded entry, then the
// tree nodes it completes, into an in-memory tree (the SQLite tree adds its row writes to the
// store commit below). items/s is leaves per second: compare with BM_BaselineSha256Leaf*.
void BM_LedgerAppend(benchmark::State& state) {
  const auto leaves = LeafBytes(1 << 16);
  auto tree = std::make_unique<ledger::InMemoryTreeStore>();
  ledger::MerkleLog log(tree.get());
  size_t next = 0;
  for (auto _ : state) {
    const ledger::Hash leaf_hash = ledger::HashLeaf(std::span<const uint8_t>(leaves[next++ % leaves.size()]));
    benchmark::DoNotOptimize(log.Append(leaf_hash));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LedgerAppend);

// The same, 256 leaves per append (one group-commit batch).
void BM_LedgerAppendBatch256(benchmark::State& state) {
  const auto leaves = LeafBytes(1 << 16);
  auto tree = std::make_unique<ledger::InMemoryTreeStore>();
  ledger::MerkleLog log(tree.get());
  std::vector<ledger::Hash> batch(256);
  size_t next = 0;
  for (auto _ : state) {
    for (auto& hash : batch) hash = ledger::HashLeaf(std::span<const uint8_t>(leaves[next++ % leaves.size()]));
    benchmark::DoNotOptimize(log.AppendBatch(batch));
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_LedgerAppendBatch256);

// The append as the server makes it: SealUnit hashes a filing's leaves on the worker thread,
// and the store's writer appends a group commit's leaf hashes as one batch. Leaf hashes given,
// 256 per batch; items/s is leaves per second (the issue's target: >= 50 % of the raw leaf-hash
// rate, BM_BaselineSha256LeafOpenssl).
void BM_LedgerAppendHashedBatch256(benchmark::State& state) {
  const auto leaves = LeafBytes(1 << 16);
  std::vector<ledger::Hash> hashes;
  hashes.reserve(leaves.size());
  for (const auto& leaf : leaves) hashes.push_back(ledger::HashLeaf(std::span<const uint8_t>(leaf)));
  auto tree = std::make_unique<ledger::InMemoryTreeStore>();
  ledger::MerkleLog log(tree.get());
  std::vector<ledger::Hash> batch(256);
  size_t next = 0;
  for (auto _ : state) {
    for (auto& hash : batch) hash = hashes[next++ % hashes.size()];
    benchmark::DoNotOptimize(log.AppendBatch(batch));
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_LedgerAppendHashedBatch256);

// ---- Inclusion proof at 10M leaves -----------------------------------------------------------

uint64_t ProofLeaves() {
  const char* env = std::getenv("CLEARWAY_BENCH_PROOF_LEAVES");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 10'000'000;
}

// A log of ProofLeaves() leaves in memory, built once (the leaf hashes are distinct counters,
// the subtree hashes real SHA-256).
struct BigLog {
  BigLog() {
    const uint64_t total = ProofLeaves();
    std::vector<ledger::Hash> chunk(1 << 20);
    for (uint64_t done = 0; done < total;) {
      const uint64_t count = std::min<uint64_t>(chunk.size(), total - done);
      for (uint64_t idx = 0; idx < count; ++idx) {
        ledger::Hash& hash = chunk[idx];
        hash.fill(0);
        const uint64_t value = done + idx;
        std::memcpy(hash.data(), &value, sizeof(value));
      }
      CW_CHECK(log.AppendBatch(std::span<const ledger::Hash>(chunk.data(), count)).ok());
      done += count;
    }
  }
  ledger::InMemoryTreeStore store;
  ledger::MerkleLog log{&store};
};

void BM_InclusionProof10M(benchmark::State& state) {
  static BigLog big;
  const uint64_t size = ProofLeaves();
  std::mt19937_64 random(1);
  for (auto _ : state) benchmark::DoNotOptimize(big.log.InclusionProof(random() % size, size));
  state.SetItemsProcessed(state.iterations());
  state.counters["leaves"] = static_cast<double>(size);
}
BENCHMARK(BM_InclusionProof10M)->Unit(benchmark::kMicrosecond);

// ---- Store commit ----------------------------------------------------------------------------

// The SQLite store as the server opens it (WAL, synchronous=FULL, group commit), in a temp dir.
struct StoreWorld {
  TempDir dir{"store"};
  std::unique_ptr<store::sqlite::SqliteStore> store;
  std::atomic<uint64_t> next_id{0};
};

// TheStore() is the store of BM_StoreCommit; TheStore(0) one whose WAL checkpoints run on the
// writer thread, inside a commit (checkpoint_pages 0, the path before perf3).
StoreWorld& TheStore(int checkpoint_pages = 1000) {
  static std::mutex mu;
  static std::map<int, StoreWorld*> worlds;
  std::scoped_lock lock(mu);
  StoreWorld*& world = worlds[checkpoint_pages];
  if (world == nullptr) {
    world = new StoreWorld();
    store::sqlite::SqliteOptions options;
    options.path = world->dir.File("clearway.db");
    options.checkpoint_pages = checkpoint_pages;
    world->store = store::sqlite::SqliteStore::Open(options).value();
  }
  return *world;
}

// The unit of work of one filing: the version, two transitions, the idempotency record and the
// three leaves, as DeclarationService::File builds it.
store::UnitOfWork FilingUnit(uint64_t serial, const std::string& payload) {
  store::UnitOfWork work;
  store::DeclarationRow row;
  row.id = "01JD4S7X4T6Q8V" + std::to_string(1000000000000 + serial);
  row.organisation_id = "DE987654321000001";
  row.declarant_id = "nordfleisch.clerk";
  row.office = "DE004700";
  row.type = "import";
  row.status = "accepted";
  row.hs_chapters = "02,16";
  row.created_at = kNow;
  row.updated_at = kNow;
  row.payload = payload;
  work.expected_current_versions.emplace_back(row.id, 0);
  for (int64_t seq = 1; seq <= 2; ++seq) {
    store::TransitionRow t;
    t.declaration_id = row.id;
    t.sequence = seq;
    t.from_status = seq == 1 ? "" : "submitted";
    t.to_status = seq == 1 ? "submitted" : "accepted";
    t.actor = seq == 1 ? "nordfleisch.clerk" : "system";
    t.reason = seq == 1 ? "filed" : "validation passed";
    t.at = kNow;
    work.transitions.push_back(std::move(t));
  }
  store::IdempotencyRow idempotency;
  idempotency.principal = "nordfleisch.clerk";
  idempotency.key = "bench-" + std::to_string(serial);
  idempotency.request_hash = std::string(64, 'a');
  idempotency.status_code = 201;
  idempotency.response_body = payload;
  idempotency.resource_id = row.id;
  idempotency.created_at = kNow;
  work.idempotency = std::move(idempotency);
  work.declarations.push_back(std::move(row));
  store::SealUnit(work);
  return work;
}

// Commits from N threads at once (the server's workers): the writer batches them.
void BM_StoreCommit(benchmark::State& state) {
  StoreWorld& world = TheStore(static_cast<int>(state.range(0)));
  const Inputs& in = TheInputs();
  int64_t failed = 0;
  for (auto _ : state) {
    const uint64_t serial = world.next_id.fetch_add(1);
    auto receipt = world.store->Commit(FilingUnit(serial, in.payloads[serial % kBodies]));
    if (!receipt.ok()) ++failed;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failed"] = static_cast<double>(failed);
}
// Arg: checkpoint_pages (1000: the checkpointer thread; 0: SQLite's checkpoint on the writer).
BENCHMARK(BM_StoreCommit)->Arg(1000)->Arg(0)->Threads(1)->Threads(32)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// A raw SQLite connection to `path` with the store's durability settings (WAL,
// synchronous=FULL, temporary data in memory) and `schema` created.
std::unique_ptr<sqlite3, decltype(&sqlite3_close)> OpenRawSqlite(const std::string& path,
                                                                 const std::string& schema) {
  sqlite3* db = nullptr;
  CW_CHECK(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, &sqlite3_close);
  const std::string sql =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;" + schema;
  CW_CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  return owner;
}

using RawStatement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

RawStatement PrepareRaw(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  CW_CHECK(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK);
  return RawStatement(statement, &sqlite3_finalize);
}

// One row (text key, blob) inserted with a prepared statement.
void InsertRaw(sqlite3_stmt* insert, const std::string& key, const std::string& value) {
  sqlite3_bind_text(insert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_blob(insert, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  CW_CHECK(sqlite3_step(insert) == SQLITE_DONE);
  sqlite3_reset(insert);
}

// The limit: a raw SQLite insert loop with the same durability settings (OpenRawSqlite),
// `rows` rows of the same payloads per transaction, one fsync per transaction.
void BM_BaselineSqliteInsert(benchmark::State& state) {
  static TempDir dir("raw");
  auto db = OpenRawSqlite(dir.File("raw-" + std::to_string(state.range(0)) + ".db"),
                          "CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, payload BLOB NOT NULL)");
  RawStatement insert = PrepareRaw(db.get(), "INSERT INTO t (id, payload) VALUES (?, ?)");
  const Inputs& in = TheInputs();
  const int64_t rows = state.range(0);
  static uint64_t serial = 0;  // the framework calls this function several times per argument
  for (auto _ : state) {
    CW_CHECK(sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
    for (int64_t row = 0; row < rows; ++row, ++serial) {
      const std::string id = "01JD4S7X4T6Q8V" + std::to_string(1000000000000 + serial);
      InsertRaw(insert.get(), id, in.payloads[serial % kBodies]);
    }
    CW_CHECK(sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_BaselineSqliteInsert)->Arg(1)->Arg(32)->UseRealTime()->Unit(benchmark::kMicrosecond);

double ThreadCpuSeconds() {
  timespec now{};
  CW_CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) == 0);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The limit of the store commit for the bytes a filing must keep and nothing else: per
// declaration three rows into three tables with a text primary key each, the payload (as
// stored), the stored quote (TheQuoteRows(): CanonicalJson(QuoteToJson(quote)), the largest
// row) and the idempotency answer (the 201 body; here the payload again, ~3.4 KB), with the
// store's durability settings. Arg: declarations per transaction (one fsync each). Items are
// declarations; the floor is CPU, not wall time (the fsync waits), so cpu_us_per_declaration
// is this thread's CPU time (user and system, fsync's share in the calling thread included)
// over the declarations. No envelope, ledger, transitions or indexes: the bytes alone.
void BM_BaselineSqliteFiling(benchmark::State& state) {
  static TempDir dir("raw-filing");
  auto db = OpenRawSqlite(dir.File("filing-" + std::to_string(state.range(0)) + ".db"),
                          "CREATE TABLE IF NOT EXISTS payloads (id TEXT PRIMARY KEY, payload BLOB NOT NULL);"
                          "CREATE TABLE IF NOT EXISTS quotes (id TEXT PRIMARY KEY, quote BLOB NOT NULL);"
                          "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, body BLOB NOT NULL)");
  RawStatement payload = PrepareRaw(db.get(), "INSERT INTO payloads (id, payload) VALUES (?, ?)");
  RawStatement quote = PrepareRaw(db.get(), "INSERT INTO quotes (id, quote) VALUES (?, ?)");
  RawStatement answer = PrepareRaw(db.get(), "INSERT INTO answers (key, body) VALUES (?, ?)");
  const Inputs& in = TheInputs();
  const QuoteRows& quotes = TheQuoteRows();
  const int64_t declarations = state.range(0);
  static uint64_t serial = 0;  // the framework calls this function several times per argument
  int64_t bytes = 0;
  const double cpu_start = ThreadCpuSeconds();
  for (auto _ : state) {
    CW_CHECK(sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
    for (int64_t d = 0; d < declarations; ++d, ++serial) {
      const std::string id = "01JD4S7X4T6Q8V" + std::to_string(1000000000000 + serial);
      const std::string key = "nordfleisch.clerk/bench-" + std::to_string(serial);
      const std::string& body = in.payloads[serial % kBodies];
      const std::string& quote_json = quotes.rows[serial % kBodies].quote;
      InsertRaw(payload.get(), id, body);
      InsertRaw(quote.get(), id, quote_json);
      InsertRaw(answer.get(), key, body);
      bytes += static_cast<int64_t>(2 * id.size() + key.size() + 2 * body.size() + quote_json.size());
    }
    CW_CHECK(sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  const double cpu = ThreadCpuSeconds() - cpu_start;
  const double total = static_cast<double>(state.iterations() * declarations);
  state.SetItemsProcessed(state.iterations() * declarations);
  state.SetBytesProcessed(bytes);
  state.counters["cpu_us_per_declaration"] = total > 0 ? cpu * 1e6 / total : 0;
  state.counters["bytes_per_declaration"] = total > 0 ? static_cast<double>(bytes) / total : 0;
}
BENCHMARK(BM_BaselineSqliteFiling)->Arg(1)->Arg(32)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace clearway::bench
