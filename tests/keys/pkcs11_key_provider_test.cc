// What is particular to the PKCS#11 provider, on a SoftHSM2 token in a temporary directory
// (the shared contract is in key_provider_contract_test.cc).
#include "keys/pkcs11_key_provider.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "keys/keys_testing.h"
#include "testing/matchers.h"

namespace clearway::keys {
namespace {

using ::clearway::testing::HasCode;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;

class Pkcs11KeyProviderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(token_.ok()) << token_.init_output(); }

  Pkcs11Options Options() const {
    Pkcs11Options options;
    options.token_label = testing::kTokenLabel;
    options.pin_env = testing::kPinEnv;
    return options;
  }

  FakeClock clock_{ParseTimestamp("2026-01-01T00:00:00Z").value()};
  testing::SoftHsmToken token_;
};

TEST_F(Pkcs11KeyProviderTest, KekIsGeneratedInsideTheTokenAndNeverLeavesIt) {
  auto provider = Pkcs11KeyProvider::Create(Options(), clock_);
  ASSERT_THAT(provider, IsOk());
  auto exportable = (*provider)->KekIsExportableForTesting(KekRef{"clearway", 1});
  ASSERT_THAT(exportable, IsOk());
  EXPECT_FALSE(*exportable);
  ASSERT_THAT((*provider)->Rotate(), IsOk());
  EXPECT_FALSE(*(*provider)->KekIsExportableForTesting(KekRef{"clearway", 2}));
}

TEST_F(Pkcs11KeyProviderTest, RetireDestroysTheKeyObject) {
  auto provider = Pkcs11KeyProvider::Create(Options(), clock_);
  ASSERT_THAT(provider, IsOk());
  ASSERT_THAT((*provider)->Rotate(), IsOk());
  ASSERT_THAT((*provider)->Retire(KekRef{"clearway", 1}), IsOk());
  EXPECT_THAT((*provider)->KekIsExportableForTesting(KekRef{"clearway", 1}),
              HasReason("unknown-kek"));
}

TEST_F(Pkcs11KeyProviderTest, WrongPinIsRefused) {
  ASSERT_THAT(Pkcs11KeyProvider::Create(Options(), clock_), IsOk());  // closed again at once
  ::setenv(testing::kPinEnv, "not-the-pin", 1);
  auto opened = Pkcs11KeyProvider::Open(Options(), clock_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_THAT(opened, HasReason("pkcs11-login-failed"));
  // The message does not repeat the PIN.
  if (!opened.ok()) {
    EXPECT_EQ(opened.error().message.find("not-the-pin"), std::string::npos);
  }
}

TEST_F(Pkcs11KeyProviderTest, MissingPinIsRefused) {
  ::unsetenv(testing::kPinEnv);
  auto opened = Pkcs11KeyProvider::Create(Options(), clock_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(opened, HasReason("pkcs11-pin-missing"));
  EXPECT_EQ(opened.error().field_path, "pin");
}

TEST_F(Pkcs11KeyProviderTest, PinFromAFileOnlyItsOwnerCanRead) {
  ::unsetenv(testing::kPinEnv);
  const std::string pin_file = token_.dir() / "pin";
  testing::WriteFile(pin_file, std::string(testing::kUserPin) + "\n");
  Pkcs11Options options = Options();
  options.pin_file = pin_file;

  ASSERT_EQ(::chmod(pin_file.c_str(), 0644), 0);
  auto refused = Pkcs11KeyProvider::Create(options, clock_);
  EXPECT_THAT(refused, HasCode(ErrorCode::kPermissionDenied));
  EXPECT_THAT(refused, HasReason("pin-file-permissions"));

  ASSERT_EQ(::chmod(pin_file.c_str(), 0600), 0);
  auto created = Pkcs11KeyProvider::Create(options, clock_);
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(*(*created)->Current(), (KekRef{"clearway", 1}));
}

TEST_F(Pkcs11KeyProviderTest, UnknownTokenIsNotFound) {
  Pkcs11Options options = Options();
  options.token_label = "no-such-token";
  auto opened = Pkcs11KeyProvider::Open(options, clock_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(opened, HasReason("pkcs11-token-not-found"));
}

TEST_F(Pkcs11KeyProviderTest, MissingModuleIsUnavailable) {
  Pkcs11Options options = Options();
  options.module_path = token_.dir() / "no-such-module.so";
  auto opened = Pkcs11KeyProvider::Open(options, clock_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(opened, HasReason("pkcs11-module-unavailable"));
}

TEST_F(Pkcs11KeyProviderTest, OpeningATokenWithoutTheKeyIsNotFound) {
  auto opened = Pkcs11KeyProvider::Open(Options(), clock_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(opened, HasReason("no-kek"));
}

// Two providers on one token (a server, and an operator's `clearway keys rotate`): the
// server learns of a new version when it first meets it, or on Refresh().
TEST_F(Pkcs11KeyProviderTest, AnotherProvidersRotationIsSeen) {
  auto server = Pkcs11KeyProvider::Create(Options(), clock_);
  ASSERT_THAT(server, IsOk());
  auto operator_side = Pkcs11KeyProvider::Open(Options(), clock_);
  ASSERT_THAT(operator_side, IsOk());
  ASSERT_THAT((*operator_side)->Rotate(), IsOk());
  DataKey key = GenerateDataKey().value();
  auto wrapped = (*operator_side)->Wrap(key);
  ASSERT_THAT(wrapped, IsOk());
  EXPECT_EQ(wrapped->kek.version, 2u);

  auto unwrapped = (*server)->Unwrap(*wrapped);
  ASSERT_THAT(unwrapped, IsOk());
  EXPECT_TRUE(*unwrapped == key);
  EXPECT_EQ(*(*server)->Current(), (KekRef{"clearway", 2}));
  // And a third rotation from the server side numbers past what the other made.
  auto third = (*server)->Rotate();
  ASSERT_THAT(third, IsOk());
  EXPECT_EQ(*third, (KekRef{"clearway", 3}));
  ASSERT_THAT((*operator_side)->Refresh(), IsOk());
  EXPECT_EQ(*(*operator_side)->Current(), (KekRef{"clearway", 3}));
}

}  // namespace
}  // namespace clearway::keys
