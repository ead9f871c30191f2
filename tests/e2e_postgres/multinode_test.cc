// Several Clearway nodes on one PostgreSQL database (issue 8), as real processes: two nodes
// serving concurrent submissions; one identity directory for both (a session from one node
// works on the other, a user disabled with `clearway user disable --store` is refused by
// both); the node holding the sequencer lease killed with SIGKILL under load and the other
// taking over; and an SQLite installation, identity directory included, moved to PostgreSQL
// with `clearway store copy`. Each checks that every acknowledged declaration is stored exactly once
// and that `clearway ledger verify --full` passes on the shared database. The tariff is shared
// too: a quota drawn through both nodes at once is never over-drawn and reads the same from
// either, and a tariff update imported once is quoted by every node; and so are the risk
// profiles: one activated on one node routes a filing on the other, and the model registry: a
// model promoted through one node is the model of the other's next assessment, and the
// inspection results: one recorded on one node is counted by a profile trial on the other.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/ledger_key.h"
#include "tariff/decimal.h"
#include "e2e_postgres/node_process.h"

namespace clearway::e2e {
namespace {

constexpr const char* kFiler = "hanse.broker";  // files for Nordfleisch, no second factor

class MultiNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::PgCluster* cluster = testing::SharedPgCluster();
    ASSERT_NE(cluster, nullptr);
    url_ = cluster->CreateDatabase();
    ASSERT_FALSE(url_.empty());
    dir_ = FreshTempDir("clearway-nodes-");
    body_ = ReadFile(std::string(std::getenv("CLEARWAY_SOURCE_DIR")) +
                     "/docs/example-declaration.json");
    ASSERT_FALSE(body_.empty());
  }

  void TearDown() override {
    for (auto& node : nodes_) node->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // CopyNodeKeys() gives node `data_dir` what every node on one database must share with
  // node 0: the ledger key (they sign one log) and the key file (they open one store's data
  // keys).
  void CopyNodeKeys(const std::string& data_dir) {
    std::filesystem::create_directories(data_dir + "/keys");
    std::filesystem::permissions(data_dir + "/keys", std::filesystem::perms::owner_all);
    std::filesystem::copy_file(app::LedgerKeyPath(dir_ + "/node0"), app::LedgerKeyPath(data_dir));
    std::filesystem::copy_file(dir_ + "/node0/keys/kek", data_dir + "/keys/kek");
  }

  // StartNodes() starts `count` nodes on the shared database, the first one alone (it
  // migrates, seeds the demo and its users and makes the ledger key), the others with a copy
  // of its key and of its demo credentials (the users they name are in the shared directory).
  void StartNodes(int count) {
    for (int idx = 0; idx < count; ++idx) {
      const std::string data_dir = dir_ + "/node" + std::to_string(idx);
      if (idx > 0) {
        std::filesystem::create_directories(data_dir);
        CopyNodeKeys(data_dir);
        std::filesystem::copy_file(dir_ + "/node0/demo-credentials.json",
                                   data_dir + "/demo-credentials.json");
      }
      auto node = std::make_unique<NodeProcess>();
      ASSERT_TRUE(node->Start(data_dir, url_)) << node->log();
      nodes_.push_back(std::move(node));
    }
  }

  int64_t Sql(const std::string& sql) {
    std::string value = testing::PgQuery(url_, sql);
    return value.empty() ? -1 : std::stoll(value);
  }

  // ExpectStoredOnce() checks that each acknowledged declaration is stored exactly once, with
  // one version, one head and its leaf, and nothing else was filed.
  void ExpectStoredOnce(const std::set<std::string>& acknowledged, int64_t before) {
    std::string ids;
    for (const std::string& id : acknowledged) ids += (ids.empty() ? "'" : ",'") + id + "'";
    const auto count = static_cast<int64_t>(acknowledged.size());
    EXPECT_EQ(Sql("SELECT COUNT(*) FROM declaration_heads WHERE id IN (" + ids + ")"), count);
    EXPECT_EQ(Sql("SELECT COUNT(*) FROM declarations WHERE id IN (" + ids + ") AND version = 1"),
              count);
    EXPECT_EQ(Sql("SELECT COUNT(*) FROM ledger_leaves WHERE record_id IN (SELECT id || '@v1'"
                  " FROM declaration_heads WHERE id IN (" + ids + "))"),
              count);
    // Nothing acknowledged is missing, and (unless a node died mid-request) nothing extra.
    EXPECT_GE(Sql("SELECT COUNT(*) FROM declaration_heads"), before + count);
    // The log: one leaf per record, indices 0..n-1.
    EXPECT_EQ(Sql("SELECT COUNT(*) FROM ledger_leaves"), Sql("SELECT MAX(idx) + 1 FROM ledger_leaves"));
  }

  // VerifyFull() runs `clearway ledger verify --full` on the shared database.
  void VerifyFull() {
    CommandResult verified = Shell(Binary() + " ledger verify --full --data-dir " + dir_ +
                                   "/node0 --store '" + url_ + "'");
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_NE(verified.output.find("verified:"), std::string::npos) << verified.output;
  }

  std::string url_;
  std::string dir_;
  std::string body_;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
};

TEST_F(MultiNodeTest, TwoNodesServeConcurrentSubmissionsOnOneDatabase) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  const int64_t before = Sql("SELECT COUNT(*) FROM declaration_heads");
  ASSERT_GE(before, 1);  // the first node seeded the demo; the second saw it and did not

