// `clearway ledger …` through the binary, against `clearway demo` in a child process: the key,
// checkpoints and their consistency, a receipt verified offline, and `verify --full` naming
// each row edited, deleted, swapped or inserted in the live SQLite file.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include "api/client.h"
#include "api/client_auth.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "demo_process.h"

namespace clearway::e2e {
namespace {

class LedgerCliTest : public DemoProcessTest {
 protected:
  // Get() fetches a path as the demo user `user` ("" for none).
  api::ClientResponse Get(const std::string& path, const std::string& user) {
    api::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = port_;
    options.ca_file = Var() + "/tls/cert.pem";
    auto client = api::HttpsClient::Open(options);
    EXPECT_TRUE(client.ok());
    std::vector<std::pair<std::string, std::string>> headers;
    if (!user.empty()) {
      auto credential = api::ReadDemoCredential(Var() + "/demo-credentials.json", user);
      EXPECT_TRUE(credential.ok());
      auto token = api::SignIn(**client, "", *credential);
      EXPECT_TRUE(token.ok()) << (token.ok() ? "" : token.error().message);
      if (token.ok()) headers.emplace_back("Authorization", "Bearer " + *token);
    }
    auto response = (*client)->Request("GET", path, "", headers);
    EXPECT_TRUE(response.ok());
    return response.ok() ? *response : api::ClientResponse{};
  }

