// clearway-load: drives the Clearway HTTPS API (or the echo baseline) with declaration
// submissions over keep-alive TLS connections from a second process, and reports throughput,
// latency percentiles, errors, and the server's CPU and memory over the run.
//
// Two ways to load:
//   --concurrency N             closed loop: N connections, each sends its next request as soon
//                               as the last one is answered (finds the maximum throughput);
//   --rate R [--concurrency N]  open loop: request i is due at start + i/R whatever happened
//                               before, sent by the next free one of N connections, and its
//                               latency is measured from when it was due, not from when it was
//                               sent, so a stalled server is not hidden by a stalled client
//                               (coordinated omission). Requests still unsent 2 s after the end
//                               are abandoned, counted as `missed` (and in `errors`), and enter
//                               the percentiles with the time they had waited by then.
//
// The connections are driven asynchronously by --client-threads threads (bench/load_driver.h),
// so the generator takes little of the CPU it shares with the server.
//
// Bodies are realistic declarations (1..--max-items goods items; bench/bench_declarations.h),
// generated before the clock starts, each sent with its own Idempotency-Key. With
// --server-pid the server's CPU time and resident memory are read from /proc over the run
// (sampled every --sample-interval seconds: the soak's memory curve).
//
//   clearway-load --url https://127.0.0.1:8443 --credentials var/demo-credentials.json
//                 --ca-cert var/tls/cert.pem --rate 5000 --duration 20 --server-pid PID --json
//
// --json prints one object: throughput (2xx answers per second), p50_ms, p90_ms, p99_ms,
// p999_ms, errors, and extras (requests, served_per_s, missed, max_ms, send_lag_p99_ms, status
// counts, client and server CPU, server RSS, rss_samples). throughput counts the requests due in
// the measured window; served_per_s every answer that arrived in it (they differ when an open
// loop falls behind and the window is spent on the warm-up's backlog).
#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "api/client.h"
#include "api/client_auth.h"
#include "app/samples.h"
#include "bench/bench_declarations.h"
#include "bench/load_driver.h"
#include "common/json.h"
#include "crypto/crypto.h"

namespace {

using Clock = clearway::bench::LoadClockType;
using namespace clearway;


struct Options {
  std::string url = "https://127.0.0.1:8443";
  std::string credentials = "var/demo-credentials.json";
  std::string ca_cert = "var/tls/cert.pem";
  std::string user = "nordfleisch.clerk";
  std::string path = "/v1/declarations";
  std::string method = "POST";  // GET sends no body (the transport-only comparison)
  int concurrency = 0;  // 0: 16 closed loop, 64 open loop
  int client_threads = 2;
  double rate = 0;      // requests per second; 0 = closed loop
  double duration_s = 10;
  double warmup_s = 0;
  int max_items = 20;
  int expect_status = 201;
  int server_pid = 0;
  double sample_interval_s = 5;
  bool no_sign_in = false;
  bool json = false;
};


double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}


// ---- The server's CPU and memory, from /proc -------------------------------------------------

struct ProcessSample {
  double cpu_s = 0;  // user + system
  double rss_mb = 0;
};