  constexpr int kThreadsPerNode = 4;
  constexpr int kFilingsPerThread = 12;
  std::mutex mu;
  std::set<std::string> acknowledged;
  int refused = 0;
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 2 * kThreadsPerNode; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      auto filer = Filer::Open(*nodes_[static_cast<size_t>(thread_idx % 2)], kFiler);
      if (filer == nullptr) return;
      for (int filing = 0; filing < kFilingsPerThread; ++filing) {
        auto id = filer->File(body_, "k" + std::to_string(thread_idx) + "-" +
                                         std::to_string(filing));
        std::scoped_lock lock(mu);
        if (id.has_value()) {
          EXPECT_TRUE(acknowledged.insert(*id).second) << "id given twice: " << *id;
        } else {
          ++refused;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(refused, 0);
  EXPECT_EQ(acknowledged.size(), size_t{2 * kThreadsPerNode * kFilingsPerThread});
  // Both nodes answer reads of what the other filed.
  auto reader = Filer::Open(*nodes_[1], kFiler);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->Get("/v1/declarations/" + *acknowledged.begin()), 200);

  // Exactly one node holds the sequencer lease.
  const pid_t holder = LeaseHolderPid(url_);
  EXPECT_TRUE(holder == nodes_[0]->pid() || holder == nodes_[1]->pid()) << holder;
  for (auto& node : nodes_) node->Stop();
  ExpectStoredOnce(acknowledged, before);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM declaration_heads"),
            before + static_cast<int64_t>(acknowledged.size()));
  VerifyFull();
}

TEST_F(MultiNodeTest, BothNodesShareOneIdentityDirectory) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  // The second node found the demo users and added none of them, nor their delegations, again.
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_users WHERE username = '" + std::string(kFiler) +
                "'"),
            1);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM (SELECT trader_id, broker_id FROM identity_delegations"
                " GROUP BY trader_id, broker_id HAVING COUNT(*) > 1) AS twice"),
            0);
  EXPECT_EQ(nodes_[1]->log().find("does not sign in"), std::string::npos) << nodes_[1]->log();

  // A session opened on node 1 is accepted by node 2, and a made-up one by neither.
  auto on_one = Filer::Open(*nodes_[0], kFiler);
  ASSERT_NE(on_one, nullptr);
  auto on_two = Filer::WithAuthorization(*nodes_[1], on_one->authorization());
  ASSERT_NE(on_two, nullptr);
  EXPECT_EQ(on_one->Get("/v1/declarations"), 200);
  EXPECT_EQ(on_two->Get("/v1/declarations"), 200);
  EXPECT_TRUE(on_two->File(body_, "shared-session").has_value());
  auto forged = Filer::WithAuthorization(*nodes_[1], "Bearer cws_notatokenofanynode");
  ASSERT_NE(forged, nullptr);
  EXPECT_EQ(forged->Get("/v1/declarations"), 401);

  // Disabled through the CLI on the shared database: refused by both nodes at once, its
  // session and new sign-ins alike, and the change is a security event in the shared log.
  CommandResult disabled =
      Shell(Binary() + " user disable " + kFiler + " --store '" + url_ + "'");
  ASSERT_EQ(disabled.exit_code, 0) << disabled.output;
  EXPECT_EQ(on_one->Get("/v1/declarations"), 401);
  EXPECT_EQ(on_two->Get("/v1/declarations"), 401);
  for (auto& node : nodes_) {
    auto refused = Filer::SignIn(*node, kFiler);
    EXPECT_FALSE(refused.ok()) << "node on port " << node->port() << " let a disabled user in";
  }
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM security_events WHERE type = 'user-disabled'"), 1);

  // Enabled again, through CLEARWAY_STORE this time: both nodes let it sign in.
  CommandResult enabled = Shell("CLEARWAY_STORE='" + url_ + "' " + Binary() + " user enable " +
                                kFiler + " --data-dir " + dir_ + "/nowhere");
  ASSERT_EQ(enabled.exit_code, 0) << enabled.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/nowhere/identity.db"));
  EXPECT_TRUE(Filer::SignIn(*nodes_[0], kFiler).ok());
  EXPECT_TRUE(Filer::SignIn(*nodes_[1], kFiler).ok());
}

