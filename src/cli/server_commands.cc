#include "cli/server_commands.h"

#include <csignal>
#include <cstdio>
#include <iostream>

#include "api/metrics.h"
#include "api/router.h"
#include "api/routes.h"
#include "api/server.h"
#include "app/demo.h"
#include "app/files.h"
#include "app/ledger_config.h"
#include "app/runtime.h"
#include "app/store_factory.h"

namespace clearway::cli {

namespace {

int Fail(const Error& error) {
  std::cerr << "clearway: " << error.message << " (" << error.reason << ")\n";
  return 1;
}

// Serve() runs the HTTPS API until SIGINT/SIGTERM. `announce` prints what the user needs.
int Serve(app::Runtime& runtime, const std::string& bind,
          const std::function<void(int port)>& announce) {
  // Block the stop signals in every thread the server starts; this thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  api::Metrics metrics;
  api::Router router;
  api::RegisterRoutes(router, runtime, metrics);
  const app::ServerConfig& config = runtime.config().server;
  api::ServerOptions options;
  options.bind_address = bind.empty() ? config.bind_address : bind;
  options.port = static_cast<uint16_t>(config.port);
  options.certificate_pem_file = config.tls_certificate;
  options.private_key_pem_file = config.tls_private_key;
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  options.max_body_bytes = config.max_body_bytes;
  options.reload_on_sighup = true;  // new connections get a renewed certificate (api/server.h)
  auto server = api::Server::Start(options, router, metrics);
  if (!server.ok()) return Fail(server.error());
  std::cout << "listening on https://" << options.bind_address << ":" << (*server)->port()
            << std::endl;
  announce((*server)->port());
  int received = 0;
  sigwait(&signals, &received);
  std::cout << "stopping (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
  (*server)->Stop();
  return 0;
}

}  // namespace

int RunDemo(const DemoFlags& flags) {
  auto demo = app::PrepareDemo(flags.data_dir, flags.port);
  if (!demo.ok()) return Fail(demo.error());
  demo->config.server.bind_address = flags.bind;
  if (!flags.store_url.empty()) demo->config.store.url = flags.store_url;
  if (!flags.read_replica.empty()) demo->config.store.read_replica = flags.read_replica;
  auto runtime = app::Runtime::Open(demo->config, demo->ledger);
  if (!runtime.ok()) return Fail(runtime.error());
  if (Status mfa = app::SeedDemoIdentity(**runtime, *demo); !mfa.ok()) return Fail(mfa.error());
  auto credentials_match = app::DemoCredentialsMatch(**runtime, *demo);
  if (!credentials_match.ok()) return Fail(credentials_match.error());
  if (!*credentials_match) {
    // A second node on a shared PostgreSQL directory: the users are the first node's.
    std::cerr << "clearway: the demo users were made by another node sharing this store, so "
              << demo->credentials_path << " does not sign in; copy that node's "
              << "demo-credentials.json here (docs/store-postgres.md)\n";
  }
  auto seeded = app::SeedDemo(**runtime);
  if (!seeded.ok()) return Fail(seeded.error());
  return Serve(**runtime, flags.bind, [&](int port) {
    std::string url = "https://127.0.0.1:" + std::to_string(port);
    std::cout << "\nClearway demo\n"
              << "  store:        " << app::DescribeStore(demo->config.store) << " ("
              << *seeded << " demo declarations filed now)\n"
              << "  TLS cert:     " << demo->certificate_path
              << (demo->certificate_created ? " (self-signed, made now)" : " (self-signed)")
              << "\n"
              << "  credentials:  " << demo->credentials_path << "\n\n"
              << "Demo users (demo only: real passwords are never printed). Those with a TOTP "
                 "secret must sign in with a code;\nadd the secret to an authenticator app, or let "
                 "the CLI compute the code (--as USER reads the credentials file):\n";
    for (const auto& user : demo->users) {
      std::cout << "  " << user.username << std::string(20 - std::min<size_t>(19, user.username.size()), ' ')
                << user.role << ", " << user.organisation << "\n"
                << "      password " << user.password
                << (user.totp_secret.empty() ? "" : "   TOTP secret " + user.totp_secret) << "\n";
    }
    std::cout << "\nTry:\n"
              << "  curl --cacert " << demo->certificate_path << " " << url << "/healthz\n"
              << "  export CLEARWAY_URL=" << url << " CLEARWAY_CA_CERT=" << demo->certificate_path
              << " CLEARWAY_CREDENTIALS=" << demo->credentials_path << "\n"
              << "  clearway declare list --as nordfleisch.clerk\n"
              << "  clearway declare example > d.json && clearway declare submit d.json --as "
                 "hanse.broker\n"
              << "  clearway declare decide ID route_red --reason 'check' --as officer.hamburg\n"
              << "  clearway risk assessment ID --as officer.hamburg   (the risk decision; "
                 "--as hanse.broker sees channel and duties only)\n"
              << "  clearway ledger receipt ID --as nordfleisch.clerk --out r.json && "
                 "clearway ledger verify --key \"$(clearway ledger key --data-dir "
              << flags.data_dir << ")\" --receipt r.json\n"
              << "  clearway witness cosign --key-file " << demo->witness_key_path
              << " --state " << flags.data_dir << "/witness/state.json --log-key \"$(clearway "
                 "ledger key --data-dir " << flags.data_dir << ")\"   (the partner witness)\n"
              << "  API description: " << url << "/v1/openapi.json\n"
              << "Stop with Ctrl-C." << std::endl;
  });
}

int RunServe(const ServeFlags& flags) {
  if (flags.config_path.empty()) {
    return Fail(Error::InvalidArgument("--config", "config-required",
                                       "serve needs --config FILE (see docs/configuration.md)"));
  }
  auto config = app::LoadConfigFile(flags.config_path);
  if (!config.ok()) {
    std::cerr << "clearway: " << config.error().ToString() << "\n";
    return 1;
  }
  // The [ledger] table of the same file (origin, checkpoint interval and batch).
  auto text = app::ReadFile(flags.config_path);
  if (!text.ok()) return Fail(text.error());
  auto ledger = app::ParseLedgerConfig(*text);
  if (!ledger.ok()) {
    std::cerr << "clearway: " << ledger.error().ToString() << "\n";
    return 1;
  }
  // The [risk] table: office policies and what filing does with the engine's decision.
  auto risk = app::ParseRiskConfig(*text);
  if (!risk.ok()) {
    std::cerr << "clearway: " << risk.error().ToString() << "\n";
    return 1;
  }
  config->risk = std::move(risk).value();
  // The [retention] table: periods per record class and the scheduled run.
  auto retention = app::ParseRetentionConfig(*text);
  if (!retention.ok()) {
    std::cerr << "clearway: " << retention.error().ToString() << "\n";
    return 1;
  }
  config->retention = std::move(retention).value();
  if (auto env = app::ApplyEnvironment(*config); !env.ok()) return Fail(env.error());
  if (!flags.data_dir.empty()) config->store.data_dir = flags.data_dir;
  if (!flags.store_url.empty()) config->store.url = flags.store_url;
  if (!flags.read_replica.empty()) config->store.read_replica = flags.read_replica;
  if (flags.port >= 0) config->server.port = flags.port;
  auto runtime = app::Runtime::Open(std::move(config).value(), std::move(ledger).value());
  if (!runtime.ok()) return Fail(runtime.error());
  return Serve(**runtime, "", [](int) {});
}

}  // namespace clearway::cli
