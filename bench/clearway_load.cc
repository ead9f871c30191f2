// clearway-load: drives the Clearway HTTPS API with declaration submissions over keep-alive
// connections (closed loop: each connection sends its next request when the last is answered)
// and reports throughput and latency percentiles.
//
//   clearway-load --url https://127.0.0.1:8443 --credentials var/demo-credentials.json
//                 --ca-cert var/tls/cert.pem --concurrency 32 --duration 10 --json
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "api/client.h"
#include "api/client_auth.h"
#include "app/samples.h"
#include "common/json.h"
#include "crypto/crypto.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace clearway;

struct Options {
  std::string url = "https://127.0.0.1:8443";
  std::string credentials = "var/demo-credentials.json";
  std::string ca_cert = "var/tls/cert.pem";
  std::string user = "nordfleisch.clerk";
  int concurrency = 16;
  double duration_s = 10;
  int max_items = 20;
  bool json = false;
};

struct WorkerResult {
  std::vector<double> latencies_ms;
  int64_t errors = 0;
  std::string first_error;
};

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App cli{"clearway-load: submit declarations over HTTPS and measure"};
  cli.add_option("--url", o.url, "Server URL")->capture_default_str();
  cli.add_option("--credentials", o.credentials, "Demo credentials file")->capture_default_str();
  cli.add_option("--ca-cert", o.ca_cert, "CA certificate")->capture_default_str();
  cli.add_option("--as", o.user, "User to submit as (a declarant)")->capture_default_str();
  cli.add_option("--concurrency", o.concurrency, "Keep-alive connections")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  cli.add_option("--duration", o.duration_s, "Seconds to run")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  cli.add_option("--max-items", o.max_items, "Goods items per declaration: 1..N, uniform")
      ->check(CLI::Range(1, 20))->capture_default_str();
  cli.add_flag("--json", o.json, "Print one JSON object");
  CLI11_PARSE(cli, argc, argv);

  auto url = api::ParseHttpsUrl(o.url);
  if (!url.ok()) {
    std::cerr << "clearway-load: " << url.error().message << "\n";
    return 2;
  }
  auto credential = api::ReadDemoCredential(o.credentials, o.user);
  if (!credential.ok()) {
    std::cerr << "clearway-load: " << credential.error().message << "\n";
    return 2;
  }
  // One session for every connection: signing in is not what is measured.
  std::string auth;
  {
    api::ClientOptions options;
    options.host = url->host;
    options.port = url->port;
    options.ca_file = o.ca_cert;
    auto client = api::HttpsClient::Open(options);
    auto token = client.ok() ? api::SignIn(**client, url->base_path, *credential)
                             : Result<std::string>(client.error());
    if (!token.ok()) {
      std::cerr << "clearway-load: " << token.error().message << "\n";
      return 2;
    }
    auth = "Bearer " + *token;
  }
  app::SampleParty party = app::Nordfleisch();
  if (o.user == "lyon.clerk") party = app::SoieriesDeLyon();

  // Bodies are made before the clock starts, so generation is not measured.
  std::vector<std::string> bodies;
  for (uint64_t seed = 1; seed <= 512; ++seed) {
    app::SampleSpec spec;
    spec.declarant = party;
    spec.importer = party;
    spec.office = party.country == "FR" ? "FR693000" : "DE004700";
    spec.items = 1 + static_cast<int>(seed % static_cast<uint64_t>(o.max_items));
    spec.seed = seed;
    bodies.push_back(boost::json::serialize(app::MakeSampleDeclaration(spec)));
  }

  std::atomic<bool> stop{false};
  std::vector<WorkerResult> results(static_cast<size_t>(o.concurrency));
  std::vector<std::thread> workers;
  auto started = Clock::now();
  for (int w = 0; w < o.concurrency; ++w) {
    workers.emplace_back([&, w] {
      WorkerResult& r = results[static_cast<size_t>(w)];
      api::ClientOptions options;
      options.host = url->host;
      options.port = url->port;
      options.ca_file = o.ca_cert;
      auto client = api::HttpsClient::Open(options);
      if (!client.ok()) {
        ++r.errors;
        r.first_error = client.error().message;
        return;
      }
      std::string prefix = crypto::RandomToken(8);
      for (uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const std::string& body = bodies[(n * 31 + static_cast<uint64_t>(w)) % bodies.size()];
        auto t0 = Clock::now();
        auto response = (*client)->Request(
            "POST", url->base_path + "/v1/declarations", body,
            {{"Authorization", auth}, {"Idempotency-Key", prefix + std::to_string(n)}});
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!response.ok() || response->status != 201) {
          ++r.errors;
          if (r.first_error.empty()) {
            r.first_error = response.ok() ? std::to_string(response->status) + " " +
                                                response->body.substr(0, 200)
                                          : response.error().message;
          }
          if (!response.ok()) return;
          continue;
        }
        r.latencies_ms.push_back(ms);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.duration_s));
  stop = true;
  for (auto& t : workers) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  std::vector<double> all;
  int64_t errors = 0;
  std::string first_error;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    errors += r.errors;
    if (first_error.empty()) first_error = r.first_error;
  }
  std::sort(all.begin(), all.end());
  double throughput = static_cast<double>(all.size()) / elapsed;
  if (o.json) {
    boost::json::object out{{"throughput", throughput},
                            {"requests", static_cast<int64_t>(all.size())},
                            {"errors", errors},
                            {"concurrency", o.concurrency},
                            {"duration_s", elapsed},
                            {"p50_ms", Percentile(all, 0.50)},
                            {"p90_ms", Percentile(all, 0.90)},
                            {"p99_ms", Percentile(all, 0.99)},
                            {"p999_ms", Percentile(all, 0.999)}};
    if (!first_error.empty()) out["first_error"] = first_error;
    std::cout << boost::json::serialize(out) << "\n";
  } else {
    std::printf("%zu declarations in %.1f s over %d connections: %.0f/s, errors %lld\n",
                all.size(), elapsed, o.concurrency, throughput, static_cast<long long>(errors));
    std::printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f\n", Percentile(all, 0.5),
                Percentile(all, 0.9), Percentile(all, 0.99), Percentile(all, 0.999));
    if (!first_error.empty()) std::printf("first error: %s\n", first_error.c_str());
  }
  return errors > 0 && all.empty() ? 1 : 0;
}
