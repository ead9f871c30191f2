// The server on a KEK in a PKCS#11 token (issue 5), through the binaries and a SoftHSM2 token
// made in a temporary directory: no KEK on the token refuses the start and writes no store;
// after `clearway keys init --token`, declarations filed over HTTPS read back after a restart
// and after a `keys rotate` on the token while the server runs; a wrong PIN and a token
// without the store's KEK refuse the start with their named errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/json.h"
#include "demo_process.h"
#include "keys/keys_testing.h"

namespace clearway::e2e {
namespace {

namespace kt = keys::testing;

class Pkcs11ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(token_.ok()) << token_.init_output();
    dir_ = FreshTempDir("clearway-pkcs11-");
    ::setenv("CLEARWAY_PKCS11_TOKEN", kt::kTokenLabel, 1);
    ::setenv("CLEARWAY_PKCS11_PIN", kt::kUserPin, 1);
  }
  void TearDown() override {
    ::unsetenv("CLEARWAY_PKCS11_TOKEN");
    ::unsetenv("CLEARWAY_PKCS11_PIN");
    std::filesystem::remove_all(dir_);
  }

  std::string Var() const { return dir_ + "/var"; }
  CommandResult Cli(const DemoChild& demo, const std::string& args) {
    return Shell("CLEARWAY_URL=" + demo.url() + " CLEARWAY_CA_CERT=" + Var() +
                 "/tls/cert.pem CLEARWAY_CREDENTIALS=" + Var() + "/demo-credentials.json " +
                 Binary() + " " + args);
  }
  std::string File(const DemoChild& demo) {
    auto filed = Cli(demo, "declare submit " + dir_ + "/d.json --as hanse.broker");
    EXPECT_EQ(filed.exit_code, 0) << filed.output;
    auto resource = ParseJson(filed.output);
    EXPECT_TRUE(resource.ok()) << filed.output;
    return resource.ok() ? std::string(resource->as_object().at("id").as_string()) : "";
  }
  void ExpectReadable(const DemoChild& demo, const std::string& id) {
    auto shown = Cli(demo, "declare show " + id + " --as nordfleisch.clerk");
    EXPECT_EQ(shown.exit_code, 0) << shown.output;
    EXPECT_NE(shown.output.find("INV-2026-0042"), std::string::npos) << shown.output;
  }

  kt::SoftHsmToken token_;
  std::string dir_;
};

TEST_F(Pkcs11ServerTest, FilesAndReadsAcrossRestartAndRotationOnTheToken) {
  // No KEK on the token yet: the start is refused and no store is made.
  {
    DemoChild refused;
    EXPECT_FALSE(refused.Start(Var(), dir_ + "/refused.log"));
    EXPECT_NE(ReadFile(dir_ + "/refused.log").find("(no-kek)"), std::string::npos)
        << ReadFile(dir_ + "/refused.log");
    EXPECT_FALSE(std::filesystem::exists(Var() + "/clearway.db"));
    EXPECT_FALSE(std::filesystem::exists(Var() + "/keys/kek"));
  }
  auto init = Shell(Binary() + " keys init --token " + kt::kTokenLabel);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  ASSERT_EQ(Shell(Binary() + " declare example > " + dir_ + "/d.json").exit_code, 0);

  std::string first;
  {
    DemoChild demo;
    ASSERT_TRUE(demo.Start(Var(), dir_ + "/1.log")) << demo.banner();
    first = File(demo);
    ExpectReadable(demo, first);
  }
  // No key file was made: the KEK is in the token only.
  EXPECT_FALSE(std::filesystem::exists(Var() + "/keys/kek"));
  DemoChild demo;
  ASSERT_TRUE(demo.Start(Var(), dir_ + "/2.log")) << demo.banner();
  ExpectReadable(demo, first);
  // Rotate on the token while the server runs; every data key moves to v2.
  auto rotate = Shell(Binary() + " keys rotate --data-dir " + Var());
  ASSERT_EQ(rotate.exit_code, 0) << rotate.output;
  EXPECT_NE(rotate.output.find("clearway/v2 is now current"), std::string::npos) << rotate.output;
  EXPECT_NE(rotate.output.find("0 left under older versions"), std::string::npos)
      << rotate.output;
  const std::string second = File(demo);
  ExpectReadable(demo, second);
  ExpectReadable(demo, first);
  demo.Stop();

  // Another token, without the store's KEK: refused, "token-kek-lost".
  auto other = Shell(std::string("softhsm2-util --init-token --free --label other --pin ") +
                     kt::kUserPin + " --so-pin " + kt::kSoPin);
  ASSERT_EQ(other.exit_code, 0) << other.output;
  ::setenv("CLEARWAY_PKCS11_TOKEN", "other", 1);
  DemoChild lost;
  EXPECT_FALSE(lost.Start(Var(), dir_ + "/lost.log"));
  EXPECT_NE(ReadFile(dir_ + "/lost.log").find("(token-kek-lost)"), std::string::npos)
      << ReadFile(dir_ + "/lost.log");
}

TEST_F(Pkcs11ServerTest, ServeRefusesAWrongPinAndABadKeysTableWritingNothing) {
  auto init = Shell(Binary() + " keys init --token " + kt::kTokenLabel);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  const std::string config = dir_ + "/clearway.toml";
  {
    std::ofstream out(config);
    out << "[server]\ntls_certificate = \"" << dir_ << "/cert.pem\"\ntls_private_key = \""
        << dir_ << "/key.pem\"\n[store]\ndata_dir = \"" << Var() << "\"\n[keys]\n"
        << "provider = \"pkcs11\"\ntoken = \"" << kt::kTokenLabel
        << "\"\npin_env = \"WRONG_PIN\"\n";
  }
  auto wrong = Shell("WRONG_PIN=0000 " + Binary() + " serve --config " + config);
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("(pkcs11-login-failed)"), std::string::npos) << wrong.output;
  EXPECT_FALSE(std::filesystem::exists(Var()));

  {
    std::ofstream out(config);
    out << "[keys]\nprovider = \"pkcs11\"\nkey_file = \"/tmp/kek\"\n";
  }
  auto bad = Shell(Binary() + " serve --config " + config);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("keys.key_file"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(Var()));
}

}  // namespace
}  // namespace clearway::e2e
