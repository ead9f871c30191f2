// The risk profiles shared by the nodes of a PostgreSQL store (app/shared_risk.h): two
// ProfileStore handles on one database, as two nodes hold them, see each other's changes, and
// changes made over a stale read are made again on the latest document, never lost. Runs as
// `app_postgres` (label postgres) on the test process's throwaway cluster.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "app/demo_risk.h"
#include "app/profile_store.h"
#include "app/shared_risk.h"
#include "risk/profiles.h"
#include "risk/risk.h"
#include "testing/matchers.h"
#include "testing/pg_cluster.h"

namespace clearway::app {
namespace {

using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::clearway::testing::PgQuery;

const Timestamp kAt = Timestamp(std::chrono::seconds(1'800'000'000));

risk::RiskProfile Profile(const std::string& id) {
  auto parsed = risk::ParseProfiles(
      R"({"id": ")" + id +
      R"(", "lane": "yellow", "weight": 0.2, "description": "Roasted coffee from Colombia",
          "instructions": "Open two sacks.",
          "conditions": {"commodity_prefixes": ["0901"], "origins": ["CO"]}})");
  EXPECT_THAT(parsed, IsOk());
  return parsed.ok() ? parsed->front() : risk::RiskProfile{};
}

class PostgresProfilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::clearway::testing::PgCluster* cluster = ::clearway::testing::SharedPgCluster();
    ASSERT_NE(cluster, nullptr);
    url_ = cluster->CreateDatabase();
    ASSERT_FALSE(url_.empty());
  }

  // Node() opens one more handle on the test's database: another node's.
  std::unique_ptr<ProfileStore> Node() {
    auto backend = OpenPostgresProfileBackend(url_, "clearway-test");
    EXPECT_THAT(backend, IsOk());
    if (!backend.ok()) return nullptr;
    auto store = ProfileStore::Open(std::move(backend).value());
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string url_;
};

TEST_F(PostgresProfilesTest, AChangeOnOneNodeIsSeenByTheOther) {
  auto one = Node();
  auto two = Node();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  ASSERT_THAT(one->Create(Profile("COFFEE-CO"), "risk.analyst", kAt), IsOk());
  EXPECT_TRUE(two->List().empty());  // not read yet …
  EXPECT_THAT(two->Refresh(), ::testing::Optional(true));  // … until it refreshes
  ASSERT_EQ(two->List().size(), 1u);
  EXPECT_THAT(two->Refresh(), ::testing::Optional(false));  // nothing new: no reload

  ASSERT_THAT(two->Activate("COFFEE-CO", "other.analyst", kAt), IsOk());
  ASSERT_THAT(one->Refresh(), ::testing::Optional(true));
  ASSERT_EQ(one->Active().size(), 1u);
  EXPECT_EQ(one->Changes().back().by, "other.analyst");
  // A transition refused against the latest document, even when this node read an old one.
  ASSERT_THAT(one->Retire("COFFEE-CO", "risk.analyst", kAt), IsOk());
  EXPECT_THAT(two->Activate("COFFEE-CO", "other.analyst", kAt),
              HasReason("illegal-profile-transition"));
  ASSERT_THAT(two->Refresh(), IsOk());
  EXPECT_TRUE(two->Active().empty());
  // And the id is taken for every node.
  EXPECT_THAT(two->Create(Profile("COFFEE-CO"), "other.analyst", kAt), HasReason("profile-exists"));
}

TEST_F(PostgresProfilesTest, ChangesMadeAtOnceOnTwoNodesAreAllKept) {
  auto one = Node();
  auto two = Node();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  constexpr int kEach = 6;
  std::latch start(2);
  std::atomic<int> failed{0};
  auto create = [&](ProfileStore* node, const std::string& prefix) {
    start.arrive_and_wait();
    for (int i = 0; i < kEach; ++i) {
      if (!node->Create(Profile(prefix + std::to_string(i)), "risk.analyst", kAt).ok()) ++failed;
    }
  };
  std::thread a(create, one.get(), "A-");
  std::thread b(create, two.get(), "B-");
  a.join();
  b.join();
  EXPECT_EQ(failed.load(), 0);
  ASSERT_THAT(one->Refresh(), IsOk());
  EXPECT_EQ(one->List().size(), size_t{2 * kEach});
  EXPECT_EQ(one->Changes().size(), size_t{2 * kEach});
  EXPECT_EQ(PgQuery(url_, "SELECT generation FROM risk_profile_documents"),
            std::to_string(2 * kEach));
}

TEST_F(PostgresProfilesTest, TheDemoSeedIsStoredOnce) {
  auto one = Node();
  auto two = Node();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  std::vector<risk::RiskProfile> seed = {Profile("SEED-1")};
  EXPECT_THAT(one->CreateIfEmpty(seed, "demo", kAt), ::testing::Optional(true));
  // The second node read before the seed: it finds it when it saves, and adds nothing.
  EXPECT_THAT(two->CreateIfEmpty(seed, "demo", kAt), ::testing::Optional(false));
  ASSERT_THAT(two->Refresh(), IsOk());
  EXPECT_EQ(two->List().size(), 1u);
  EXPECT_EQ(PgQuery(url_, "SELECT generation FROM risk_profile_documents"), "1");
}

TEST_F(PostgresProfilesTest, RefusesANewerSchemaAndAnUnreachableServer) {
  ASSERT_NE(Node(), nullptr);
  PgQuery(url_, "INSERT INTO risk_schema_migrations VALUES (99, 0)");
  EXPECT_THAT(OpenPostgresProfileBackend(url_, "clearway-test"), HasReason("schema-too-new"));
  auto unreachable = OpenPostgresProfileBackend(
      "postgres://clearway:s3cret@127.0.0.1:1/none?connect_timeout=2", "clearway-test");
  ASSERT_THAT(unreachable, HasReason("profile-store-failed"));
  EXPECT_EQ(unreachable.error().message.find("s3cret"), std::string::npos);
}

// The model registry shared by the nodes (OpenPostgresModelRegistry()).
class PostgresModelsTest : public PostgresProfilesTest {
 protected:
  std::unique_ptr<ModelRegistry> Registry() {
    auto registry = OpenPostgresModelRegistry(url_, "clearway-test");
    EXPECT_THAT(registry, IsOk());
    return registry.ok() ? std::move(registry).value() : nullptr;
  }