TEST_F(MultiNodeTest, ASecondDemoNodeWithoutTheFirstsCredentialsWarnsAndAddsNoUsers) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(1));
  const int64_t users = Sql("SELECT COUNT(*) FROM identity_users");
  ASSERT_GE(users, 1);
  // Node 2 with the keys but not the demo credentials: it makes passwords of its own,
  // which the shared directory (seeded by node 1) does not hold.
  const std::string data_dir = dir_ + "/node1";
  std::filesystem::create_directories(data_dir);
  CopyNodeKeys(data_dir);
  auto second = std::make_unique<NodeProcess>();
  ASSERT_TRUE(second->Start(data_dir, url_)) << second->log();
  nodes_.push_back(std::move(second));
  EXPECT_NE(nodes_[1]->log().find("does not sign in; copy that node's demo-credentials.json"),
            std::string::npos)
      << nodes_[1]->log();
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_users"), users);
  // Its own file does not sign in anywhere; node 1's does, on node 2 too.
  EXPECT_FALSE(Filer::SignIn(*nodes_[1], kFiler).ok());
  std::filesystem::copy_file(dir_ + "/node0/demo-credentials.json",
                             data_dir + "/demo-credentials.json",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(Filer::SignIn(*nodes_[1], kFiler).ok());
}

TEST_F(MultiNodeTest, SequencerKilledMidLoadIsReplacedWithoutGapOrFork) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  const int64_t before = Sql("SELECT COUNT(*) FROM declaration_heads");
  pid_t holder = 0;
  ASSERT_TRUE(WaitFor(std::chrono::seconds(20), [&] { return (holder = LeaseHolderPid(url_)) != 0; }));
  const size_t victim = holder == nodes_[0]->pid() ? 0 : 1;
  const size_t survivor = 1 - victim;
  ASSERT_EQ(nodes_[victim]->pid(), holder);

  std::atomic<bool> stop{false};
  std::atomic<bool> killed{false};
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> survivor_filings{0};
  std::atomic<int> signed_in{0};  // threads past their sign-in (an Argon2id each, slow)
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 6; ++thread_idx) {
    const size_t target = thread_idx % 2 == 0 ? victim : survivor;
    threads.emplace_back([&, thread_idx, target] {
      auto filer = Filer::Open(*nodes_[target], kFiler);
      ++signed_in;
      if (filer == nullptr) return;
      for (int filing = 0; !stop.load() && filing < 400; ++filing) {
        auto id = filer->File(body_, "f" + std::to_string(thread_idx) + "-" +
                                         std::to_string(filing));
        if (!id.has_value()) {
          // Only the killed node may fail to answer.
          EXPECT_TRUE(target == victim && killed.load()) << "the survivor refused a filing";
          if (target == victim) return;
          continue;
        }
        std::scoped_lock lock(mu);
        EXPECT_TRUE(acknowledged.insert(*id).second) << "id given twice: " << *id;
        if (target == survivor) ++survivor_filings;
      }
    });
  }
  // Let the load run on every connection, then kill the sequencer in the middle of it (not
  // while a sign-in to it is still being answered: that is a refused sign-in, not a filing).
  ASSERT_TRUE(WaitFor(std::chrono::seconds(60), [&] {
    return signed_in.load() == 6 && survivor_filings.load() >= 10;
  }));
  killed = true;
  nodes_[victim]->Kill();
  const int after_kill = survivor_filings.load();
  ASSERT_TRUE(WaitFor(std::chrono::seconds(60),
                      [&] { return survivor_filings.load() >= after_kill + 20; }));
  stop = true;
  for (auto& thread : threads) thread.join();

  // The survivor takes the lease within seconds and signs a checkpoint of the whole log.
  EXPECT_TRUE(WaitFor(std::chrono::seconds(15),
                      [&] { return LeaseHolderPid(url_) == nodes_[survivor]->pid(); }))
      << "the lease holder is " << LeaseHolderPid(url_);
  EXPECT_TRUE(WaitFor(std::chrono::seconds(20), [&] {
    return Sql("SELECT MAX(size) FROM ledger_checkpoints") ==
           Sql("SELECT COUNT(*) FROM ledger_leaves");
  })) << "no checkpoint covers the log after the failover";
  nodes_[survivor]->Stop();
  ExpectStoredOnce(acknowledged, before);
  VerifyFull();
}

