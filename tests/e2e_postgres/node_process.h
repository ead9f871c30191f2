// File: e2e_postgres/node_process.h
//
// Clearway nodes as child processes for the multi-node tests: `clearway demo` on its own data
// directory and a shared PostgreSQL store, on a free port, its output in DIR/node.log; HTTPS
// clients that sign in as a demo user and file declarations; and what the tests read straight
// from the shared database (who holds the sequencer lease). Every wait is bounded.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/client.h"
#include "api/client_auth.h"
#include "common/json.h"
#include "e2e/demo_process.h"
#include "testing/pg_cluster.h"

namespace clearway::e2e {

// NodeProcess is one `clearway demo --store URL` process.
class NodeProcess {
 public:
  NodeProcess() = default;
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;
  ~NodeProcess() { Stop(); }

  // Start() forks the node and waits (90 s at most) until it serves; false if it never did.
  bool Start(const std::string& data_dir, const std::string& store_url) {
    data_dir_ = data_dir;
    std::filesystem::create_directories(data_dir);
    const std::string log = data_dir + "/node.log";
    // A restart on the same directory must not read the previous run's banner (and port)
    // before the child truncates the log.
    std::filesystem::remove(log);
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      if (store_url.empty()) {
        ::execl(Binary().c_str(), "clearway", "demo", "--data-dir", data_dir.c_str(), "--port",
                "0", static_cast<char*>(nullptr));
      } else {
        ::execl(Binary().c_str(), "clearway", "demo", "--data-dir", data_dir.c_str(), "--port",
                "0", "--store", store_url.c_str(), static_cast<char*>(nullptr));
      }
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      banner_ = ReadFile(log);
      if (banner_.find("Stop with Ctrl-C") != std::string::npos) break;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::smatch match;
    if (!std::regex_search(banner_, match,
                           std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)"))) {
      return false;
    }
    port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
    return true;
  }

  // Stop() sends SIGTERM, then SIGKILL after 20 s.
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 400 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  // Kill() ends the node with SIGKILL, as a crash or power loss would.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& banner() const { return banner_; }
  std::string log() const { return ReadFile(data_dir_ + "/node.log"); }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string data_dir_;
  std::string banner_;
};

// Filer files declarations on one node as one demo user, over one kept-alive connection.
// Not thread-safe: one per thread.
class Filer {
 public:
  // Open() connects and signs in; null (with a test failure) when that fails.
  static std::unique_ptr<Filer> Open(const NodeProcess& node, const std::string& user) {
    auto client = ConnectTo(node);
    if (client == nullptr) return nullptr;
    auto token = SignInAs(*client, node, user);
    if (!token.ok()) {
      ADD_FAILURE() << "sign-in: " << token.error();
      return nullptr;
    }
    return std::unique_ptr<Filer>(new Filer(std::move(client), "Bearer " + *token));
  }

  // WithAuthorization() connects and sends `authorization` (a token got elsewhere, say from
  // another node) with every request; null (with a test failure) when it cannot connect.
  static std::unique_ptr<Filer> WithAuthorization(const NodeProcess& node,
                                                  std::string authorization) {
    auto client = ConnectTo(node);
    if (client == nullptr) return nullptr;
    return std::unique_ptr<Filer>(new Filer(std::move(client), std::move(authorization)));
  }

  // SignIn() signs in as a demo user of the node's credentials file, on a new connection:
  // the session token, or the refusal.
  static Result<std::string> SignIn(const NodeProcess& node, const std::string& user) {
    auto client = ConnectTo(node);
    if (client == nullptr) return Error::Unavailable("connect", "cannot connect");
    return SignInAs(*client, node, user);
  }

  const std::string& authorization() const { return auth_; }

  // File() posts the example declaration with a fresh idempotency key; the new declaration's
  // id when the server acknowledged it (201), nullopt otherwise (the node may be gone).
  std::optional<std::string> File(const std::string& body, const std::string& key) {
    auto response = client_->Request("POST", "/v1/declarations", body,
                                     {{"Authorization", auth_},
                                      {"Content-Type", "application/json"},
                                      {"Idempotency-Key", key}});
    if (!response.ok() || response->status != 201) return std::nullopt;
    auto parsed = ParseJson(response->body);
    if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
    const auto* id = parsed->get_object().if_contains("id");
    if (id == nullptr || !id->is_string()) return std::nullopt;
    return std::string(id->get_string());
  }

  // Get() is the status of GET target.
  int Get(const std::string& target) { return Send("GET", target).first; }

  // Send() is the status and body of one request (0 and "" when the node did not answer).
  std::pair<int, std::string> Send(const std::string& method, const std::string& target,
                                   const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", auth_}};
    if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
    auto response = client_->Request(method, target, body, headers);
    if (!response.ok()) return {0, ""};
    return {response->status, response->body};
  }

 private:
  static std::unique_ptr<api::HttpsClient> ConnectTo(const NodeProcess& node) {
    api::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = node.port();
    options.ca_file = node.data_dir() + "/tls/cert.pem";
    options.timeout = std::chrono::seconds(20);
    auto client = api::HttpsClient::Open(options);
    if (!client.ok()) {
      ADD_FAILURE() << "connect: " << client.error() << "\nthe node's log:\n" << node.log();
      return nullptr;
    }
    return std::move(client).value();
  }

  static Result<std::string> SignInAs(api::HttpsClient& client, const NodeProcess& node,
                                      const std::string& user) {
    CW_ASSIGN_OR_RETURN(api::DemoCredential credential,
                        api::ReadDemoCredential(node.data_dir() + "/demo-credentials.json", user));
    return api::SignIn(client, "", credential);
  }

  Filer(std::unique_ptr<api::HttpsClient> client, std::string auth)
      : client_(std::move(client)), auth_(std::move(auth)) {}
  std::unique_ptr<api::HttpsClient> client_;
  std::string auth_;
};

// LeaseHolderPid() is the process id of the node holding the sequencer lease, from the lease
// session's application_name "clearway-PID-lease"; 0 when nobody holds it.
inline pid_t LeaseHolderPid(const std::string& url) {
  const std::string name = testing::PgQuery(
      url,
      "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
      " WHERE l.locktype = 'advisory' AND l.classid = 1131181945 AND l.objid = 3"
      " AND l.objsubid = 2 AND l.granted AND l.database = (SELECT oid FROM pg_database"
      " WHERE datname = current_database())");
  std::smatch match;
  if (!std::regex_match(name, match, std::regex("clearway-([0-9]+)-lease"))) return 0;
  return static_cast<pid_t>(std::stol(match[1].str()));
}

// WaitFor() polls `done` every 100 ms for at most `timeout`; true once it held.
template <typename Done>
bool WaitFor(std::chrono::seconds timeout, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

}  // namespace clearway::e2e
