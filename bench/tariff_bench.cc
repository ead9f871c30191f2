// Tariff benchmarks on a realistic database: the full HS 2022 nomenclature of
// ../shared/data/hs (beside the source tree, or $CLEARWAY_SOURCE_DIR/../shared/data) and
// 101,016 generated measures (18 per HS subheading: third-country duties at 6 and 8 digits,
// five FTA preferences, GSP, a suspension, a tariff quota, anti-dumping by producer, excise, and
// ended historical versions), in a SQLite file store in a temporary directory.
//   - BM_MeasureLookup: FindMeasures() for a random 10-digit code and origin;
//   - BM_DutyQuote: DutyEngine::Quote() of a three-item declaration (lookup, preference choice,
//     quota, anti-dumping, VAT, arithmetic);
//   - BM_Search: FTS5 search of the nomenclature.
//   - BM_QuotaOf/DRAWS/NOW: the quota state a quote and a draw read, on a quota with DRAWS
//     draws recorded; NOW=1 as of now (the running balance, one row), NOW=0 as of an instant
//     before the latest draw (the sum over the draws: what every read cost before the running
//     balance). Its own small database, not the HS world.
// Each reports p50_us and p99_us counters (per-iteration wall time) and items_per_second on
// one thread, i.e. lookups or quotes per second per core. docs/tariff.md keeps the figures.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include "declaration/declaration.h"
#include "tariff/sqlite/sqlite_tariff_store.h"
#include "tariff/tariff.h"

namespace clearway::tariff {
namespace {

constexpr int kMeasuresPerSubheading = 18;
const char* const kPreferenceOrigins[] = {"CO", "KR", "CL", "MA", "VN"};

struct World {
  std::filesystem::path dir;
  std::unique_ptr<sqlite::SqliteTariffStore> store;
  std::vector<std::string> subheadings;
  size_t measures = 0;
  FakeClock clock{ParseTimestamp("2026-11-02T09:00:00Z").value()};

