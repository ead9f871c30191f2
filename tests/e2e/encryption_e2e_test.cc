// End to end through the binary (issue 5): declarations filed with unique marker strings in the
// importer's name, the invoice number and a goods description leave no trace of them in the
// server's log, in the SQLite database file, its WAL, a copy of the files taken while the
// server runs (the backup an operator would make; there is no `clearway store backup` yet), or
// any other file of the data directory. Exact look-ups by invoice number and container still
// find the declaration, through blind indexes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "demo_process.h"

namespace clearway::e2e {
namespace {

using EncryptionAtRestTest = DemoProcessTest;

constexpr const char* kNameMarker = "Zqx7Marker Consignee Name";
constexpr const char* kInvoiceMarker = "ZQX7-MARKER-INVOICE-551";
constexpr const char* kDescriptionMarker = "zqx7 marker goods description";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Where() names the markers found in `bytes` ("" when none is).
std::string Where(const std::string& bytes) {
  std::string found;
  for (const char* marker : {kNameMarker, kInvoiceMarker, kDescriptionMarker, "ZQX7", "zqx7",
                             "Zqx7"}) {
    if (bytes.find(marker) != std::string::npos) found += std::string(marker) + "; ";
  }
  return found;
}

std::vector<std::string> DataRows(const std::string& listing) {
  std::vector<std::string> rows;
  std::istringstream lines(listing);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() >= 26 && line.rfind("ID", 0) != 0) rows.push_back(line.substr(0, 26));
  }
  return rows;
}

TEST_F(EncryptionAtRestTest, MarkersAppearInNoLogNoDatabaseFileNoWalAndNoCopy) {
  const std::string example_file = dir_ + "/example.json";
  ASSERT_EQ(Shell(Binary() + " declare example > " + example_file).exit_code, 0);
  std::string marked = ReadFile(example_file);
  marked = Replace(marked, "Nordfleisch Import AG", kNameMarker);
  marked = Replace(marked, "INV-2026-0042", kInvoiceMarker);
  marked = Replace(marked, "Frozen boneless bovine meat, vacuum packed", kDescriptionMarker);
  const std::string marked_file = dir_ + "/marked.json";
  {
    std::ofstream out(marked_file, std::ios::binary);
    out << marked;
  }
  auto filed = Cli("declare submit " + marked_file + " --as hanse.broker");
  ASSERT_EQ(filed.exit_code, 0) << filed.output;
  auto resource = ParseJson(filed.output);
  ASSERT_TRUE(resource.ok()) << filed.output;
  const std::string id(resource->as_object().at("id").as_string());
  // The API gives the declaration back in clear to whoever may read it.
  auto shown = Cli("declare show " + id + " --as nordfleisch.clerk");
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find(kNameMarker), std::string::npos);
  EXPECT_NE(shown.output.find(kDescriptionMarker), std::string::npos);
  // A second filing of the same body with the same data: another declaration.
  ASSERT_EQ(Cli("declare submit " + example_file + " --as hanse.broker").exit_code, 0);

  // Exact look-up by invoice number (case and spaces ignored) finds only the marked one.
  auto by_invoice = Cli(std::string("declare list --invoice-number ' zqx7-marker-invoice-551' ") +
                        "--as hanse.broker");
  ASSERT_EQ(by_invoice.exit_code, 0) << by_invoice.output;
  EXPECT_EQ(DataRows(by_invoice.output), std::vector<std::string>{id}) << by_invoice.output;
  auto by_prefix = Cli("declare list --invoice-number ZQX7-MARKER --as hanse.broker");
  ASSERT_EQ(by_prefix.exit_code, 0) << by_prefix.output;
  EXPECT_TRUE(DataRows(by_prefix.output).empty()) << by_prefix.output;
  auto by_container = Cli("declare list --container MSCU1234566 --as hanse.broker");
  ASSERT_EQ(by_container.exit_code, 0) << by_container.output;
  const auto container_rows = DataRows(by_container.output);
  EXPECT_NE(std::find(container_rows.begin(), container_rows.end(), id), container_rows.end());
  // Another tenant finds nothing, even by an exact value.
  auto other_tenant = Cli(std::string("declare list --invoice-number ") + kInvoiceMarker +
                          " --as lyon.clerk");
  ASSERT_EQ(other_tenant.exit_code, 0) << other_tenant.output;
  EXPECT_TRUE(DataRows(other_tenant.output).empty()) << other_tenant.output;

  // A copy of the database files taken while the server runs, as a backup would be.
  const std::string copy_dir = dir_ + "/copy";
  std::filesystem::create_directories(copy_dir);
  for (const char* name : {"clearway.db", "clearway.db-wal"}) {
    if (std::filesystem::exists(Var() + "/" + name)) {
      std::filesystem::copy_file(Var() + "/" + name, copy_dir + "/" + name);
    }
  }
  ASSERT_TRUE(std::filesystem::exists(copy_dir + "/clearway.db-wal"));
  const std::string wal_while_running = ReadFile(Var() + "/clearway.db-wal");
  ASSERT_FALSE(wal_while_running.empty());
  EXPECT_EQ(Where(wal_while_running), "") << "clearway.db-wal while the server runs";

  demo_.Stop();
  const std::string log = ReadFile(dir_ + "/server.log");
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(Where(log), "") << "server.log";

  // Every file the server left: the database, its WAL if any, the other stores, the copy.
  int scanned = 0;
  for (const std::string& root : {Var(), copy_dir}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      ++scanned;
      EXPECT_EQ(Where(ReadFile(entry.path().string())), "") << entry.path();
    }
  }
  EXPECT_GT(scanned, 5);
  const std::string db = ReadFile(Var() + "/clearway.db");
  ASSERT_GT(db.size(), 4096u);
  EXPECT_EQ(Where(db), "");
}

