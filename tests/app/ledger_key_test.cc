// The log's key file (made once, 0600, refused when exposed or for another origin) and the
// [ledger] settings.
#include "app/ledger_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "app/ledger_config.h"
#include "app_test_util.h"

namespace clearway::app {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using namespace clearway::app::testing;

class LedgerKeyTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("clearway-ledger-key"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path() const { return LedgerKeyPath(dir_); }
  std::string dir_;
};

TEST_F(LedgerKeyTest, MadeOnceWithOwnerOnlyModeAndReloaded) {
  auto made = LoadOrCreateLedgerKey(dir_, "customs.example/hamburg");
  ASSERT_THAT(made, IsOk());
  EXPECT_EQ(made->origin, "customs.example/hamburg");
  struct stat info {};
  ASSERT_EQ(::stat(Path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::ifstream in(Path());
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("PRIVATE+KEY+customs.example/hamburg+", 0), 0u);

  auto again = LoadOrCreateLedgerKey(dir_, "");  // an empty origin takes the file's
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->verifier_key, made->verifier_key);
  EXPECT_EQ(again->signer->public_key(), made->signer->public_key());
  auto same = LoadOrCreateLedgerKey(dir_, "customs.example/hamburg");
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(same->verifier_key, made->verifier_key);
  auto parsed = ledger::ParseVerifierKey(ledger::FormatVerifierKey(made->verifier_key));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, made->verifier_key);
}

TEST_F(LedgerKeyTest, DefaultOriginIsTheDemoOne) {
  auto made = LoadOrCreateLedgerKey(dir_, "");
  ASSERT_THAT(made, IsOk());
  EXPECT_EQ(made->origin, "clearway.example/demo");
}

TEST_F(LedgerKeyTest, AnotherOriginIsRefused) {
  ASSERT_THAT(LoadOrCreateLedgerKey(dir_, "customs.example/hamburg"), IsOk());
  EXPECT_THAT(LoadOrCreateLedgerKey(dir_, "customs.example/lyon"),
              HasReason("ledger-origin-mismatch"));
}

TEST_F(LedgerKeyTest, ReadableByOthersIsRefused) {
  ASSERT_THAT(LoadOrCreateLedgerKey(dir_, ""), IsOk());
  ASSERT_EQ(::chmod(Path().c_str(), 0640), 0);
  EXPECT_THAT(LoadOrCreateLedgerKey(dir_, ""), HasReason("ledger-key-exposed"));
  EXPECT_THAT(LoadLedgerKey(Path()), HasCode(ErrorCode::kFailedPrecondition));
  ASSERT_EQ(::chmod(Path().c_str(), 0604), 0);
  EXPECT_THAT(LoadLedgerKey(Path()), HasReason("ledger-key-exposed"));
  ASSERT_EQ(::chmod(Path().c_str(), 0400), 0);
  EXPECT_THAT(LoadLedgerKey(Path()), IsOk());
}

TEST_F(LedgerKeyTest, DamagedFileIsRefusedNotReplaced) {
  ASSERT_THAT(LoadOrCreateLedgerKey(dir_, ""), IsOk());
  std::string text;
  {
    std::ifstream in(Path());
    std::getline(in, text);
  }
  auto write = [&](const std::string& contents) {
    std::ofstream(Path(), std::ios::trunc) << contents;
    ::chmod(Path().c_str(), 0600);
  };
  write(text.substr(0, text.size() - 4) + "AAA=\n");  // another key under the same id
  EXPECT_THAT(LoadOrCreateLedgerKey(dir_, ""), HasReason("ledger-key-malformed"));
  write("PUBLIC+KEY+x+00000000+AA==\n");
  EXPECT_THAT(LoadLedgerKey(Path()), HasReason("ledger-key-malformed"));
  write("");
  EXPECT_THAT(LoadLedgerKey(Path()), HasReason("ledger-key-malformed"));
  EXPECT_THAT(LoadLedgerKey(dir_ + "/absent"), HasReason("ledger-key-missing"));
}

TEST_F(LedgerKeyTest, AnOriginThatCannotNameAKeyIsRefused) {
  EXPECT_THAT(LoadOrCreateLedgerKey(dir_, "has space"), HasReason("bad-key-name"));
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST(LedgerConfigTest, ReadsTheLedgerTable) {
  auto config = ParseLedgerConfig(
      "[server]\nport = 1\n[ledger]\norigin = \"customs.example/hamburg\"\n"
      "checkpoint_interval_ms = 250\ncheckpoint_batch = 10\n");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->origin, "customs.example/hamburg");
  EXPECT_EQ(config->checkpoint_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(config->checkpoint_batch, 10u);
  auto defaults = ParseLedgerConfig("");
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->origin, "");
  EXPECT_EQ(defaults->checkpoint_interval, std::chrono::milliseconds(1000));
}