  // Tamper() runs SQL on the live database file, as someone with access to the disk would.
  void Tamper(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2((Var() + "/clearway.db").c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr),
        SQLITE_OK);
    sqlite3_busy_timeout(raw, 10000);
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr);
    std::string message = sqlite3_errmsg(raw);
    sqlite3_close_v2(raw);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  std::string QueryText(const std::string& sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(
        sqlite3_open_v2((Var() + "/clearway.db").c_str(), &raw, SQLITE_OPEN_READONLY, nullptr),
        SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close_v2(raw);
    return out;
  }

};

TEST_F(LedgerCliTest, KeyCheckpointsReceiptAndConsistencyVerifyOffline) {
  auto key = Cli("ledger key --data-dir " + Var());
  ASSERT_EQ(key.exit_code, 0) << key.output;
  std::string vkey = key.output.substr(0, key.output.find('\n'));
  EXPECT_EQ(vkey, Get("/v1/ledger/key", "").body);
  std::ofstream(dir_ + "/key.txt") << vkey << "\n";

  // The first checkpoint that covers the demo's declarations (bounded wait for the signer).
  std::string c1 = dir_ + "/c1.txt";
  for (int attempt = 0; attempt < 600; ++attempt) {
    ASSERT_EQ(Cli("ledger checkpoint --key " + dir_ + "/key.txt > " + c1).exit_code, 0);
    if (ReadFile(c1).find("\n0\n") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string example = dir_ + "/d.json";
  ASSERT_EQ(Shell(Binary() + " declare example > " + example).exit_code, 0);
  auto submitted = Cli("declare submit " + example + " --as hanse.broker");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;
  std::string id(ParseJson(submitted.output).value().as_object().at("id").as_string());

  // The checkpointer signs about once a second; wait (bounded) for a newer checkpoint.
  std::string c2 = dir_ + "/c2.txt";
  for (int attempt = 0; attempt < 600; ++attempt) {
    ASSERT_EQ(Cli("ledger checkpoint > " + c2).exit_code, 0);
    if (ReadFile(c2) != ReadFile(c1)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(ReadFile(c2), ReadFile(c1));
  auto consistent = Cli("ledger verify --key '" + vkey + "' --old " + c1 + " --new " + c2);
  EXPECT_EQ(consistent.exit_code, 0) << consistent.output;
  EXPECT_NE(consistent.output.find("consistent: clearway.example/demo size"), std::string::npos)
      << consistent.output;
  std::ofstream(dir_ + "/empty-proof.json") << R"({"hashes": []})";
  auto refused = Cli("ledger verify --key '" + vkey + "' --old " + c1 + " --new " + c2 +
                     " --proof " + dir_ + "/empty-proof.json");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("NOT CONSISTENT"), std::string::npos) << refused.output;

  // The receipt, fetched as the trader, verifies with nothing but the key.
  std::string receipt = dir_ + "/receipt.json";
  for (int attempt = 0; attempt < 600; ++attempt) {
    std::ofstream(receipt, std::ios::trunc)
        << Get("/v1/declarations/" + id + "/receipt", "nordfleisch.clerk").body;
    if (Cli("ledger verify --key '" + vkey + "' --receipt " + receipt).exit_code != 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto verified = Cli("ledger verify --key '" + vkey + "' --receipt " + receipt);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("included  leaf"), std::string::npos) << verified.output;
  EXPECT_NE(verified.output.find(id + "@v1"), std::string::npos) << verified.output;
  std::string text = ReadFile(receipt);
  text.replace(text.find("broker"), 6, "BROKER");  // the record names the filing broker
  std::ofstream(receipt, std::ios::trunc) << text;
  auto tampered = Cli("ledger verify --key '" + vkey + "' --receipt " + receipt);
  EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
  EXPECT_NE(tampered.output.find("commitment-mismatch"), std::string::npos) << tampered.output;

  // The auditor's receipt withholds the records and salts; it still proves every leaf.
  std::string audited = dir_ + "/audited.json";
  std::ofstream(audited) << Get("/v1/declarations/" + id + "/receipt", "auditor").body;
  EXPECT_EQ(ReadFile(audited).find("\"record\""), std::string::npos) << ReadFile(audited);
  auto commitment_only = Cli("ledger verify --key '" + vkey + "' --receipt " + audited);
  EXPECT_EQ(commitment_only.exit_code, 0) << commitment_only.output;
  EXPECT_NE(commitment_only.output.find(id + "@v1  (commitment only)"), std::string::npos)
      << commitment_only.output;
}

TEST_F(LedgerCliTest, VerifyFullNamesEveryTamperedRow) {
  // Tamper only once a signed checkpoint covers every leaf: a leaf beyond the checkpoint is
  // not yet authenticated, so its missing record reads as an inserted leaf, not a deletion.
  // The background signer runs about once a second; wait for it, bounded.
  CommandResult clean;
  for (int attempt = 0; attempt < 60; ++attempt) {
    clean = Cli("ledger verify --full --data-dir " + Var());
    if (clean.exit_code == 0 && clean.output.find("newer than the latest signed checkpoint") ==
                                    std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_EQ(clean.exit_code, 0) << clean.output;
  ASSERT_EQ(clean.output.find("newer than the latest signed checkpoint"), std::string::npos)
      << clean.output;
  EXPECT_NE(clean.output.find("verified:"), std::string::npos) << clean.output;

  // EDIT a declaration's payload.
  std::string edited = QueryText("SELECT id FROM declarations ORDER BY created_at, id LIMIT 1");
  Tamper("UPDATE declarations SET payload = replace(payload, '\"', ' ') WHERE id = '" + edited +
         "' AND version = 1");
  auto after_edit = Cli("ledger verify --full --data-dir " + Var());
  EXPECT_EQ(after_edit.exit_code, 1) << after_edit.output;
  EXPECT_NE(after_edit.output.find("altered: record " + edited + "@v1"), std::string::npos)
      << after_edit.output;

  // DELETE a transition.
  std::string deleted = QueryText(
      "SELECT declaration_id || '#' || sequence FROM transitions"
      " ORDER BY declaration_id DESC, sequence DESC LIMIT 1");
  Tamper("DELETE FROM transitions WHERE declaration_id || '#' || sequence = '" + deleted + "'");
  auto after_delete = Cli("ledger verify --full --data-dir " + Var());
  EXPECT_EQ(after_delete.exit_code, 1);
  EXPECT_NE(after_delete.output.find("deleted: record " + deleted), std::string::npos)
      << after_delete.output;

  // SWAP two leaves.
  Tamper(
      "UPDATE ledger_leaves SET idx = 100000 WHERE idx = 4;"
      "UPDATE ledger_leaves SET idx = 4 WHERE idx = 7;"
      "UPDATE ledger_leaves SET idx = 7 WHERE idx = 100000");
  auto after_swap = Cli("ledger verify --full --data-dir " + Var());
  EXPECT_EQ(after_swap.exit_code, 1);
  EXPECT_NE(after_swap.output.find("reordered: leaves 4 and 7"), std::string::npos)
      << after_swap.output;

  // INSERT a version nobody filed.
  std::string inserted = QueryText("SELECT id FROM declarations ORDER BY created_at DESC LIMIT 1");
  Tamper(
      "INSERT INTO declarations SELECT id, version + 100, organisation_id, declarant_id,"
      " office, type, status, channel, hs_chapters, created_at, updated_at, payload, salt"
      " FROM declarations WHERE id = '" +
      inserted + "' AND version = 1");
  auto after_insert = Cli("ledger verify --full --data-dir " + Var());
  EXPECT_EQ(after_insert.exit_code, 1);
  EXPECT_NE(after_insert.output.find("inserted: record " + inserted + "@v101"), std::string::npos)
      << after_insert.output;
  EXPECT_NE(after_insert.output.find("FAILED:"), std::string::npos);
}

TEST_F(LedgerCliTest, VerifyNeedsAKeyAndSomethingToVerify) {
  auto no_key = Cli("ledger verify --receipt x.json");
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_NE(no_key.output.find("key-required"), std::string::npos) << no_key.output;
  auto vkey = Cli("ledger key --data-dir " + Var()).output;
  vkey = vkey.substr(0, vkey.find('\n'));
  auto nothing = Cli("ledger verify --key '" + vkey + "'");
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_NE(nothing.output.find("nothing-to-verify"), std::string::npos) << nothing.output;
  auto missing = Cli("ledger key --data-dir " + dir_ + "/nowhere");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("ledger-key-missing"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace clearway::e2e