// The example declaration claims 4,800 kg of the demo's 20,000 kg beef quota 09.4450. Filed
// through both nodes at once, the quota is drawn at most four times in all (one balance, not
// one per node), each declaration at most once, and both nodes quote the same balance.
TEST_F(MultiNodeTest, AQuotaDrawnThroughTwoNodesAtOnceIsNeverOverdrawn) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  constexpr int64_t kVolume = 20'000'000;  // thousandths of a kg
  constexpr int64_t kClaim = 4'800'000;
  const std::string balance = "SELECT drawn FROM tariff_quota_balances WHERE order_number = '09.4450'";
  const int64_t drawn_before = Sql(balance);
  ASSERT_GE(drawn_before, 0);
  const int64_t fit = (kVolume - drawn_before) / kClaim;

  constexpr int kThreadsPerNode = 3;
  constexpr int kFilingsPerThread = 3;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 2 * kThreadsPerNode; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      auto filer = Filer::Open(*nodes_[static_cast<size_t>(thread_idx % 2)], kFiler);
      if (filer == nullptr) return;
      for (int filing = 0; filing < kFilingsPerThread; ++filing) {
        auto id = filer->File(body_, "q" + std::to_string(thread_idx) + "-" +
                                         std::to_string(filing));
        std::scoped_lock lock(mu);
        if (id.has_value()) acknowledged.insert(*id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(acknowledged.size(), size_t{2 * kThreadsPerNode * kFilingsPerThread});
  ASSERT_GT(static_cast<int64_t>(acknowledged.size()), fit);  // more claims than fit

  // Exactly as many draws as fit, never more, whichever node filed them.
  EXPECT_TRUE(WaitFor(std::chrono::seconds(20), [&] {
    return Sql(balance) == drawn_before + fit * kClaim;
  })) << "drawn " << Sql(balance) << " of " << kVolume << ", before " << drawn_before;
  EXPECT_LE(Sql(balance), kVolume);
  EXPECT_EQ(Sql("SELECT SUM(thousandths) FROM tariff_quota_draws WHERE order_number = '09.4450'"),
            Sql(balance));
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM (SELECT reference FROM tariff_quota_draws"
                " GROUP BY order_number, reference HAVING COUNT(*) > 1) AS twice"),
            0);

  // Both nodes quote the same balance: what is left is below one claim, so neither applies it.
  const std::string left = tariff::FormatMinor(kVolume - Sql(balance), 3);
  for (auto& node : nodes_) {
    auto quoter = Filer::Open(*node, kFiler);
    ASSERT_NE(quoter, nullptr);
    auto [status, quote] = quoter->Send("POST", "/v1/duty/quote", body_);
    ASSERT_EQ(status, 200) << quote;
    EXPECT_NE(quote.find("quota exhausted, " + left + " kg left"), std::string::npos)
        << "node on port " << node->port() << ": " << quote;
  }
}

// A tariff update imported once (`clearway tariff import --store`) is in force on every node
// at once; importing it again through another node's data directory changes nothing.
TEST_F(MultiNodeTest, ATariffUpdateImportedOnceIsQuotedByEveryNode) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  const std::string measures = "/v1/measures?code=0201100000&origin=AR&date=2026-06-01";
  auto reader = Filer::Open(*nodes_[1], kFiler);
  ASSERT_NE(reader, nullptr);
  auto [before_status, before] = reader->Send("GET", measures);
  ASSERT_EQ(before_status, 200) << before;
  EXPECT_EQ(before.find("E2E-TC-0201"), std::string::npos) << before;

  const std::string update = dir_ + "/update.json";
  {
    std::ofstream out(update);
    out << R"({"fileId": "e2e-multinode-1", "measures": [{"op": "upsert", "id": "E2E-TC-0201",)"
           R"( "type": "third-country-duty", "code": "0201", "geo": "1011",)"
           R"( "validFrom": "2020-01-01", "legalBase": "test regulation", "duty": "42 %"}]})";
  }
  CommandResult imported = Shell(Binary() + " tariff import " + update + " --data-dir " + dir_ +
                                 "/node0 --store '" + url_ + "'");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/node0/tariff.db"));
  for (auto& node : nodes_) {
    auto filer = Filer::Open(*node, kFiler);
    ASSERT_NE(filer, nullptr);
    auto [status, body] = filer->Send("GET", measures);
    ASSERT_EQ(status, 200) << body;
    EXPECT_NE(body.find("E2E-TC-0201"), std::string::npos) << body;
    EXPECT_NE(body.find("42 %"), std::string::npos) << body;
  }
  CommandResult again = Shell("CLEARWAY_STORE='" + url_ + "' " + Binary() + " tariff import " +
                              update + " --data-dir " + dir_ + "/node1");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(std::regex_search(again.output, std::regex("\"alreadyImported\":\\s*true")))
      << again.output;
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM tariff_measures WHERE measure_id = 'E2E-TC-0201'"), 1);
  // The demo tariff was seeded once, by the first node.
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM tariff_imports"), 2);
}

