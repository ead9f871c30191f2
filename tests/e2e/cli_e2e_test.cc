// End to end through the binary: `clearway demo` in a child process, and the `clearway
// declare ...` commands a user types, talking HTTPS to it.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "common/json.h"
#include "demo_process.h"

namespace clearway::e2e {
namespace {

using CliTest = DemoProcessTest;

TEST_F(CliTest, DemoPrintsWhatToTryAndWritesCredentials) {
  EXPECT_NE(banner_.find("demo-credentials.json"), std::string::npos);
  EXPECT_NE(banner_.find("tls/cert.pem"), std::string::npos);
  std::ifstream in(Var() + "/demo-credentials.json");
  std::stringstream text;
  text << in.rdbuf();
  auto creds = ParseJson(text.str());
  ASSERT_TRUE(creds.ok());
  ASSERT_TRUE(creds->is_array());
  std::set<std::string> roles, organisations;
  for (const auto& user : creds->get_array()) {
    const auto& o = user.as_object();
    EXPECT_TRUE(o.contains("username") && o.contains("password") && o.contains("role") &&
                o.contains("organisation"));
    roles.insert(std::string(o.at("role").as_string()));
    if (o.at("role").as_string() == "declarant") {
      organisations.insert(std::string(o.at("organisation").as_string()));
    }
  }
  EXPECT_GE(organisations.size(), 2u);
  EXPECT_TRUE(roles.count("officer") && roles.count("auditor") && roles.count("broker"));
  auto perms = std::filesystem::status(Var() + "/demo-credentials.json").permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
}

TEST_F(CliTest, SeededDemoDataIsVisiblePerTenant) {
  auto nord = Cli("declare list --as nordfleisch.clerk");
  ASSERT_EQ(nord.exit_code, 0) << nord.output;
  auto lyon = Cli("declare list --as lyon.clerk --json");
  ASSERT_EQ(lyon.exit_code, 0) << lyon.output;
  auto page = ParseJson(lyon.output.substr(lyon.output.find('{')));
  ASSERT_TRUE(page.ok()) << lyon.output;
  EXPECT_GE(page->as_object().at("items").as_array().size(), 2u);
  EXPECT_NE(nord.output.find("released"), std::string::npos) << nord.output;
  EXPECT_NE(nord.output.find("held"), std::string::npos) << nord.output;
}

// Retention and backups through the binary, beside the running demo: a legal hold is placed
// only by an administrator of the directory, the plan shows what it keeps, and a backup
// restores into a fresh directory and not over a used one.
TEST_F(CliTest, RetentionHoldsPlanAndBackupRestore) {
  const std::string dir = " --data-dir " + Var();
  auto listed = Cli("declare list --as nordfleisch.clerk --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  auto page = ParseJson(listed.output.substr(listed.output.find('{')));
  ASSERT_TRUE(page.ok()) << listed.output;
  std::string id;
  for (const auto& item : page->as_object().at("items").as_array()) {
    if (item.as_object().at("status").as_string() == "released") {
      id = std::string(item.as_object().at("id").as_string());
    }
  }
  ASSERT_FALSE(id.empty()) << listed.output;

  // Only an enabled administrator of the directory may be named as who placed it.
  for (const char* who : {"auditor", "nobody"}) {
    auto refused = Cli("retention hold add --declaration " + id +
                       " --case CASE-1 --reason 'fraud inquiry' --by " + who + dir);
    EXPECT_NE(refused.exit_code, 0) << refused.output;
    EXPECT_NE(refused.output.find("not-an-administrator"), std::string::npos) << refused.output;
  }
  EXPECT_NE(Cli("retention run --by auditor" + dir).output.find("not-an-administrator"),
            std::string::npos);
  auto placed = Cli("retention hold add --declaration " + id +
                    " --case CASE-1 --reason 'fraud inquiry' --by admin" + dir);
  ASSERT_EQ(placed.exit_code, 0) << placed.output;
  EXPECT_NE(placed.output.find("placed legal hold"), std::string::npos) << placed.output;

  // Ten years and more after it closed, the released declaration is due but held.
  auto plan = Cli("retention plan --at 2040-01-01T00:00:00Z --json" + dir);
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  auto planned = ParseJson(plan.output.substr(plan.output.find('{')));
  ASSERT_TRUE(planned.ok()) << plan.output;
  bool held = false;
  for (const auto& item : planned->as_object().at("items").as_array()) {
    if (item.as_object().at("id").as_string() == id) {
      held = !item.as_object().at("heldBy").as_array().empty();
    }
  }
  EXPECT_TRUE(held) << plan.output;
  EXPECT_GE(planned->as_object().at("held").as_int64(), 1);

  // A backup made while the server runs restores into a new directory, not over a used one.
  auto backup = Cli("backup --to " + dir_ + "/snapshot.cwbk" + dir);
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  auto over = Cli("restore --from " + dir_ + "/snapshot.cwbk --to " + Var() + " --key-file " +
                  Var() + "/keys/kek");
  EXPECT_NE(over.exit_code, 0) << over.output;
  auto restored = Cli("restore --from " + dir_ + "/snapshot.cwbk --to " + dir_ +
                      "/restored --key-file " + Var() + "/keys/kek");
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/restored/clearway.db")) << restored.output;
  auto audit = Cli("ledger verify --full --data-dir " + dir_ + "/restored");
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
}

TEST_F(CliTest, ExampleSubmitShowDecide) {
  std::string file = dir_ + "/d.json";
  auto example = Shell(Binary() + " declare example > " + file);
  ASSERT_EQ(example.exit_code, 0);
  ASSERT_EQ(Cli("declare validate " + file).exit_code, 0);
  // The sample is lodged by the broker for Nordfleisch.
  auto submitted = Cli("declare submit " + file + " --as hanse.broker");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;
  auto resource = ParseJson(submitted.output);
  ASSERT_TRUE(resource.ok()) << submitted.output;
  std::string id(resource->as_object().at("id").as_string());
  auto shown = Cli("declare show " + id + " --as nordfleisch.clerk");
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("\"accepted\""), std::string::npos);
  auto decided = Cli("declare decide " + id + " route_yellow --reason 'check origin' --as officer.hamburg");
  EXPECT_EQ(decided.exit_code, 0) << decided.output;
  EXPECT_NE(decided.output.find("\"under_control\""), std::string::npos);
  auto forbidden = Cli("declare show " + id + " --as lyon.clerk");
  EXPECT_NE(forbidden.exit_code, 0);
  EXPECT_NE(forbidden.output.find("403"), std::string::npos) << forbidden.output;
}

TEST_F(CliTest, InvalidFileShowsEveryProblemWithItsField) {
  std::string file = dir_ + "/bad.json";
  std::ofstream(file) << R"({"type":"import","office":"XX1","goodsItems":[]})";
  auto offline = Cli("declare validate " + file);
  EXPECT_EQ(offline.exit_code, 3);
  EXPECT_NE(offline.output.find("office: bad-office"), std::string::npos) << offline.output;
  auto online = Cli("declare submit " + file + " --as nordfleisch.clerk");
  EXPECT_EQ(online.exit_code, 3) << online.output;
  EXPECT_NE(online.output.find("422"), std::string::npos);
  EXPECT_NE(online.output.find("declarant: required"), std::string::npos) << online.output;
}

TEST_F(CliTest, DirectoryChangesAreSecurityEventsTheAuditorReads) {
  // An administrator on the server's machine changes a user offline while the server runs; the
  // change is written to the same store's security event log, with its ledger leaf.
  auto changed = Cli("user set-role risk.analyst --role auditor --data-dir " + Var());
  ASSERT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_NE(changed.output.find("risk.analyst is now auditor"), std::string::npos)
      << changed.output;
  auto refused = Cli("user set-role lyon.clerk --role officer --data-dir " + Var());
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.output.find("role-not-for-organisation"), std::string::npos)
      << refused.output;

