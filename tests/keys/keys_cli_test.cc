// `clearway keys …` through the real binary: on a key file, and on a SoftHSM2 token.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <string>

#include "keys/keys_testing.h"

namespace clearway::keys {
namespace {

using testing::CommandResult;
using testing::Shell;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Binary() {
  const char* dir = std::getenv("CLEARWAY_BINARY_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/clearway";
}

CommandResult Keys(const std::string& arguments) { return Shell(Binary() + " keys " + arguments); }

unsigned ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

TEST(KeysCliTest, InitRotateListRetireOnAKeyFile) {
  testing::TempDir dir;
  const std::string file = "--key-file " + (dir / "keys/kek");

  CommandResult init = Keys("init " + file + " --key-id customs-de");
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_THAT(init.output, HasSubstr("created key file " + (dir / "keys/kek") +
                                     " (0600) with customs-de/v1"));
  EXPECT_EQ(ModeOf(dir / "keys/kek"), 0600u);
  EXPECT_EQ(ModeOf(dir / "keys"), 0700u);

  CommandResult again = Keys("init " + file);
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_THAT(again.output, HasSubstr("(key-file-exists)"));

  CommandResult rotate = Keys("rotate " + file);
  ASSERT_EQ(rotate.exit_code, 0) << rotate.output;
  EXPECT_THAT(rotate.output, HasSubstr("customs-de/v2 is now current"));
  // No store in the default data directory here: nothing to re-wrap (the store side is
  // tested in tests/e2e/encryption_e2e_test.cc).
  EXPECT_THAT(rotate.output, HasSubstr("no data key to re-wrap"));

  CommandResult current = Keys("retire 2 " + file);
  EXPECT_EQ(current.exit_code, 1) << current.output;
  EXPECT_THAT(current.output, HasSubstr("(kek-current)"));

  CommandResult retire = Keys("retire 1 " + file);
  ASSERT_EQ(retire.exit_code, 0) << retire.output;
  EXPECT_THAT(retire.output, HasSubstr("retired customs-de/v1"));

  CommandResult list = Keys("list " + file);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(std::regex_search(
      list.output, std::regex("customs-de/v1  created \\S+Z  retired \\S+Z\n"
                              "customs-de/v2  created \\S+Z  current\n")))
      << list.output;

  CommandResult json = Keys("list --json " + file);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_THAT(json.output, HasSubstr("\"keyId\": \"customs-de\""));
  EXPECT_THAT(json.output, HasSubstr("\"version\": 2"));
  EXPECT_THAT(json.output, HasSubstr("\"current\": true"));
  // No key material is ever printed.
  const std::string text = testing::ReadFile(dir / "keys/kek");
  std::smatch key;
  ASSERT_TRUE(std::regex_search(text, key, std::regex("key ([0-9a-f]{64})")));
  for (const CommandResult* r : {&init, &rotate, &retire, &list, &json}) {
    EXPECT_THAT(r->output, Not(HasSubstr(key[1].str())));
  }
}

TEST(KeysCliTest, RefusesAKeyFileOthersCanRead) {
  testing::TempDir dir;
  ASSERT_EQ(Keys("init --key-file " + (dir / "kek")).exit_code, 0);
  ASSERT_EQ(::chmod((dir / "kek").c_str(), 0644), 0);
  CommandResult list = Keys("list --key-file " + (dir / "kek"));
  EXPECT_EQ(list.exit_code, 1) << list.output;
  EXPECT_THAT(list.output, HasSubstr("(key-file-permissions)"));
}

TEST(KeysCliTest, MissingKeyFileCannotRun) {
  testing::TempDir dir;
  CommandResult rotate = Keys("rotate --key-file " + (dir / "none"));
  EXPECT_EQ(rotate.exit_code, 2) << rotate.output;
  EXPECT_THAT(rotate.output, HasSubstr("(key-file-missing)"));
}

TEST(KeysCliTest, ThereIsNoPinFlag) {
  testing::TempDir dir;
  CommandResult init = Keys("init --token x --pin 1234 --key-file " + (dir / "kek"));
  EXPECT_NE(init.exit_code, 0);
  EXPECT_THAT(init.output, HasSubstr("--pin"));
}

TEST(KeysCliTest, InitRotateListRetireOnASoftHsmToken) {
  testing::SoftHsmToken token;
  ASSERT_TRUE(token.ok()) << token.init_output();
  const std::string flags = std::string("--token ") + testing::kTokenLabel + " --pin-env " +
                            testing::kPinEnv;

  CommandResult init = Keys("init " + flags);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_THAT(init.output, HasSubstr("created clearway/v1 in token \"clearway-test\""));
  CommandResult rotate = Keys("rotate " + flags);
  ASSERT_EQ(rotate.exit_code, 0) << rotate.output;
  EXPECT_THAT(rotate.output, HasSubstr("clearway/v2 is now current"));
  CommandResult retire = Keys("retire 1 " + flags);
  ASSERT_EQ(retire.exit_code, 0) << retire.output;
  CommandResult list = Keys("list " + flags);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(std::regex_search(list.output,
                                std::regex("clearway/v1  created \\S+Z  retired \\S+Z\n"
                                           "clearway/v2  created \\S+Z  current\n")))
      << list.output;

  CommandResult wrong_pin = Shell(std::string(testing::kPinEnv) + "=wrong " + Binary() +
                                  " keys list " + flags);
  EXPECT_EQ(wrong_pin.exit_code, 1) << wrong_pin.output;
  EXPECT_THAT(wrong_pin.output, HasSubstr("(pkcs11-login-failed)"));
  EXPECT_THAT(wrong_pin.output, Not(HasSubstr("wrong")));
}

}  // namespace
}  // namespace clearway::keys