// A risk profile an analyst activates on one node routes the next filing on the other: the
// profiles are shared, and each node's engine picks up another node's change before it
// assesses.
TEST_F(MultiNodeTest, AProfileActivatedOnOneNodeRoutesAFilingOnTheOther) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  // The demo's profiles were seeded once, by the first node.
  EXPECT_EQ(Sql("SELECT generation FROM risk_profile_documents"), 1);
  auto analyst = Filer::Open(*nodes_[0], "risk.analyst");
  ASSERT_NE(analyst, nullptr);
  auto [created, created_body] = analyst->Send(
      "POST", "/v1/risk/profiles",
      R"({"id": "WINE-CL", "lane": "yellow", "description": "Chilean wine",
          "instructions": "Check the VI-1 document.",
          "conditions": {"commodity_prefixes": ["2204"], "origins": ["CL"]}})");
  ASSERT_EQ(created, 201) << created_body;
  // Node 2 lists the draft at once.
  auto other_analyst = Filer::Open(*nodes_[1], "risk.analyst");
  ASSERT_NE(other_analyst, nullptr);
  auto [listed, listing] = other_analyst->Send("GET", "/v1/risk/profiles");
  ASSERT_EQ(listed, 200) << listing;
  EXPECT_NE(listing.find("WINE-CL"), std::string::npos) << listing;

  const std::string wine = R"({"type":"import","procedure":"4000","office":"FR693000",
    "declarant":{"id":"FR44123456700017","name":"Soieries de Lyon SA","address":{"street":"12 Quai Saint-Vincent","city":"Lyon","postcode":"69001","country":"FR"}},
    "importer":{"id":"FR44123456700017","name":"Soieries de Lyon SA","address":{"street":"12 Quai Saint-Vincent","city":"Lyon","postcode":"69001","country":"FR"}},
    "exporter":{"id":"CL76543210","name":"Vina del Sur","address":{"street":"Av. 1","city":"Santiago","postcode":"8320000","country":"CL"}},
    "transport":{"mode":1,"identity":"MSC OSCAR","nationality":"PA","containers":["MSCU1234566"]},
    "invoice":{"number":"INV-W1","date":"2026-01-05","currency":"EUR","total":"5500.00","incoterm":"CIF"},
    "goodsItems":[{"sequence":1,"commodityCode":"2204210000","description":"Wine","origin":"CL","netMass":"1000.000","grossMass":"1100.000","quantity":{"value":"1000","unit":"LTR"},"price":"5500.00","documents":[]}]})";
  auto [activated, activated_body] = analyst->Send("POST", "/v1/risk/profiles/WINE-CL/activate");
  ASSERT_EQ(activated, 200) << activated_body;

  // The profiles an assessment hit, as an analyst reads them on `reader`.
  auto profiles_hit = [](Filer& reader, const std::string& filed_body) -> std::string {
    auto parsed = ParseJson(filed_body);
    if (!parsed.ok() || !parsed->is_object() || !parsed->get_object().contains("id")) return "?";
    const std::string id(parsed->get_object().at("id").as_string());
    auto [status, body] = reader.Send("GET", "/v1/declarations/" + id + "/assessment");
    if (status != 200) return "HTTP " + std::to_string(status) + " " + body;
    auto assessment = ParseJson(body);
    if (!assessment.ok()) return "?";
    const auto* risk = assessment->get_object().if_contains("risk");
    if (risk == nullptr || !risk->is_object()) return "no risk in " + body;
    const auto* hit = risk->get_object().if_contains("profilesHit");
    return hit == nullptr ? "none" : boost::json::serialize(*hit);
  };

  auto clerk = Filer::Open(*nodes_[1], "lyon.clerk");
  ASSERT_NE(clerk, nullptr);
  auto [filed, filed_body] = clerk->Send("POST", "/v1/declarations", wine);
  ASSERT_EQ(filed, 201) << filed_body;
  EXPECT_EQ(profiles_hit(*other_analyst, filed_body), R"(["WINE-CL"])");

  // Retired on node 2, it no longer routes filings on node 1.
  auto [retired, retired_body] = other_analyst->Send("POST", "/v1/risk/profiles/WINE-CL/retire");
  ASSERT_EQ(retired, 200) << retired_body;
  auto clerk_one = Filer::Open(*nodes_[0], "lyon.clerk");
  ASSERT_NE(clerk_one, nullptr);
  auto [again, again_body] = clerk_one->Send("POST", "/v1/declarations", wine);
  ASSERT_EQ(again, 201) << again_body;
  EXPECT_EQ(profiles_hit(*analyst, again_body), "[]");
  EXPECT_EQ(Sql("SELECT generation FROM risk_profile_documents"), 4);
}

