// A real Clearway server on 127.0.0.1 (a free port) over a fresh demo directory: the demo's
// users and TLS certificate, no seeded declarations. Clients talk HTTPS to it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <random>

#include "api/client.h"
#include "api/client_auth.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/routes.h"
#include "api/server.h"
#include "app/demo.h"
#include "app/runtime.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "testing/matchers.h"
#include "testing/pg_cluster.h"

namespace clearway::e2e {

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("clearway-e2e-" + std::to_string(rd()) + std::to_string(rd())))
               .string();
    auto demo = app::PrepareDemo(dir_, 0);
    ASSERT_THAT(demo, clearway::testing::IsOk());
    demo_ = std::move(demo).value();
    // Issue 8: CTest's e2e_postgres runs these tests on a fresh PostgreSQL database each.
    if (const char* backend = std::getenv("CLEARWAY_E2E_STORE");
        backend != nullptr && std::string(backend) == "postgres") {
      clearway::testing::PgCluster* cluster = clearway::testing::SharedPgCluster();
      ASSERT_NE(cluster, nullptr);
      demo_.config.store.url = cluster->CreateDatabase();
    }
    Configure(demo_.config);
    auto runtime = app::Runtime::Open(demo_.config, demo_.ledger, MakeClock());
    ASSERT_THAT(runtime, clearway::testing::IsOk());
    runtime_ = std::move(runtime).value();
    ASSERT_THAT(app::SeedDemoIdentity(*runtime_, demo_), clearway::testing::IsOk());
    api::RegisterRoutes(router_, *runtime_, metrics_);
    api::ServerOptions options;
    options.port = 0;
    options.certificate_pem_file = demo_.config.server.tls_certificate;
    options.private_key_pem_file = demo_.config.server.tls_private_key;
    options.worker_threads = 16;
    auto server = api::Server::Start(options, router_, metrics_);
    ASSERT_THAT(server, clearway::testing::IsOk());
    server_ = std::move(server).value();
  }

  // Configure() lets a suite change the demo configuration before the runtime opens.
  virtual void Configure(app::Config& /*config*/) {}
  // MakeClock() lets a suite give the runtime its own clock (nullptr: the system clock).
  virtual std::unique_ptr<Clock> MakeClock() { return nullptr; }

  void TearDown() override {
    server_.reset();
    runtime_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<api::HttpsClient> Client() {
    api::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = server_->port();
    options.ca_file = demo_.certificate_path;
    auto client = api::HttpsClient::Open(options);
    EXPECT_THAT(client, clearway::testing::IsOk());
    return client.ok() ? std::move(client).value() : nullptr;
  }

  std::string PasswordOf(const std::string& user) const {
    for (const auto& u : demo_.users) {
      if (u.username == user) return u.password;
    }
    return "";
  }

  std::string TotpSecretOf(const std::string& user) const {
    for (const auto& u : demo_.users) {
      if (u.username == user) return u.totp_secret;
    }
    return "";
  }

  // AuthFor() is "Bearer <token>" of a session of `user`, signed in once per test (with the
  // TOTP code computed from the demo secret for users that must use MFA).
  std::string AuthFor(const std::string& user) {
    std::scoped_lock lock(tokens_mu_);
    auto found = tokens_.find(user);
    if (found != tokens_.end()) return found->second;
    auto client = Client();
    if (client == nullptr) return "";
    auto token = api::SignIn(*client, "", {user, PasswordOf(user), TotpSecretOf(user)});
    EXPECT_THAT(token, clearway::testing::IsOk()) << user;
    std::string header = token.ok() ? "Bearer " + *token : "";
    tokens_[user] = header;
    return header;
  }

  // AddPartner() adds a partner administration (organisation FR-DGDDI, kind partner) and its
  // service account `user` (role partner) covering `offices`, has the demo administrator issue
  // it an API token with `scopes`, and lets Send() use it as `user`.
  void AddPartner(const std::string& user, const std::vector<std::string>& offices,
                  const std::string& scopes = "declarations:read") {
    identity::IdentityStore& directory = runtime_->directory();
    Status org = directory.AddOrganisation(
        {"FR-DGDDI", "DGDDI", identity::OrganisationKind::kPartnerAdministration, false,
         runtime_->clock().Now()});
    ASSERT_TRUE(org.ok() || org.error().code == ErrorCode::kAlreadyExists);
    identity::StoredUser account;
    account.username = user;
    account.organisation_id = "FR-DGDDI";
    account.role = identity::Role::kPartner;
    account.offices = offices;
    account.service_account = true;
    ASSERT_THAT(directory.AddUser(account), clearway::testing::IsOk());
    auto client = Client();
    ASSERT_NE(client, nullptr);
    auto issued = Send(*client, "admin", "POST", "/v1/api-tokens",
                       R"({"service_account":")" + user + R"(","scopes":")" + scopes + R"("})");
    ASSERT_EQ(issued.status, 201) << issued.body;
    std::scoped_lock lock(tokens_mu_);
    tokens_[user] = "Bearer " + std::string(Json(issued)["token"].as_string());
  }

  // Send() makes one request as `user` ("" for none) on `client`.
  api::ClientResponse Send(api::HttpsClient& client, const std::string& user,
                           std::string_view method, const std::string& target,
                           const std::string& body = "",
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!user.empty()) headers.emplace_back("Authorization", AuthFor(user));
    auto response = client.Request(method, target, body, headers);
    EXPECT_THAT(response, clearway::testing::IsOk());
    return response.ok() ? std::move(response).value() : api::ClientResponse{};
  }

  static boost::json::object Json(const api::ClientResponse& response) {
    auto parsed = ParseJson(response.body);
    if (!parsed.ok() || !parsed->is_object()) return {};
    return parsed->get_object();
  }

  int64_t Count() { return runtime_->store().CountDeclarations().value(); }

  std::string dir_;
  app::DemoSetup demo_;
  std::unique_ptr<app::Runtime> runtime_;
  api::Router router_;
  api::Metrics metrics_;
  std::unique_ptr<api::Server> server_;
  std::mutex tokens_mu_;
  std::map<std::string, std::string> tokens_;  // guarded by tokens_mu_
};

}  // namespace clearway::e2e