  // Trained() is a small model; `rounds` tells two apart.
  static risk::FraudModel Trained(int rounds) {
    static const auto history = GenerateDemoHistory(std::chrono::year{2026} / 11 / 20, 1500, 5);
    auto split = risk::ChooseSplit(history, 0.2);
    EXPECT_THAT(split, IsOk());
    risk::TrainingOptions options;
    options.rounds = rounds;
    options.max_depth = 2;
    options.threads = 1;
    auto trained = risk::TrainWithHoldout(history, *split, options);
    EXPECT_THAT(trained, IsOk());
    return std::move(trained->model);
  }

  static risk::ModelMetadata Meta() {
    risk::ModelMetadata meta;
    meta.created_at = "2026-11-24T10:00:00Z";
    meta.feature_names = risk::FeatureBuilder::FeatureNames();
    return meta;
  }
};

TEST_F(PostgresModelsTest, AModelPromotedOnOneNodeIsTheOthersCurrentModel) {
  auto one = Registry();
  auto two = Registry();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  auto none = two->LoadCurrent();
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->model.has_value());
  EXPECT_EQ(none->generation, 0);

  risk::FraudModel first = Trained(3);
  auto saved = one->Save(first, Meta());
  ASSERT_THAT(saved, IsOk());
  EXPECT_EQ(*saved, first.id());
  EXPECT_THAT(two->Save(first, Meta()), HasReason("model-exists"));
  ASSERT_THAT(one->Promote(first.id(), 0), IsOk());
  EXPECT_THAT(two->Generation(), ::testing::Optional(int64_t{1}));
  auto current = two->LoadCurrent();
  ASSERT_THAT(current, IsOk());
  ASSERT_TRUE(current->model.has_value());
  EXPECT_EQ(current->model->meta.id, first.id());
  EXPECT_EQ(current->model->model.id(), first.id());
  EXPECT_EQ(current->generation, 1);

  risk::FraudModel second = Trained(4);
  ASSERT_NE(second.id(), first.id());
  ASSERT_THAT(two->Save(second, Meta()), IsOk());
  ASSERT_THAT(two->Promote(second.id(), 1), IsOk());
  auto latest = one->LoadCurrent();
  ASSERT_THAT(latest, IsOk());
  ASSERT_TRUE(latest->model.has_value());
  EXPECT_EQ(latest->model->meta.id, second.id());
  EXPECT_EQ(latest->generation, 2);
  EXPECT_THAT(one->Promote("no-such-model", 2), HasReason("model-not-found"));
  auto listing = one->List();
  ASSERT_THAT(listing, IsOk());
  ASSERT_EQ(listing->models.size(), 2u);
  EXPECT_EQ(listing->current, second.id());
}

TEST_F(PostgresModelsTest, ATamperedModelRowIsRefusedAndNotPromoted) {
  auto registry = Registry();
  ASSERT_NE(registry, nullptr);
  risk::FraudModel model = Trained(3);
  ASSERT_THAT(registry->Save(model, Meta()), IsOk());
  ASSERT_THAT(registry->Promote(model.id(), 0), IsOk());
  // One byte of the stored model changed (a space appended to the JSON): still a model, no
  // longer the one its id names.
  PgQuery(url_, "UPDATE risk_models SET model = model || '\\x20'::bytea");
  EXPECT_THAT(registry->LoadCurrent(), HasReason("model-tampered"));
  EXPECT_THAT(registry->Promote(model.id(), 1), HasReason("model-tampered"));
  EXPECT_EQ(PgQuery(url_, "SELECT generation FROM risk_current_model"), "1");
}