// A model trained and promoted in the shared registry (`clearway risk train|promote --store`)
// is the model of the other node's next assessment: each node's engine checks the promotion's
// generation before it assesses and reloads when it moved.
TEST_F(MultiNodeTest, AModelPromotedThroughOneNodeIsTheModelOfTheOthersNextAssessment) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  // The demo's model was trained and promoted once, by the first node.
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM risk_models"), 1);
  EXPECT_EQ(Sql("SELECT generation FROM risk_current_model"), 1);
  const std::string seeded = testing::PgQuery(url_, "SELECT model_id FROM risk_current_model");
  ASSERT_EQ(seeded.size(), 64u);

  // The model version an assessment made on `node` names, as the analyst reads it (one
  // session: a second factor code is accepted once).
  auto analyst = Filer::Open(*nodes_[0], "risk.analyst");
  ASSERT_NE(analyst, nullptr);
  auto model_of_next_filing = [&](NodeProcess& node, const std::string& key) -> std::string {
    auto filer = Filer::Open(node, kFiler);
    if (filer == nullptr) return "no session";
    auto filed = filer->File(body_, key);
    if (!filed) return "not filed";
    auto [status, body] = analyst->Send("GET", "/v1/declarations/" + *filed + "/assessment");
    if (status != 200) return "HTTP " + std::to_string(status) + " " + body;
    auto parsed = ParseJson(body);
    if (!parsed.ok()) return "?";
    const auto* risk = parsed->get_object().if_contains("risk");
    if (risk == nullptr || !risk->is_object()) return "no risk in " + body;
    const auto* version = risk->get_object().if_contains("modelVersion");
    return version == nullptr || !version->is_string() ? "none"
                                                       : std::string(version->get_string());
  };
  EXPECT_EQ(model_of_next_filing(*nodes_[1], "model-before"), seeded);

  // A new model, trained on node 1's history with fewer rounds, saved in the shared registry.
  const std::string store = " --store '" + url_ + "'";
  CommandResult trained = Shell(Binary() + " risk train --rounds 5 --data " + dir_ +
                                "/node0/risk/history.csv" + store);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  std::smatch found;
  ASSERT_TRUE(std::regex_search(trained.output, found, std::regex("model ([0-9a-f]{64})")))
      << trained.output;
  const std::string fresh = found[1];
  ASSERT_NE(fresh, seeded);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM risk_models"), 2);
  EXPECT_EQ(Sql("SELECT generation FROM risk_current_model"), 1);  // saved, not promoted

  // An unknown id is refused and changes nothing.
  CommandResult unknown = Shell(Binary() + " risk promote --model " + std::string(64, '0') + store);
  EXPECT_NE(unknown.exit_code, 0) << unknown.output;
  EXPECT_NE(unknown.output.find("model-not-found"), std::string::npos) << unknown.output;
  EXPECT_EQ(Sql("SELECT generation FROM risk_current_model"), 1);

  CommandResult promoted = Shell(Binary() + " risk promote --model " + fresh + store);
  ASSERT_EQ(promoted.exit_code, 0) << promoted.output;
  EXPECT_EQ(Sql("SELECT generation FROM risk_current_model"), 2);
  CommandResult listed = Shell(Binary() + " risk models" + store);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("* " + fresh), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("  " + seeded), std::string::npos) << listed.output;
  EXPECT_EQ(model_of_next_filing(*nodes_[1], "model-after-1"), fresh);
  EXPECT_EQ(model_of_next_filing(*nodes_[0], "model-after-0"), fresh);

  // A model row altered in the database is refused: not promoted, and no node runs it.
  ASSERT_EQ(Sql("WITH t AS (UPDATE risk_models SET model = model || '\\x20'::bytea WHERE id = '" +
                seeded + "' RETURNING 1) SELECT COUNT(*) FROM t"),
            1);
  CommandResult tampered = Shell(Binary() + " risk promote --model " + seeded + store);
  EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
  EXPECT_NE(tampered.output.find("model-tampered"), std::string::npos) << tampered.output;
  EXPECT_EQ(Sql("SELECT generation FROM risk_current_model"), 2);
  EXPECT_EQ(model_of_next_filing(*nodes_[1], "model-still"), fresh);
}

