// The ledger over real HTTPS: public endpoints without an account, proofs that verify against
// the signed checkpoints they were fetched with, receipts under the read policy, and a witness
// that cosigns over HTTP and catches a forked log signed with the same key.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "app/ledger_receipt.h"
#include "app/samples.h"
#include "ledger/checkpoint.h"
#include "ledger/leaf.h"
#include "ledger/witness.h"
#include "server_fixture.h"

namespace clearway::e2e {
namespace {

using clearway::testing::HasReason;
using clearway::testing::IsOk;

constexpr const char* kClerk = "nordfleisch.clerk";

std::string Body(uint64_t seed) {
  app::SampleSpec spec;
  spec.declarant = app::Nordfleisch();
  spec.importer = app::Nordfleisch();
  spec.seed = seed;
  return boost::json::serialize(app::MakeSampleDeclaration(spec));
}

std::vector<ledger::Hash> Hashes(const boost::json::object& body) {
  std::vector<ledger::Hash> out;
  for (const auto& item : body.at("hashes").as_array()) {
    auto bytes = crypto::FromHex(item.as_string()).value();
    ledger::Hash hash{};
    std::copy(bytes.begin(), bytes.end(), hash.begin());
    out.push_back(hash);
  }
  return out;
}

class LedgerApiTest : public ServerFixture {
 protected:
  // These tests drive the lifecycle by hand: the engine only recommends (risk_e2e_test covers
  // routing at filing).
  void Configure(app::Config& config) override {
    config.risk.routing = app::RoutingMode::kRecommend;
  }

  std::string File(api::HttpsClient& client, uint64_t seed) {
    auto response = Send(client, kClerk, "POST", "/v1/declarations", Body(seed));
    EXPECT_EQ(response.status, 201) << response.body;
    auto body = Json(response);
    return body.contains("id") ? std::string(body["id"].as_string()) : "";
  }

  ledger::VerifierKey Key(api::HttpsClient& client) {
    auto response = Send(client, "", "GET", "/v1/ledger/key");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.Header("content-type"), "text/plain; charset=utf-8");
    auto key = ledger::ParseVerifierKey(response.body);
    EXPECT_THAT(key, IsOk()) << response.body;
    return key.ok() ? *key : ledger::VerifierKey{};
  }

  // CheckpointOverHttp() signs the log now, then fetches and opens the latest checkpoint.
  std::pair<std::string, ledger::Checkpoint> CheckpointOverHttp(api::HttpsClient& client,
                                                                const ledger::VerifierKey& key) {
    EXPECT_THAT(runtime_->ledger().IssueCheckpoint(), IsOk());
    auto response = Send(client, "", "GET", "/v1/ledger/checkpoint");
    EXPECT_EQ(response.status, 200);
    auto opened = ledger::OpenCheckpoint(response.body, key);
    EXPECT_THAT(opened, IsOk()) << response.body;
    return {response.body, opened.ok() ? opened->checkpoint : ledger::Checkpoint{}};
  }