// `clearway keys rotate` beside the running server re-wraps every data key online; `retire`
// refuses a version still in use and succeeds once none is; the server keeps reading and
// filing, and the full ledger audit still verifies every commitment.
TEST_F(EncryptionAtRestTest, RotateRewrapsOnlineAndRetireRefusesAVersionInUse) {
  const std::string data_dir = " --data-dir " + Var();
  auto in_use = Cli("keys retire 1" + data_dir);
  EXPECT_EQ(in_use.exit_code, 1) << in_use.output;
  EXPECT_NE(in_use.output.find("(kek-in-use)"), std::string::npos) << in_use.output;

  auto rotated = Cli("keys rotate" + data_dir);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("clearway/v2 is now current"), std::string::npos);
  EXPECT_TRUE(std::regex_search(rotated.output,
                                std::regex("re-wrapped [1-9][0-9]* data key\\(s\\) under "
                                           "clearway/v2; 0 left under older versions")))
      << rotated.output;

  auto retired = Cli("keys retire 1" + data_dir);
  ASSERT_EQ(retired.exit_code, 0) << retired.output;

  // The seeded declarations still open (their keys were re-wrapped), new ones are filed.
  auto listed = Cli("declare list --as nordfleisch.clerk");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const auto rows = DataRows(listed.output);
  ASSERT_FALSE(rows.empty()) << listed.output;
  auto shown = Cli("declare show " + rows.front() + " --as nordfleisch.clerk");
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  const std::string file = dir_ + "/d.json";
  ASSERT_EQ(Shell(Binary() + " declare example > " + file).exit_code, 0);
  auto filed = Cli("declare submit " + file + " --as hanse.broker");
  EXPECT_EQ(filed.exit_code, 0) << filed.output;

  auto audit = Cli("ledger verify --full" + data_dir);
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
  EXPECT_NE(audit.output.find("verified: every record matches its leaf"), std::string::npos)
      << audit.output;
}

}  // namespace
}  // namespace clearway::e2e