// An inspection result recorded through one node is seen by the other: a profile trial there
// counts it (each node reads the shared results, risk_inspections).
TEST_F(MultiNodeTest, AnInspectionResultRecordedOnOneNodeIsSeenByTheOther) {
  ASSERT_NO_FATAL_FAILURE(StartNodes(2));
  auto filer = Filer::Open(*nodes_[0], kFiler);
  ASSERT_NE(filer, nullptr);
  auto filed = filer->File(body_, "inspected");  // Argentine beef: red, under control
  ASSERT_TRUE(filed.has_value());
  auto analyst = Filer::Open(*nodes_[1], "risk.analyst");
  ASSERT_NE(analyst, nullptr);
  auto trial = [&]() -> std::string {
    auto [status, body] = analyst->Send("POST", "/v1/risk/profiles/MEAT-AR-COLDCHAIN/test");
    if (status != 200) return "HTTP " + std::to_string(status) + " " + body;
    auto parsed = ParseJson(body);
    if (!parsed.ok() || !parsed->is_object()) return "?";
    const auto& o = parsed->get_object();
    if (!o.contains("inspectedHits") || !o.contains("fraudHits")) return body;
    return boost::json::serialize(o.at("inspectedHits")) + "/" +
           boost::json::serialize(o.at("fraudHits"));
  };
  EXPECT_EQ(trial(), "0/0");

  auto officer = Filer::Open(*nodes_[0], "officer.hamburg");
  ASSERT_NE(officer, nullptr);
  auto [recorded, recorded_body] =
      officer->Send("POST", "/v1/declarations/" + *filed + "/inspection-result",
                    R"({"fraudFound": true, "dutiesRaised": "1200.00"})");
  ASSERT_EQ(recorded, 201) << recorded_body;
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM risk_inspections WHERE declaration_id = '" + *filed +
                "' AND fraud_found AND duties_raised = 1200"),
            1);
  EXPECT_EQ(trial(), "1/1");
  // A refused result (not a boolean) keeps nothing.
  auto [refused, refused_body] = officer->Send(
      "POST", "/v1/declarations/" + *filed + "/inspection-result", R"({"fraudFound": "yes"})");
  EXPECT_EQ(refused, 400) << refused_body;
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM risk_inspections"), 1);
  // The node that did not record it learns it before its next assessment (SyncInspections():
  // the latest number moved); the filing goes through that path.
  auto filer_two = Filer::Open(*nodes_[1], kFiler);
  ASSERT_NE(filer_two, nullptr);
  EXPECT_TRUE(filer_two->File(body_, "after-inspection").has_value());
}

TEST_F(MultiNodeTest, SqliteInstallationMovesToPostgresWithEveryRecord) {
  // An SQLite installation with the demo's declarations, decisions and ledger.
  auto sqlite_node = std::make_unique<NodeProcess>();
  ASSERT_TRUE(sqlite_node->Start(dir_ + "/node0", "")) << sqlite_node->log();
  std::string session;  // a session of the SQLite node, which the copy must carry over
  {
    auto filer = Filer::Open(*sqlite_node, kFiler);
    ASSERT_NE(filer, nullptr);
    for (int filing = 0; filing < 5; ++filing) {
      EXPECT_TRUE(filer->File(body_, "copy-" + std::to_string(filing)).has_value());
    }
    session = filer->authorization();
  }
  sqlite_node->Stop();
  const std::string db = dir_ + "/node0/clearway.db";
  CommandResult sqlite_stats = Shell(Binary() + " store stats --data-dir " + dir_ + "/node0");
  ASSERT_EQ(sqlite_stats.exit_code, 0) << sqlite_stats.output;

  CommandResult copied =
      Shell(Binary() + " store copy --from sqlite:" + db + " --to '" + url_ + "'");
  ASSERT_EQ(copied.exit_code, 0) << copied.output;
  EXPECT_NE(copied.output.find("ledger leaves"), std::string::npos) << copied.output;
  EXPECT_EQ(copied.output.find(url_.substr(url_.find(':', 11) + 1, 8)), std::string::npos)
      << "the password was printed";
  CommandResult pg_stats = Shell(Binary() + " store stats --store '" + url_ + "'");
  EXPECT_EQ(pg_stats.output, sqlite_stats.output);
  for (const char* table : {"declarations", "transitions", "idempotency", "assessments",
                            "security_events", "ledger_leaves", "ledger_nodes",
                            "ledger_checkpoints", "ledger_cosignatures"}) {
    CommandResult rows = Shell("sqlite3 " + db + " 'SELECT COUNT(*) FROM " + table + "'");
    EXPECT_EQ(std::to_string(Sql(std::string("SELECT COUNT(*) FROM ") + table)) + "\n",
              rows.output)
        << table;
  }
  // The identity directory beside it came along, row for row.
  const std::string identity_db = dir_ + "/node0/identity.db";
  EXPECT_NE(copied.output.find("and the identity directory"), std::string::npos) << copied.output;
  for (const char* table : {"organisations", "delegations", "users", "user_offices",
                            "recovery_codes", "tokens"}) {
    CommandResult rows = Shell("sqlite3 " + identity_db + " 'SELECT COUNT(*) FROM " + table + "'");
    EXPECT_EQ(std::to_string(Sql(std::string("SELECT COUNT(*) FROM identity_") + table)) + "\n",
              rows.output)
        << table;
  }
  EXPECT_GE(Sql("SELECT COUNT(*) FROM identity_tokens"), 1);
  // So did the node's tariff, with the quota's balance as the draws left it.
  const std::string tariff_db = dir_ + "/node0/tariff.db";
  EXPECT_NE(copied.output.find("and the tariff"), std::string::npos) << copied.output;
  for (const char* table : {"nomenclature", "measures", "geo_groups", "quotas", "quota_draws",
                            "exchange_rates", "imports"}) {
    CommandResult rows = Shell("sqlite3 " + tariff_db + " 'SELECT COUNT(*) FROM " + table + "'");
    EXPECT_EQ(std::to_string(Sql(std::string("SELECT COUNT(*) FROM tariff_") + table)) + "\n",
              rows.output)
        << table;
  }
  CommandResult drawn = Shell("sqlite3 " + tariff_db + " 'SELECT SUM(thousandths) FROM quota_draws'");
  EXPECT_EQ(std::to_string(Sql("SELECT drawn FROM tariff_quota_balances")) + "\n", drawn.output);
  EXPECT_GE(Sql("SELECT drawn FROM tariff_quota_balances"), 4'800'000);
  VerifyFull();
  // And the model registry, with its promotion.
  EXPECT_NE(copied.output.find("and the model registry"), std::string::npos) << copied.output;
  const std::string current = ReadFile(dir_ + "/node0/models/CURRENT");
  ASSERT_GE(current.size(), 64u);
  EXPECT_EQ(testing::PgQuery(url_, "SELECT model_id FROM risk_current_model"),
            current.substr(0, 64));
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM risk_models"), 1);

  // A second copy into the same database is refused and changes nothing.
  CommandResult again =
      Shell(Binary() + " store copy --from sqlite:" + db + " --to '" + url_ + "'");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("target-not-empty"), std::string::npos) << again.output;
  CommandResult still = Shell(Binary() + " store stats --store '" + url_ + "'");
  EXPECT_EQ(still.output, sqlite_stats.output);

  // The installation now serves from PostgreSQL, with the same ledger, users and sessions.
  ASSERT_NO_FATAL_FAILURE(StartNodes(1));
  auto kept = Filer::WithAuthorization(*nodes_[0], session);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->Get("/v1/declarations"), 200);
  auto filer = Filer::Open(*nodes_[0], kFiler);
  ASSERT_NE(filer, nullptr);
  EXPECT_TRUE(filer->File(body_, "after-copy").has_value());
  nodes_[0]->Stop();
  VerifyFull();
}

