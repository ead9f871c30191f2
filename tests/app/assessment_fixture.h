// A Runtime with assessment on: a fresh SQLite store and data directory, the demo tariff in
// its in-memory tariff store, a fake clock at 2026-11-24T10:00:00Z, no random selection and a
// fixed seed, so every filing's channel follows from its goods, the profiles and the model.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app/demo_risk.h"
#include "app/runtime.h"
#include "app_test_util.h"
#include "common/json.h"
#include "risk/risk.h"
#include "tariff/tariff.h"

namespace clearway::app::testing {

inline identity::Principal RiskAnalyst() {
  return {"risk.analyst", "DE-CUSTOMS", identity::Role::kRiskAnalyst, {}, {}};
}
inline identity::Principal TariffManager() {
  return {"tariff.manager", "DE-CUSTOMS", identity::Role::kTariffManager, {}, {}};
}
inline identity::Principal Administrator() {
  return {"admin", "DE-CUSTOMS", identity::Role::kAdministrator, {}, {}};
}

// A profile sending Colombian coffee (what NordfleischBody(1) declares) to `lane`.
inline std::string CoffeeProfile(const std::string& id = "COFFEE-CO",
                                 const std::string& lane = "red") {
  return R"({"id": ")" + id + R"(", "lane": ")" + lane + R"json(", "weight": 0.2,
    "description": "Roasted coffee from Colombia, a test",
    "instructions": "Open two sacks and compare them with the invoice.",
    "conditions": {"commodity_prefixes": ["0901"], "origins": ["CO"]}})json";
}

inline Renderer RecordRender(int status = 201) {
  return [status](const DeclarationRecord& r) {
    return StoredResponse{status, r.row.id + ":" + r.row.status + ":" + r.row.channel, r.row.id};
  };
}

class AssessmentFixture : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("clearway-assess"); }

  void TearDown() override {
    runtime_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Start() opens the runtime on dir_ (again, after a Stop(): the store and files persist).
  void Start(RoutingMode routing = RoutingMode::kRoute) {
    store::sqlite::SqliteOptions options;
    options.path = dir_ + "/clearway.db";
    auto store = store::sqlite::SqliteStore::Open(options);
    ASSERT_THAT(store, clearway::testing::IsOk());
    auto clock = std::make_unique<FakeClock>(*ParseTimestamp("2026-11-24T10:00:00Z"));
    clock_ = clock.get();
    Config config;
    config.demo = true;
    config.store.data_dir = dir_;
    config.risk.routing = routing;
    config.risk.random_seed = 7;
    config.risk.default_policy.random_rate = 0;
    config.risk.replay_limit = 1000;
    LedgerServiceOptions ledger;
    ledger.checkpoint_interval = std::chrono::milliseconds(0);
    auto runtime = Runtime::OpenWith(config, std::move(store).value(), std::move(clock),
                                     TestLedgerKey(), ledger);
    ASSERT_THAT(runtime, clearway::testing::IsOk());
    runtime_ = std::move(runtime).value();
    ASSERT_THAT(tariff::SeedDemoTariff(runtime_->tariff(), clock_->Now()),
                clearway::testing::IsOk());
    clock_->Advance(std::chrono::seconds(1));
    ASSERT_THAT(runtime_->StartAssessment(), clearway::testing::IsOk());
  }

  void Stop() { runtime_.reset(); }

  DeclarationService& service() { return runtime_->declarations(); }
  RiskService& risk() { return *runtime_->risk(); }

  std::string File(const identity::Principal& who, const boost::json::value& body) {
    auto outcome = service().File(who, body, false, nullptr, RecordRender());
    EXPECT_THAT(outcome, clearway::testing::IsOk());
    return outcome.ok() ? outcome->response.resource_id : "";
  }

  DeclarationRecord Record(const std::string& id) {
    auto record = service().Get(Auditor(), id, std::nullopt);
    EXPECT_THAT(record, clearway::testing::IsOk());
    return record.ok() ? std::move(record).value() : DeclarationRecord{};
  }

  // RiskOf() is the stored risk JSON of a version.
  boost::json::object RiskOf(const std::string& id, int64_t version = 1) {
    auto row = runtime_->store().GetAssessment(id, version);
    EXPECT_THAT(row, clearway::testing::IsOk());
    if (!row.ok()) return {};
    auto parsed = ParseJson(row->risk);
    EXPECT_THAT(parsed, clearway::testing::IsOk());
    return parsed.ok() ? parsed->as_object() : boost::json::object{};
  }

  void ActivateProfile(const std::string& json) {
    auto created = risk().CreateProfile(RiskAnalyst(), json);
    ASSERT_THAT(created, clearway::testing::IsOk());
    ASSERT_THAT(risk().ActivateProfile(RiskAnalyst(), created->id), clearway::testing::IsOk());
  }

  // TrainDemoModel() trains a small model on the demo's generated history and promotes it in
  // dir_/models (before Start(), so the engine loads it); returns its id.
  std::string TrainDemoModel() {
    auto history = GenerateDemoHistory(std::chrono::year{2026} / 11 / 20, 3000, 11);
    auto split = risk::ChooseSplit(history, 0.2);
    EXPECT_THAT(split, clearway::testing::IsOk());
    risk::TrainingOptions options;
    options.rounds = 20;
    options.max_depth = 3;
    options.learning_rate = 0.3;
    options.threads = 1;
    auto trained = risk::TrainWithHoldout(history, *split, options);
    EXPECT_THAT(trained, clearway::testing::IsOk());
    risk::ModelMetadata meta;
    meta.split = trained->split;
    meta.metrics = trained->metrics;
    meta.options = options;
    meta.feature_names = risk::FeatureBuilder::FeatureNames();
    auto saved = risk::SaveModel(dir_ + "/models", trained->model, meta);
    EXPECT_THAT(saved, clearway::testing::IsOk());
    EXPECT_THAT(risk::Promote(*saved), clearway::testing::IsOk());
    std::filesystem::create_directories(dir_ + "/risk");
    std::ofstream(dir_ + "/risk/history.csv") << risk::WriteCsv(history);
    return trained->model.id();
  }

  std::string dir_;
  FakeClock* clock_ = nullptr;
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace clearway::app::testing