TEST(LedgerConfigTest, BadValuesAreRefusedWithTheirField) {
  auto bad_origin = ParseLedgerConfig("[ledger]\norigin = \"a+b\"\n");
  EXPECT_THAT(bad_origin, HasReason("bad-config"));
  EXPECT_EQ(bad_origin.error().field_path, "ledger.origin");
  auto negative = ParseLedgerConfig("[ledger]\ncheckpoint_interval_ms = -1\n");
  EXPECT_EQ(negative.error().field_path, "ledger.checkpoint_interval_ms");
  auto zero_batch = ParseLedgerConfig("[ledger]\ncheckpoint_batch = 0\n");
  EXPECT_EQ(zero_batch.error().field_path, "ledger.checkpoint_batch");
  EXPECT_THAT(ParseLedgerConfig("[ledger\n"), HasReason("bad-config"));
}

TEST_F(LedgerKeyTest, WitnessKeysAreCosignatureKeysInTheSameFileFormat) {
  const std::string path = dir_ + "/witness-key";
  EXPECT_THAT(LoadOrCreateWitnessKey(path, ""), HasReason("bad-key-name"));
  auto made = LoadOrCreateWitnessKey(path, "witness.douane.example");
  ASSERT_THAT(made, IsOk());
  EXPECT_EQ(made->verifier_key.type, ledger::NoteKeyType::kCosignatureV1);
  auto again = LoadOrCreateWitnessKey(path, "");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->verifier_key, made->verifier_key);
  EXPECT_THAT(LoadOrCreateWitnessKey(path, "witness.other.example"),
              HasReason("ledger-origin-mismatch"));
  // A log key is not a witness key, nor the other way round.
  ASSERT_THAT(LoadOrCreateLedgerKey(dir_, "customs.example/hamburg"), IsOk());
  EXPECT_THAT(LoadOrCreateWitnessKey(Path(), ""), HasReason("ledger-key-malformed"));
  EXPECT_THAT(LoadLedgerKey(path), HasReason("ledger-key-malformed"));
}

TEST(LedgerConfigTest, WitnessesAreCosignatureVerifierKeys) {
  auto signer = crypto::Ed25519Signer::FromSeed(crypto::Ed25519Seed::Generate());
  std::string witness = ledger::FormatVerifierKey(
      ledger::MakeVerifierKey("witness.example", ledger::NoteKeyType::kCosignatureV1,
                              signer->public_key())
          .value());
  std::string log_key = ledger::FormatVerifierKey(
      ledger::MakeVerifierKey("log.example", ledger::NoteKeyType::kEd25519, signer->public_key())
          .value());
  auto config = ParseLedgerConfig("[ledger]\nwitnesses = [\"" + witness + "\"]\n");
  ASSERT_THAT(config, IsOk());
  auto keys = WitnessKeys(*config);
  ASSERT_THAT(keys, IsOk());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].name, "witness.example");

  auto wrong_type = ParseLedgerConfig("[ledger]\nwitnesses = [\"" + log_key + "\"]\n");
  EXPECT_THAT(wrong_type, HasReason("bad-config"));
  EXPECT_EQ(wrong_type.error().field_path, "ledger.witnesses[0]");
  auto twice = ParseLedgerConfig("[ledger]\nwitnesses = [\"" + witness + "\", \"" + witness +
                                 "\"]\n");
  EXPECT_EQ(twice.error().field_path, "ledger.witnesses[1]");
  auto garbage = ParseLedgerConfig("[ledger]\nwitnesses = [\"nope\"]\n");
  EXPECT_EQ(garbage.error().field_path, "ledger.witnesses[0]");
  EXPECT_EQ(ParseLedgerConfig("[ledger]\nwitnesses = 3\n").error().field_path,
            "ledger.witnesses");

  ::setenv("CLEARWAY_LEDGER_WITNESSES", (witness + ",").c_str(), 1);
  LedgerConfig from_env;
  EXPECT_THAT(ApplyLedgerEnvironment(from_env), IsOk());
  EXPECT_EQ(from_env.witnesses, std::vector<std::string>{witness});
  ::unsetenv("CLEARWAY_LEDGER_WITNESSES");
}

TEST(LedgerConfigTest, EnvironmentOverrides) {
  ::setenv("CLEARWAY_LEDGER_ORIGIN", "customs.example/env", 1);
  ::setenv("CLEARWAY_LEDGER_CHECKPOINT_MS", "0", 1);
  LedgerConfig config;
  EXPECT_THAT(ApplyLedgerEnvironment(config), IsOk());
  EXPECT_EQ(config.origin, "customs.example/env");
  EXPECT_EQ(config.checkpoint_interval, std::chrono::milliseconds(0));
  ::setenv("CLEARWAY_LEDGER_CHECKPOINT_MS", "soon", 1);
  EXPECT_THAT(ApplyLedgerEnvironment(config), HasReason("bad-config"));
  ::unsetenv("CLEARWAY_LEDGER_ORIGIN");
  ::unsetenv("CLEARWAY_LEDGER_CHECKPOINT_MS");
}

}  // namespace
}  // namespace clearway::app