  // Leaves() is the log's size now. Tests do not assume how many leaves a request adds: a
  // filing adds its version, transitions and assessment, a sign-in its security events.
  uint64_t Leaves() { return runtime_->store().LedgerTree().LeafCount().value(); }
};

TEST_F(LedgerApiTest, PublicEndpointsServeVerifiableProofsWithoutAnAccount) {
  auto client = Client();
  ASSERT_NE(client, nullptr);
  ledger::VerifierKey key = Key(*client);
  EXPECT_EQ(key.name, "clearway.example/demo");
  auto [old_note, older] = CheckpointOverHttp(*client, key);
  EXPECT_EQ(older.size, 0u);

  File(*client, 1);
  File(*client, 2);
  auto [new_note, newer] = CheckpointOverHttp(*client, key);
  ASSERT_EQ(newer.size, Leaves());
  ASSERT_GE(newer.size, 6u);  // at least a version and two transitions per filing

  for (uint64_t index = 0; index < newer.size; ++index) {
    auto leaf = Send(*client, "", "GET", "/v1/ledger/leaves/" + std::to_string(index));
    ASSERT_EQ(leaf.status, 200) << leaf.body;
    auto body = Json(leaf);
    auto entry = crypto::FromHex(body["entry"].as_string()).value();
    const ledger::Hash leaf_hash = ledger::HashLeaf(entry);
    EXPECT_EQ(body["leaf_hash"].as_string(), crypto::ToHex(leaf_hash));
    auto decoded = ledger::DecodeLeafEntry(entry);
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(body["kind"].as_string(), decoded->kind);
    EXPECT_EQ(body["record_id"].as_string(), decoded->record_id);

    auto proof = Send(*client, "", "GET",
                      "/v1/ledger/proofs/inclusion?index=" + std::to_string(index) +
                          "&size=" + std::to_string(newer.size));
    ASSERT_EQ(proof.status, 200) << proof.body;
    EXPECT_THAT(
        ledger::VerifyInclusion(index, newer.size, leaf_hash, Hashes(Json(proof)), newer.root),
        IsOk());
  }
  // Two checkpoints fetched over HTTPS, and the consistency proof between them.
  File(*client, 3);
  auto [latest_note, latest] = CheckpointOverHttp(*client, key);
  auto consistency = Send(*client, "", "GET",
                          "/v1/ledger/proofs/consistency?from=" + std::to_string(newer.size) +
                              "&to=" + std::to_string(latest.size));
  ASSERT_EQ(consistency.status, 200) << consistency.body;
  EXPECT_THAT(ledger::VerifyConsistency(newer.size, latest.size, newer.root, latest.root,
                                        Hashes(Json(consistency))),
              IsOk());
}

TEST_F(LedgerApiTest, BadProofRequestsAreRefusedWithTheirReason) {
  auto client = Client();
  File(*client, 1);
  ASSERT_THAT(runtime_->ledger().IssueCheckpoint(), IsOk());
  const std::string n = std::to_string(Leaves());  // the checkpoint's size
  const std::string past = std::to_string(Leaves() + 1);
  auto expect = [&](const std::string& target, int status, const std::string& reason) {
    auto response = Send(*client, "", "GET", target);
    EXPECT_EQ(response.status, status) << target << ": " << response.body;
    EXPECT_EQ(Json(response)["reason"].as_string(), reason) << target;
  };
  expect("/v1/ledger/proofs/inclusion?index=0", 400, "bad-parameter");
  expect("/v1/ledger/proofs/inclusion?index=-1&size=" + n, 400, "bad-parameter");
  expect("/v1/ledger/proofs/inclusion?index=" + n + "&size=" + n, 400,
         "leaf-index-out-of-range");
  expect("/v1/ledger/proofs/inclusion?index=0&size=" + past, 400, "tree-size-out-of-range");
  expect("/v1/ledger/proofs/consistency?from=3&to=2", 400, "bad-consistency-range");
  expect("/v1/ledger/proofs/consistency?from=1&to=" + past, 400, "tree-size-out-of-range");
  expect("/v1/ledger/leaves/" + n, 404, "leaf-not-found");
  expect("/v1/ledger/leaves/first", 400, "bad-parameter");
  auto witness = [&](const std::string& body, int status, const std::string& reason) {
    auto response = Send(*client, "", "POST", "/v1/ledger/witness/consistency", body);
    EXPECT_EQ(response.status, status) << body << ": " << response.body;
    EXPECT_EQ(Json(response)["reason"].as_string(), reason) << body;
  };
  witness("{}", 400, "required");
  witness(R"({"old_size": "3"})", 400, "wrong-type");
  witness(R"({"old_size": 1, "extra": true})", 400, "unknown-field");
  witness(R"({"old_size": )" + past + "}", 400, "tree-size-out-of-range");
  witness(R"({"old_size": )" + n + R"(, "checkpoint": "forged\n"})", 400, "foreign-checkpoint");
}

TEST_F(LedgerApiTest, ReceiptFollowsTheReadPolicyAndVerifiesOffline) {
  auto client = Client();
  ledger::VerifierKey key = Key(*client);
  std::string id = File(*client, 1);
  auto decided = Send(*client, "officer.hamburg", "POST", "/v1/declarations/" + id + "/decisions",
                      R"({"action":"route_red","reason":"inspect"})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  ASSERT_THAT(runtime_->ledger().IssueCheckpoint(), IsOk());

  auto response = Send(*client, kClerk, "GET", "/v1/declarations/" + id + "/receipt");
  ASSERT_EQ(response.status, 200) << response.body;
  auto receipt = app::ReceiptFromJson(response.body);
  ASSERT_THAT(receipt, IsOk());
  ASSERT_EQ(receipt->entries.size(), 4u);
  auto checks = app::VerifyReceipt(*receipt, key);
  ASSERT_THAT(checks, IsOk());
  for (const auto& check : *checks) EXPECT_TRUE(check.included) << check.record_id;

  EXPECT_EQ(Send(*client, "lyon.clerk", "GET", "/v1/declarations/" + id + "/receipt").status, 403);
  auto anonymous = Send(*client, "", "GET", "/v1/declarations/" + id + "/receipt");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(Send(*client, kClerk, "GET", "/v1/declarations/01JNOSUCH/receipt").status, 404);
}

TEST_F(LedgerApiTest, CheckpointerSignsInTheBackground) {
  auto client = Client();
  File(*client, 1);
  const uint64_t size = Leaves();
  // The runtime's checkpointer signs about once a second; wait for it, bounded.
  std::string note;
  for (int attempt = 0; attempt < 600; ++attempt) {
    note = Send(*client, "", "GET", "/v1/ledger/checkpoint").body;
    if (note.find("\n" + std::to_string(size) + "\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto opened = ledger::OpenCheckpoint(note, Key(*client));
  ASSERT_THAT(opened, IsOk()) << note;
  EXPECT_EQ(opened->checkpoint.size, size);
}

TEST_F(LedgerApiTest, WitnessCosignsOverHttpAndRefusesAForkSignedWithTheSameKey) {
  auto client = Client();
  ledger::VerifierKey key = Key(*client);
  FakeClock clock(*ParseTimestamp("2026-11-24T10:00:00Z"));
  auto witness_key = crypto::Ed25519Signer::FromSeed(crypto::Ed25519Seed::Generate());
  ledger::Witness witness(
      ledger::Cosigner::New("witness.partner.example", witness_key.get()).value(), &clock);
  ASSERT_THAT(witness.AddLog(key.name, key), IsOk());
  auto ask = [&](uint64_t old_size, const std::string& seen) {
    boost::json::object body{{"old_size", old_size}};
    if (!seen.empty()) body["checkpoint"] = seen;
    return Send(*client, "", "POST", "/v1/ledger/witness/consistency",
                boost::json::serialize(body));
  };

  File(*client, 1);
  ASSERT_THAT(runtime_->ledger().IssueCheckpoint(), IsOk());
  const uint64_t first_size = Leaves();
  auto first = ask(0, "");
  ASSERT_EQ(first.status, 200) << first.body;
  auto first_body = Json(first);
  std::string first_note(first_body["checkpoint"].as_string());
  ASSERT_THAT(witness.Cosign({0, first_note, Hashes(first_body)}), IsOk());

  File(*client, 2);
  ASSERT_THAT(runtime_->ledger().IssueCheckpoint(), IsOk());
  const uint64_t second_size = Leaves();
  auto second = ask(first_size, first_note);
  ASSERT_EQ(second.status, 200) << second.body;
  auto second_body = Json(second);
  EXPECT_EQ(second_body["new_size"].to_number<uint64_t>(), second_size);
  auto cosignature = witness.Cosign(
      {first_size, std::string(second_body["checkpoint"].as_string()), Hashes(second_body)});
  ASSERT_THAT(cosignature, IsOk());
  // The cosigned note carries both signatures, each verifiable on its own.
  auto note = ledger::ParseNote(second_body["checkpoint"].as_string()).value();
  auto cosigned = ledger::ParseNote(ledger::AddSignature(note, *cosignature)).value();
  EXPECT_THAT(ledger::VerifyCosignatures(cosigned, {witness.verifier_key()}), IsOk());

  // A second node holding a copy of the same log key, with another history.
  std::string fork_dir = dir_ + "-fork";
  auto fork_demo = app::PrepareDemo(fork_dir, 0);
  ASSERT_THAT(fork_demo, IsOk());
  std::filesystem::copy_file(dir_ + "/ledger-key", fork_dir + "/ledger-key");
  std::filesystem::permissions(fork_dir + "/ledger-key", std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write);
  {
    auto fork = app::Runtime::Open(fork_demo->config);
    ASSERT_THAT(fork, IsOk());
    identity::Principal clerk{kClerk, app::Nordfleisch().id, identity::Role::kDeclarant, {}, {}};
    // More filings than the real log had, so the fork's tree is at least as large.
    for (uint64_t seed : {uint64_t{7}, uint64_t{8}, uint64_t{9}, uint64_t{10}}) {
      auto filed = (*fork)->declarations().File(clerk, ParseJson(Body(seed)).value(), false,
                                                nullptr, [](const app::DeclarationRecord& r) {
                                                  return app::StoredResponse{201, "", r.row.id};
                                                });
      ASSERT_THAT(filed, IsOk());
    }
    ASSERT_THAT((*fork)->ledger().IssueCheckpoint(), IsOk());
    api::Router fork_router;
    api::Metrics fork_metrics;
    api::RegisterRoutes(fork_router, **fork, fork_metrics);
    auto fork_ask = [&](const std::string& body) {
      api::Request request;
      request.method = "POST";
      request.path = "/v1/ledger/witness/consistency";
      request.body = body;
      return fork_router.Handle(request);
    };
    // The fork proves consistency with its own tree; the witness, holding the real log's
    // second checkpoint, finds it does not extend what it cosigned.
    auto forked = fork_ask(R"({"old_size": )" + std::to_string(second_size) + "}");
    ASSERT_EQ(forked.status, 200) << forked.body;
    auto forked_body = ParseJson(forked.body).value().as_object();
    EXPECT_THAT(witness.Cosign({second_size, std::string(forked_body["checkpoint"].as_string()),
                                Hashes(forked_body)}),
                HasReason("fork-detected"));
    EXPECT_EQ(witness.fork_evidence().size(), 1u);
    // Shown the real log's checkpoint, the fork itself must admit its tree denies it.
    boost::json::object accuse{{"old_size", second_size},
                               {"checkpoint", second_body["checkpoint"]}};
    auto accused = fork_ask(boost::json::serialize(accuse));
    EXPECT_EQ(accused.status, 409) << accused.body;
    EXPECT_EQ(ParseJson(accused.body).value().as_object()["reason"].as_string(), "fork-detected");
  }
  std::filesystem::remove_all(fork_dir);
}

}  // namespace
}  // namespace clearway::e2e