TEST_F(MultiNodeTest, StoreCopyRefusesWhatItCannotCopy) {
  CommandResult no_source = Shell(Binary() + " store copy --from sqlite:" + dir_ +
                                  "/missing.db --to '" + url_ + "'");
  EXPECT_EQ(no_source.exit_code, 1);
  EXPECT_NE(no_source.output.find("store-not-found"), std::string::npos) << no_source.output;
  CommandResult not_postgres =
      Shell(Binary() + " store copy --from sqlite:" + dir_ + "/a.db --to sqlite:b.db");
  EXPECT_EQ(not_postgres.exit_code, 1);
  EXPECT_NE(not_postgres.output.find("unsupported-store"), std::string::npos)
      << not_postgres.output;
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'declarations'"), 0);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'identity%'"), 0);
  // `store migrate` makes both schemas, the store's and the identity directory's.
  CommandResult migrated = Shell(Binary() + " store migrate --store '" + url_ + "'");
  EXPECT_EQ(migrated.exit_code, 0) << migrated.output;
  EXPECT_NE(migrated.output.find("identity schema is current (version 1)"), std::string::npos)
      << migrated.output;
  EXPECT_EQ(Sql("SELECT MAX(version) FROM identity_schema_migrations"), 1);
}

TEST_F(MultiNodeTest, StoreCopyKeepsNothingWhenTheIdentityDirectoryCannotBeCopied) {
  // An SQLite installation with an identity directory and a store, made by the CLI.
  const std::string source = dir_ + "/old";
  CommandResult org = Shell(Binary() + " org add DE987654321000001 --name Nordfleisch --kind "
                                       "trader --data-dir " + source);
  ASSERT_EQ(org.exit_code, 0) << org.output;
  CommandResult migrated = Shell(Binary() + " store migrate --data-dir " + source);
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  // A user: a row of the directory, and a security event (with its leaf) in the store.
  CommandResult user = Shell("CLEARWAY_PASSWORD='a long enough pass phrase 42' " + Binary() +
                             " user add nord.clerk --org DE987654321000001 --role declarant"
                             " --data-dir " + source);
  ASSERT_EQ(user.exit_code, 0) << user.output;
  ASSERT_EQ(Shell("sqlite3 " + source + "/clearway.db 'SELECT COUNT(*) FROM security_events'")
                .output,
            "1\n");
  // The target's identity directory is not empty (an organisation added with --store).
  CommandResult taken = Shell(Binary() + " org add FR123456789000002 --name Vins --kind trader"
                                         " --store '" + url_ + "'");
  ASSERT_EQ(taken.exit_code, 0) << taken.output;
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_organisations"), 1);

  CommandResult refused = Shell(Binary() + " store copy --from sqlite:" + source +
                                "/clearway.db --to '" + url_ + "'");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("target-not-empty"), std::string::npos) << refused.output;
  // Neither the store's rows nor the directory's were kept.
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM security_events"), 0);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM ledger_leaves"), 0);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_users"), 0);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_organisations"), 1);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM identity_organisations WHERE id = 'DE987654321000001'"), 0);
}

}  // namespace
}  // namespace clearway::e2e