std::optional<ProcessSample> ReadProcess(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> values;
  for (std::string field; fields >> field;) values.push_back(field);
  // After the name: state(3) ... utime(14) stime(15) ... rss(24), numbered from pid = 1.
  if (values.size() < 22) return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_mb = static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
  ProcessSample sample;
  sample.cpu_s = (std::stod(values[11]) + std::stod(values[12])) / ticks;
  sample.rss_mb = std::stod(values[21]) * page_mb;
  return sample;
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Sampler reads the server process every interval until stopped.
class Sampler {
 public:
  Sampler(int pid, double interval_s, Clock::time_point origin) : pid_(pid) {
    if (pid_ == 0) return;
    thread_ = std::thread([this, interval_s, origin] {
      std::unique_lock lock(mu_);
      do {
        if (auto sample = ReadProcess(pid_)) {
          samples_.emplace_back(std::chrono::duration<double>(Clock::now() - origin).count(),
                                *sample);
        }
      } while (!wake_.wait_for(lock, std::chrono::duration<double>(interval_s),
                               [this] { return stop_; }));
    });
  }
  ~Sampler() { Stop(); }

  void Stop() {
    {
      std::scoped_lock lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  const std::vector<std::pair<double, ProcessSample>>& samples() const { return samples_; }

 private:
  int pid_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::vector<std::pair<double, ProcessSample>> samples_;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App cli{"clearway-load: submit declarations over HTTPS and measure"};
  cli.add_option("--url", o.url, "Server URL")->capture_default_str();
  cli.add_option("--credentials", o.credentials, "Demo credentials file")->capture_default_str();
  cli.add_option("--ca-cert", o.ca_cert, "CA certificate")->capture_default_str();
  cli.add_option("--as", o.user, "User to submit as (a declarant)")->capture_default_str();
  cli.add_option("--path", o.path, "Path to send to")->capture_default_str();
  cli.add_option("--method", o.method, "POST (a declaration each time) or GET (no body)")
      ->check(CLI::IsMember({"POST", "GET"}))->capture_default_str();
  cli.add_option("--concurrency", o.concurrency,
                 "Keep-alive connections (default 16 closed loop, 64 open loop)")
      ->check(CLI::Range(1, 1024));
  cli.add_option("--client-threads", o.client_threads,
                 "Threads driving the connections (each runs its share asynchronously)")
      ->check(CLI::Range(1, 64))->capture_default_str();
  cli.add_option("--rate", o.rate, "Open loop: requests per second (0 = closed loop)")
      ->check(CLI::Range(0.0, 1e6))->capture_default_str();
  cli.add_option("--duration", o.duration_s, "Seconds measured (after the warm-up)")
      ->check(CLI::Range(0.1, 86400.0))->capture_default_str();
  cli.add_option("--warmup", o.warmup_s, "Seconds run first and not counted")
      ->check(CLI::Range(0.0, 3600.0))->capture_default_str();
  cli.add_option("--max-items", o.max_items, "Goods items per declaration: 1..N, uniform")
      ->check(CLI::Range(1, 20))->capture_default_str();
  cli.add_option("--expect-status", o.expect_status, "The status that counts as success")
      ->capture_default_str();
  cli.add_option("--server-pid", o.server_pid, "Server process to read CPU and RSS of (/proc)");
  cli.add_option("--sample-interval", o.sample_interval_s, "Seconds between server samples")
      ->check(CLI::Range(0.1, 600.0))->capture_default_str();
  cli.add_flag("--no-sign-in", o.no_sign_in, "Send no Authorization (the echo baseline)");
  cli.add_flag("--json", o.json, "Print one JSON object");
  CLI11_PARSE(cli, argc, argv);
  const bool open_loop = o.rate > 0;
  if (o.concurrency == 0) o.concurrency = open_loop ? 64 : 16;

  auto url = api::ParseHttpsUrl(o.url);
  if (!url.ok()) {
    std::cerr << "clearway-load: " << url.error().message << "\n";
    return 2;
  }
  api::ClientOptions client_options;
  client_options.host = url->host;
  client_options.port = url->port;
  client_options.ca_file = o.ca_cert;
  client_options.user_agent = "clearway-load";

  // One session for every connection: signing in is not what is measured.
  std::vector<std::pair<std::string, std::string>> auth_header;
  app::SampleParty party = o.user == "lyon.clerk" ? app::SoieriesDeLyon() : app::Nordfleisch();
  if (!o.no_sign_in) {
    auto credential = api::ReadDemoCredential(o.credentials, o.user);
    if (!credential.ok()) {
      std::cerr << "clearway-load: " << credential.error().message << "\n";
      return 2;
    }
    auto client = api::HttpsClient::Open(client_options);
    auto token = client.ok() ? api::SignIn(**client, url->base_path, *credential)
                             : Result<std::string>(client.error());
    if (!token.ok()) {
      std::cerr << "clearway-load: " << token.error().message << "\n";
      return 2;
    }
    auth_header.emplace_back("Authorization", "Bearer " + *token);
  }

  // Bodies are made before the clock starts, so generation is not measured.
  const std::vector<std::string> bodies = bench::MakeDeclarationBodies(party, 2048, o.max_items);
  const std::string target = url->base_path + o.path;

  bench::LoadPlan plan;
  plan.host = url->host;
  plan.port = url->port;
  plan.ca_file = o.ca_cert;
  plan.method = o.method;
  plan.target = target;
  plan.headers = auth_header;
  plan.bodies = &bodies;
  plan.connections = o.concurrency;
  plan.threads = o.client_threads;
  plan.rate = o.rate;
  plan.warmup_s = o.warmup_s;
  plan.duration_s = o.duration_s;
  plan.expect_status = o.expect_status;

  // CPU is counted over the measured window (and an open loop's drain), not the warm-up: an
  // observer thread reads it when the window opens.
  std::optional<Sampler> sampler;
  std::thread observer;
  double client_cpu_before = 0;
  std::optional<ProcessSample> server_before;
  auto run = bench::RunLoad(plan, [&](const bench::LoadClock& clock) {
    sampler.emplace(o.server_pid, o.sample_interval_s, clock.start);
    observer = std::thread([&, measure_from = clock.measure_from] {
      std::this_thread::sleep_until(measure_from);
      client_cpu_before = SelfCpuSeconds();
      if (o.server_pid != 0) server_before = ReadProcess(o.server_pid);
    });
  });
  if (observer.joinable()) observer.join();
  if (!run.ok()) {
    std::cerr << "clearway-load: " << run.error().message << "\n";
    return 2;
  }
  const auto finished = run->finished;
  const auto measure_from = run->clock.measure_from;
  sampler->Stop();
  const double client_cpu_s = SelfCpuSeconds() - client_cpu_before;
  std::optional<ProcessSample> server_after;
  if (o.server_pid != 0) server_after = ReadProcess(o.server_pid);

  std::vector<double>& latencies = run->latencies_ms;
  std::vector<double>& send_lag = run->send_lag_ms;
  const int64_t ok = run->ok;
  const int64_t errors = run->failed;
  const int64_t missed = run->missed;
  const std::map<int, int64_t>& statuses = run->statuses;
  const std::string& first_error = run->first_error;
  std::sort(latencies.begin(), latencies.end());
  std::sort(send_lag.begin(), send_lag.end());
  // Throughput over the measured window, up to the last answer (an open-loop run that fell
  // behind finishes late, and its throughput is what it achieved, not the rate asked for).
  const double window_s = std::chrono::duration<double>(finished - measure_from).count();
  const double throughput = static_cast<double>(ok) / window_s;
  // What the server answered during the measured window itself (see LoadResult::served).
  const double measured_s = std::chrono::duration<double>(run->clock.end - measure_from).count();
  const double served_per_s = static_cast<double>(run->served) / measured_s;
  double mean = 0;
  for (double ms : latencies) mean += ms;
  if (!latencies.empty()) mean /= static_cast<double>(latencies.size());

  boost::json::object out{{"throughput", throughput},
                          {"p50_ms", Percentile(latencies, 0.50)},
                          {"p90_ms", Percentile(latencies, 0.90)},
                          {"p99_ms", Percentile(latencies, 0.99)},
                          {"p999_ms", Percentile(latencies, 0.999)},
                          {"max_ms", latencies.empty() ? 0.0 : latencies.back()},
                          {"mean_ms", mean},
                          {"errors", errors + missed},
                          {"failed", errors},
                          {"missed", missed},
                          {"requests", ok},
                          {"served_per_s", served_per_s},
                          {"mode", open_loop ? "open" : "closed"},
                          {"rate", o.rate},
                          {"concurrency", o.concurrency},
                          {"duration_s", window_s},
                          {"warmup_s", o.warmup_s},
                          {"client_cpu_s", client_cpu_s},
                          {"client_cpu_cores", client_cpu_s / window_s}};
  if (open_loop) out["send_lag_p99_ms"] = Percentile(send_lag, 0.99);
  boost::json::object status_counts;
  for (const auto& [status, count] : statuses) status_counts[std::to_string(status)] = count;
  out["statuses"] = std::move(status_counts);
  if (server_before && server_after) {
    const double cpu = server_after->cpu_s - server_before->cpu_s;
    out["server_cpu_s"] = cpu;
    out["server_cpu_cores"] = cpu / window_s;
    out["server_cpu_us_per_request"] = ok > 0 ? cpu * 1e6 / static_cast<double>(ok) : 0.0;
    // CPU per answer the server gave in the window (the same as above when it keeps up).
    out["server_cpu_us_per_served"] =
        run->served > 0 ? cpu * 1e6 / (served_per_s * window_s) : 0.0;
    out["server_rss_mb_start"] = server_before->rss_mb;
    out["server_rss_mb_end"] = server_after->rss_mb;
    double rss_max = std::max(server_before->rss_mb, server_after->rss_mb);
    boost::json::array samples;
    for (const auto& [at, sample] : sampler->samples()) {
      rss_max = std::max(rss_max, sample.rss_mb);
      samples.push_back(boost::json::array{at, sample.rss_mb, sample.cpu_s});
    }
    out["server_rss_mb_max"] = rss_max;
    out["samples_t_rss_mb_cpu_s"] = std::move(samples);
  }
  if (!first_error.empty()) out["first_error"] = first_error;

  if (o.json) {
    std::cout << boost::json::serialize(out) << "\n";
  } else {
    std::printf("%s loop, %d connections%s: %lld ok in %.1f s = %.0f/s; errors %lld (missed %lld)\n",
                open_loop ? "open" : "closed", o.concurrency,
                open_loop ? (", rate " + std::to_string(static_cast<int64_t>(o.rate)) + "/s").c_str()
                          : "",
                static_cast<long long>(ok), window_s, throughput,
                static_cast<long long>(errors + missed), static_cast<long long>(missed));
    if (open_loop) std::printf("served in the window (any schedule): %.0f/s\n", served_per_s);
    std::printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
                Percentile(latencies, 0.5), Percentile(latencies, 0.9),
                Percentile(latencies, 0.99), Percentile(latencies, 0.999),
                latencies.empty() ? 0.0 : latencies.back());
    std::printf("client CPU %.1f s", client_cpu_s);
    if (out.contains("server_cpu_s")) {
      std::printf("; server CPU %.1f s (%.2f cores), RSS %.0f -> %.0f MB (max %.0f)",
                  out["server_cpu_s"].as_double(), out["server_cpu_cores"].as_double(),
                  out["server_rss_mb_start"].as_double(), out["server_rss_mb_end"].as_double(),
                  out["server_rss_mb_max"].as_double());
    }
    std::printf("\n");
    if (!first_error.empty()) std::printf("first error: %s\n", first_error.c_str());
  }
  return ok == 0 ? 1 : 0;
}