TEST_F(PostgresModelsTest, OfTwoRacingPromotionsOneWins) {
  auto one = Registry();
  auto two = Registry();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  risk::FraudModel first = Trained(3);
  risk::FraudModel second = Trained(4);
  ASSERT_THAT(one->Save(first, Meta()), IsOk());
  ASSERT_THAT(one->Save(second, Meta()), IsOk());
  for (int64_t generation : {0, 1}) {
    // Both nodes read the same promotion, then both promote over it, at once.
    std::latch start(2);
    Status a = OkStatus();
    Status b = OkStatus();
    std::thread ta([&] {
      start.arrive_and_wait();
      a = one->Promote(first.id(), generation);
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      b = two->Promote(second.id(), generation);
    });
    ta.join();
    tb.join();
    ASSERT_NE(a.ok(), b.ok()) << "exactly one promotion wins";
    const Status& lost = a.ok() ? b : a;
    EXPECT_THAT(lost, HasReason("model-promotion-conflict"));
    EXPECT_EQ(PgQuery(url_, "SELECT generation FROM risk_current_model"),
              std::to_string(generation + 1));
    const std::string winner = a.ok() ? first.id() : second.id();
    EXPECT_EQ(PgQuery(url_, "SELECT model_id FROM risk_current_model"), winner);
  }
}

TEST_F(PostgresModelsTest, RefusesAnUnreachableServerWithoutItsPassword) {
  auto unreachable = OpenPostgresModelRegistry(
      "postgres://clearway:s3cret@127.0.0.1:1/none?connect_timeout=2", "clearway-test");
  ASSERT_THAT(unreachable, HasReason("model-store-failed"));
  EXPECT_EQ(unreachable.error().message.find("s3cret"), std::string::npos);
}

// The inspection results shared by the nodes (OpenPostgresInspectionLog()).
class PostgresInspectionsTest : public PostgresProfilesTest {
 protected:
  std::unique_ptr<InspectionLog> Log() {
    auto log = OpenPostgresInspectionLog(url_, "clearway-test");
    EXPECT_THAT(log, IsOk());
    return log.ok() ? std::move(log).value() : nullptr;
  }

  static InspectionRecord Record(const std::string& id, bool fraud) {
    InspectionRecord r;
    r.declaration_id = id;
    r.version = 2;
    r.fraud_found = fraud;
    r.duties_raised = fraud ? "1200.50" : "0.00";
    r.inspected_on = std::chrono::year{2026} / 11 / 23;
    r.recorded_by = "lyon.officer";
    return r;
  }
};

TEST_F(PostgresInspectionsTest, AResultRecordedOnOneNodeIsReadOnTheOtherAfterWhatItLearnt) {
  auto one = Log();
  auto two = Log();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  EXPECT_THAT(two->Last(), ::testing::Optional(int64_t{0}));
  EXPECT_THAT(one->Append(Record("D-1", true)), ::testing::Optional(int64_t{1}));
  EXPECT_THAT(two->Append(Record("D-2", false)), ::testing::Optional(int64_t{2}));
  EXPECT_THAT(one->Last(), ::testing::Optional(int64_t{2}));
  auto all = two->After(0);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].seq, 1);
  EXPECT_EQ((*all)[0].result.declaration_id, "D-1");
  EXPECT_TRUE((*all)[0].result.fraud_found);
  EXPECT_DOUBLE_EQ((*all)[0].result.duties_raised, 1200.50);
  EXPECT_EQ((*all)[0].result.inspected_on, Date(std::chrono::year{2026} / 11 / 23));
  EXPECT_FALSE((*all)[1].result.fraud_found);
  // A node that learnt up to 1 reads only what came after.
  auto after = one->After(1);
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().result.declaration_id, "D-2");
  EXPECT_THAT(one->After(2), ::testing::Optional(::testing::IsEmpty()));
  EXPECT_EQ(PgQuery(url_, "SELECT recorded_by FROM risk_inspections WHERE seq = 1"),
            "lyon.officer");
}

TEST_F(PostgresInspectionsTest, ResultsRecordedAtOnceOnTwoNodesAreNumberedWithoutGaps) {
  auto one = Log();
  auto two = Log();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  constexpr int kEach = 20;
  std::latch start(2);
  std::atomic<int> failures{0};
  auto record = [&](InspectionLog& log, const std::string& prefix) {
    start.arrive_and_wait();
    for (int i = 0; i < kEach; ++i) {
      if (!log.Append(Record(prefix + std::to_string(i), i % 2 == 0)).ok()) failures++;
    }
  };
  std::thread a([&] { record(*one, "A-"); });
  std::thread b([&] { record(*two, "B-"); });
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = one->After(0);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), static_cast<size_t>(2 * kEach));
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, static_cast<int64_t>(i) + 1);
}

TEST_F(PostgresInspectionsTest, ABadResultIsRefusedAndKeepsNothing) {
  auto log = Log();
  ASSERT_NE(log, nullptr);
  InspectionRecord bad = Record("", true);
  EXPECT_THAT(log->Append(bad), ::testing::Not(IsOk()));
  EXPECT_THAT(log->Last(), ::testing::Optional(int64_t{0}));
}

}  // namespace
}  // namespace clearway::app
