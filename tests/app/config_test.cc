#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "testing/matchers.h"

namespace clearway::app {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

constexpr const char* kHash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

TEST(ConfigTest, ParsesEverySection) {
  std::string text = std::string(R"(
[server]
bind = "0.0.0.0"
port = 9443
tls_certificate = "/etc/cw/cert.pem"
tls_private_key = "/etc/cw/key.pem"
worker_threads = 8

[store]
data_dir = "/srv/cw"

[[users]]
username = "officer.a"
password_hash = ")") + kHash + R"("
role = "officer"
organisation = "DE-CUSTOMS"
offices = ["DE004700", "DE004701"]
)";
  auto config = ParseConfig(text);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->server.bind_address, "0.0.0.0");
  EXPECT_EQ(config->server.port, 9443);
  EXPECT_EQ(config->server.worker_threads, 8);
  EXPECT_EQ(config->store.data_dir, "/srv/cw");
  ASSERT_EQ(config->users.size(), 1u);
  EXPECT_EQ(config->users[0].principal.role, identity::Role::kOfficer);
  EXPECT_EQ(config->users[0].principal.offices.size(), 2u);
  EXPECT_THAT(ValidateConfig(*config), IsOk());
  EXPECT_EQ(SqlitePathOf(config->store), "/srv/cw/clearway.db");
}

TEST(ConfigTest, RefusalsNameTheField) {
  EXPECT_THAT(ParseConfig("[[users]]\nusername = \"a\"\npassword_hash = \"plain\"\nrole = \"officer\"\n"),
              HasDetail("users[0].password_hash", "bad-config"));
  EXPECT_THAT(ParseConfig(std::string("[[users]]\nusername = \"a\"\npassword_hash = \"") + kHash +
                          "\"\nrole = \"king\"\n"),
              HasDetail("users[0].role", "bad-config"));
  EXPECT_THAT(ParseConfig("[server\nport = 1"), HasReason("bad-config"));
  EXPECT_THAT(LoadConfigFile("/nonexistent/clearway.toml"), HasReason("config-not-found"));
}

TEST(ConfigTest, KeysTable) {
  auto token = ParseConfig(
      "[keys]\nprovider = \"pkcs11\"\ntoken = \"hsm-1\"\npkcs11_module = \"/m.so\"\n"
      "key_id = \"customs-de\"\npin_file = \"/etc/clearway/pin\"\n");
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(token->keys.provider, "pkcs11");
  EXPECT_EQ(token->keys.token, "hsm-1");
  EXPECT_EQ(token->keys.pkcs11_module, "/m.so");
  EXPECT_EQ(token->keys.key_id, "customs-de");
  EXPECT_EQ(token->keys.pin_file, "/etc/clearway/pin");
  auto file = ParseConfig("[keys]\nkey_file = \"/k/kek\"\n");
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ(file->keys.key_file, "/k/kek");
  EXPECT_TRUE(file->keys.provider.empty());

  struct Bad {
    const char* toml;
    const char* field;
  };
  for (const Bad& bad : {Bad{"provider = \"hsm\"", "keys.provider"},
                         Bad{"provider = \"file\"\ntoken = \"t\"", "keys.token"},
                         Bad{"provider = \"file\"\nkey_id = \"k\"", "keys.key_id"},
                         Bad{"provider = \"pkcs11\"\ntoken = \"t\"\nkey_file = \"/k\"",
                             "keys.key_file"},
                         Bad{"token = \"t\"\npin_env = \"P\"\npin_file = \"/p\"",
                             "keys.pin_file"},
                         Bad{"token = \"t\"\nkey_id = \"Bad Id\"", "keys.key_id"},
                         Bad{"token = 7", "keys.token"},
                         Bad{"tokn = \"t\"", "keys.tokn"}}) {
    EXPECT_THAT(ParseConfig(std::string("[keys]\n") + bad.toml + "\n"),
                HasDetail(bad.field, "bad-config"))
        << bad.toml;
  }
}

TEST(ConfigTest, ServeRefusesWithoutTls) {
  Config config;
  EXPECT_THAT(ValidateConfig(config), HasReason("no-tls"));
  config.users.push_back({{"u", "O", identity::Role::kDeclarant, {}, {}}, kHash, false});
  EXPECT_THAT(ValidateConfig(config), HasReason("no-tls"));
  config.demo = true;
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config.store.url = "mysql://x";
  EXPECT_THAT(ValidateConfig(config), HasCode(ErrorCode::kInvalidArgument));
}

TEST(ConfigTest, StoreUrlsAndReadReplica) {
  Config config;
  config.demo = true;
  for (const char* url : {"", "sqlite:var/x.db", "postgres://cw@db/cw", "postgresql://db/cw"}) {
    config.store.url = url;
    EXPECT_THAT(ValidateConfig(config), IsOk()) << url;
  }
  config.store.url = "sqlite:";
  EXPECT_THAT(ValidateConfig(config), HasDetail("store.url", "bad-config"));
  config.store.url = "postgres://cw@db/cw";
  config.store.read_replica = "postgres://cw@replica/cw";
  EXPECT_THAT(ValidateConfig(config), IsOk());
  EXPECT_TRUE(IsPostgresStore(config.store));
  config.store.read_replica = "replica.example";
  EXPECT_THAT(ValidateConfig(config), HasDetail("store.read_replica", "bad-config"));
  config.store.url = "sqlite:var/x.db";
  config.store.read_replica = "postgres://cw@replica/cw";
  EXPECT_THAT(ValidateConfig(config), HasDetail("store.read_replica", "bad-config"));
  EXPECT_FALSE(IsPostgresStore(config.store));

  auto parsed = ParseConfig(
      "[store]\nurl = \"postgres://cw@db/cw\"\nread_replica = \"postgres://cw@r/cw\"\n");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->store.url, "postgres://cw@db/cw");
  EXPECT_EQ(parsed->store.read_replica, "postgres://cw@r/cw");
  ::setenv("CLEARWAY_READ_REPLICA", "postgres://cw@env/cw", 1);
  ASSERT_THAT(ApplyEnvironment(*parsed), IsOk());
  ::unsetenv("CLEARWAY_READ_REPLICA");
  EXPECT_EQ(parsed->store.read_replica, "postgres://cw@env/cw");
}

TEST(ConfigTest, EnvironmentOverrides) {
  Config config;
  ::setenv("CLEARWAY_PORT", "10443", 1);
  ::setenv("CLEARWAY_DATA_DIR", "/tmp/cw-env", 1);
  ASSERT_THAT(ApplyEnvironment(config), IsOk());
  EXPECT_EQ(config.server.port, 10443);
  EXPECT_EQ(config.store.data_dir, "/tmp/cw-env");
  ::setenv("CLEARWAY_PORT", "http", 1);
  EXPECT_THAT(ApplyEnvironment(config), HasReason("bad-config"));
  ::unsetenv("CLEARWAY_PORT");
  ::unsetenv("CLEARWAY_DATA_DIR");
}

}  // namespace
}  // namespace clearway::app