  ~World() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

std::string ReadHs() {
  const char* root = std::getenv("CLEARWAY_SOURCE_DIR");
  std::string path = std::string(root != nullptr ? root : CLEARWAY_SOURCE_DIR) +
                     "/../shared/data/hs/harmonized-system.csv";
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Measure Make(std::string id, MeasureType type, std::string code, std::string geo, std::string duty) {
  Measure m;
  m.id = std::move(id);
  m.type = type;
  m.commodity_code = std::move(code);
  m.geo = std::move(geo);
  m.duty = std::move(duty);
  m.legal_base = "generated";
  m.valid_from = std::chrono::year{2020} / 1 / 1;
  return m;
}

TariffUpdate Generate(const std::vector<std::string>& subheadings) {
  TariffUpdate update;
  update.file_id = "bench";
  update.sha256 = "bench";
  for (size_t i = 0; i < subheadings.size(); ++i) {
    const std::string& s = subheadings[i];
    std::string rate = std::to_string(i % 17) + "." + std::to_string(i % 10);
    auto& out = update.upserts;
    out.push_back(Make("TC-" + s, MeasureType::kThirdCountryDuty, s, "1011", rate + " %"));
    for (const char* suffix : {"10", "20", "90"}) {
      out.push_back(Make("TC-" + s + suffix, MeasureType::kThirdCountryDuty, s + suffix, "1011",
                         rate + " % + 12.5 EUR / 100 kg MAX 25 %"));
    }
    for (const char* origin : kPreferenceOrigins) {
      Measure pref = Make("PREF-" + s + "-" + origin, MeasureType::kPreference, s, origin, "0 %");
      pref.agreement = std::string("FTA ") + origin;
      pref.conditions = {"U004"};
      out.push_back(std::move(pref));
    }
    Measure gsp = Make("GSP-" + s, MeasureType::kPreference, s, "GSP", "3.5 %");
    gsp.agreement = "GSP";
    gsp.conditions = {"A001"};
    out.push_back(std::move(gsp));
    Measure suspension = Make("SUSP-" + s, MeasureType::kSuspension, s + "10", "1011", "0 %");
    suspension.conditions = {"C990"};
    out.push_back(std::move(suspension));
    Measure quota = Make("TQ-" + s, MeasureType::kTariffQuota, s, "AR", "5 %");
    quota.quota_order = "09." + s.substr(0, 4);
    quota.conditions = {"U004"};
    out.push_back(std::move(quota));
    Measure ad = Make("AD-" + s, MeasureType::kAntiDumping, s + "90", "CN", "21.4 %");
    out.push_back(ad);
    ad.id += "-P";
    ad.additional_code = "CN914403007152672";
    ad.duty = "8.1 %";
    out.push_back(std::move(ad));
    out.push_back(Make("EX-" + s, MeasureType::kExcise, s + "1000", "1011", "15 EUR / 100 kg"));
    for (int old = 0; old < 3; ++old) {  // ended versions, no longer valid
      Measure ended = Make("OLD-" + s + "-" + std::to_string(old), MeasureType::kThirdCountryDuty,
                           s, "1011", "20 %");
      ended.valid_from = std::chrono::year{2010 + old} / 1 / 1;
      ended.valid_to = std::chrono::year{2011 + old} / 1 / 1;
      out.push_back(std::move(ended));
    }
  }
  update.upserts.push_back(Make("VAT-STD", MeasureType::kVat, "", "1011", "19 %"));
  update.groups.push_back(GeoGroup{"GSP", {"BD", "IN", "PK", "LK", "ID", "PH"}});
  for (const auto& s : subheadings) {
    if (s.size() == 6 && s.substr(4) == "10") {
      update.quotas.push_back(Quota{"09." + s.substr(0, 4), 1'000'000'000'000, DutyUnit::kKilogram});
    }
  }
  return update;
}

World& TheWorld() {
  static World* world = [] {
    auto* w = new World();  // leaked on purpose: lives for the whole benchmark run
    w->dir = std::filesystem::temp_directory_path() /
             ("clearway-tariff-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(w->dir);
    w->store = std::move(sqlite::SqliteTariffStore::Open((w->dir / "tariff.db").string()).value());
    auto nodes = ParseHsCsv(ReadHs());
    CW_CHECK(nodes.ok() && !nodes->empty());  // the benchmark needs the real nomenclature
    CW_CHECK(w->store->ImportNomenclature(*nodes).ok());
    for (const auto& node : *nodes) {
      if (node.code.size() == 6) w->subheadings.push_back(node.code);
    }
    TariffUpdate update = Generate(w->subheadings);
    w->measures = update.upserts.size();
    CW_CHECK(w->store->Apply(update, ParseTimestamp("2026-01-01T00:00:00Z").value()).ok());
    return w;
  }();
  return *world;
}

void ReportLatency(benchmark::State& state, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<size_t>(q * static_cast<double>(micros.size() - 1))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["measures"] = static_cast<double>(TheWorld().measures);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

std::string TenDigits(const std::string& subheading, uint64_t pick) {
  const char* tails[] = {"1000", "1090", "2000", "9000", "0000"};
  return subheading + tails[pick % 5];
}

void BM_MeasureLookup(benchmark::State& state) {
  World& world = TheWorld();
  std::mt19937_64 random(42);
  const char* origins[] = {"CN", "CO", "BD", "AR", "US", "VN"};
  std::vector<double> micros;
  Timestamp as_of = world.clock.Now();
  for (auto _ : state) {
    const std::string& s = world.subheadings[random() % world.subheadings.size()];
    MeasureQuery query{TenDigits(s, random()), origins[random() % 6],
                       std::chrono::year{2026} / 11 / 2, as_of};
    auto start = std::chrono::steady_clock::now();
    auto found = FindMeasures(*world.store, query);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    CW_CHECK(found.ok());
    benchmark::DoNotOptimize(found);
  }
  ReportLatency(state, micros);
}
BENCHMARK(BM_MeasureLookup);

declaration::Declaration ThreeItems(World& world, std::mt19937_64& random) {
  declaration::Declaration d;
  d.invoice.currency = "EUR";
  d.invoice.incoterm = "CIF";
  d.exporter = declaration::Party{"CN914403007152672", "Exporter", {}};
  const char* origins[] = {"CN", "CO", "AR"};
  int64_t total = 0;
  for (int i = 0; i < 3; ++i) {
    declaration::GoodsItem item;
    item.sequence = i + 1;
    item.commodity_code = TenDigits(world.subheadings[random() % world.subheadings.size()], random());
    item.origin = origins[i];
    item.net_mass_grams = 1'000'000 + static_cast<int64_t>(random() % 5'000'000);
    item.gross_mass_grams = item.net_mass_grams;
    item.quantity = {item.net_mass_grams, "KGM"};
    item.price = Money(item.net_mass_grams, "EUR");
    item.documents.push_back({"U004", "X"});
    total += item.price.minor_units();
    d.goods_items.push_back(std::move(item));
  }
  d.invoice.total = Money(total, "EUR");
  return d;
}

void BM_DutyQuote(benchmark::State& state) {
  World& world = TheWorld();
  DutyEngine engine(*world.store, world.clock);
  std::mt19937_64 random(7);
  std::vector<double> micros;
  for (auto _ : state) {
    auto declaration = ThreeItems(world, random);
    auto start = std::chrono::steady_clock::now();
    auto quote = engine.Quote(declaration);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    CW_CHECK(quote.ok());
    benchmark::DoNotOptimize(quote);
  }
  ReportLatency(state, micros);
}
BENCHMARK(BM_DutyQuote);

void BM_Search(benchmark::State& state) {
  World& world = TheWorld();
  const char* queries[] = {"frozen boneless bovine meat", "roasted coffee", "cotton t-shirts",
                           "electric vehicles", "wine of fresh grapes", "wooden furniture"};
  std::vector<double> micros;
  size_t pick = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto hits = world.store->Search(queries[pick++ % 6], 10);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    CW_CHECK(hits.ok());
    benchmark::DoNotOptimize(hits);
  }
  ReportLatency(state, micros);
}
BENCHMARK(BM_Search);

// A tariff.db with one quota and `draws` draws on it (written in one raw transaction: the
// store's trigger keeps the running balance as a draw through DrawQuota() does).
struct QuotaWorld {
  explicit QuotaWorld(int64_t draws) {
    dir = std::filesystem::temp_directory_path() /
          ("clearway-quota-bench-" + std::to_string(::getpid()) + "-" + std::to_string(draws));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "tariff.db").string();
    store = sqlite::SqliteTariffStore::Open(path).value();
    TariffUpdate update;
    update.file_id = "quota";
    update.sha256 = std::string(64, '0');
    update.quotas.push_back(Quota{"09.4450", int64_t{1} << 60, DutyUnit::kKilogram});
    CW_CHECK(store->Apply(update, ParseTimestamp("2026-01-01T00:00:00Z").value()).ok());
    sqlite3* raw = nullptr;
    CW_CHECK(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    CW_CHECK(sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    CW_CHECK(sqlite3_prepare_v2(raw,
                                "INSERT INTO quota_draws(order_number, thousandths, reference, "
                                "recorded_at) VALUES ('09.4450', 1000, ?1, ?2)",
                                -1, &insert, nullptr) == SQLITE_OK);
    const int64_t start = ParseTimestamp("2026-02-01T00:00:00Z").value().time_since_epoch().count();
    for (int64_t i = 0; i < draws; ++i) {
      const std::string reference = "decl-" + std::to_string(i);
      sqlite3_bind_text(insert, 1, reference.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 2, start + i * 1000);
      CW_CHECK(sqlite3_step(insert) == SQLITE_DONE);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    CW_CHECK(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  ~QuotaWorld() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<sqlite::SqliteTariffStore> store;
};

void BM_QuotaOf(benchmark::State& state) {
  static std::map<int64_t, std::unique_ptr<QuotaWorld>> worlds;
  auto& world = worlds[state.range(0)];
  if (world == nullptr) world = std::make_unique<QuotaWorld>(state.range(0));
  // As of now, or as of the middle of the draws (half of them summed).
  const Timestamp as_of = state.range(1) == 1
                              ? ParseTimestamp("2027-01-01T00:00:00Z").value()
                              : ParseTimestamp("2026-02-01T00:00:00Z").value() +
                                    std::chrono::microseconds(state.range(0) * 500);
  for (auto _ : state) {
    auto quota = world->store->QuotaOf("09.4450", as_of);
    CW_CHECK(quota.ok() && quota->has_value());
    benchmark::DoNotOptimize(quota);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuotaOf)->ArgsProduct({{1'000, 100'000, 1'000'000}, {1, 0}});

}  // namespace
}  // namespace clearway::tariff