  auto events = Cli("security events --type role-changed --as auditor");
  ASSERT_EQ(events.exit_code, 0) << events.output;
  auto page = ParseJson(events.output.substr(events.output.find('{')));
  ASSERT_TRUE(page.ok()) << events.output;
  const auto& items = page->as_object().at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << events.output;  // the refused change left no event
  const auto& event = items[0].as_object();
  EXPECT_EQ(event.at("subject").as_string(), "risk.analyst");
  EXPECT_EQ(event.at("details").as_object().at("from").as_string(), "risk_analyst");
  EXPECT_EQ(event.at("details").as_object().at("to").as_string(), "auditor");
  EXPECT_EQ(std::string(event.at("actor").as_string()).rfind("local:", 0), 0u);
  EXPECT_EQ(std::string(event.at("recordId").as_string()),
            "security/" + std::string(event.at("id").as_string()));

  // A declarant may not read the log: 403, and its attempt is logged too.
  auto forbidden = Cli("security events --as lyon.clerk");
  EXPECT_NE(forbidden.exit_code, 0);
  EXPECT_NE(forbidden.output.find("403"), std::string::npos) << forbidden.output;
}

// Issue 5: a partner administration holds service accounts with the partner role only, and
// the partner role belongs to partner administrations only (docs/data-minimisation.md).
TEST_F(CliTest, PartnerAdministrationsHavePartnerServiceAccountsOnly) {
  const std::string dir = " --data-dir " + Var();
  auto org = Cli("org add FR-DGDDI --name DGDDI --kind partner" + dir);
  ASSERT_EQ(org.exit_code, 0) << org.output;
  auto added = Cli("user add partner.fr --org FR-DGDDI --role partner --service-account "
                   "--office DE004700" + dir);
  EXPECT_EQ(added.exit_code, 0) << added.output;
  for (const std::string& refused :
       {std::string("user add partner.audit --org FR-DGDDI --role auditor --service-account"),
        std::string("user set-role officer.hamburg --role partner --office DE004700")}) {
    auto answer = Cli(refused + dir);
    EXPECT_NE(answer.exit_code, 0) << refused << ": " << answer.output;
    EXPECT_NE(answer.output.find("role-not-for-organisation"), std::string::npos)
        << refused << ": " << answer.output;
  }
}

TEST_F(CliTest, ServeRefusesToStartWithoutPrincipals) {
  std::string config = dir_ + "/empty.toml";
  std::ofstream(config) << "[server]\nport = 0\ntls_certificate = \"" << dir_
                         << "/none.pem\"\ntls_private_key = \"" << dir_ << "/none.pem\"\n"
                         << "[store]\ndata_dir = \"" << dir_ << "/empty-var\"\n";
  auto serve = Shell(Binary() + " serve --config " + config);
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_NE(serve.output.find("no-principals"), std::string::npos) << serve.output;
}

}  // namespace
}  // namespace clearway::e2e
