// File: testing/pg_cluster.h
//
// A throwaway PostgreSQL 15 cluster for tests: scripts/pg-test-cluster.sh makes it with initdb
// in a fresh temporary directory owned by an unprivileged user, starts it on 127.0.0.1 on a free
// port (socket in the directory), and a watcher stops it should this process die without
// running destructors. The destructor stops it and removes the directory.
//
//   PgCluster* cluster = SharedPgCluster();            // one per test process, started lazily
//   ASSERT_NE(cluster, nullptr);
//   std::string url = cluster->CreateDatabase();       // a fresh database per test
//   EXPECT_EQ(PgQuery(url, "SELECT 1"), "1");
//
// Every step is bounded in time (pg_ctl waits 60 s at most). Failures are reported through
// GoogleTest (ADD_FAILURE) and leave an empty URL, so the caller's ASSERT stops the test.
// Not thread-safe: set up from the test's main thread.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

namespace clearway::testing {

// PgQuery() runs `sql` on `url` and returns the first column of the first row as text ("" when
// there is none). A failure is an ADD_FAILURE with the server's message, and returns "".
inline std::string PgQuery(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string value;
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect: " << PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
    } else if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      value = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return value;
}

class PgCluster {
 public:
  // Start() makes and starts a primary; null (with a test failure) when that fails.
  // `fsync` keeps PostgreSQL's durability on (benchmarks); tests run without it.
  static std::unique_ptr<PgCluster> Start(bool fsync = false) {
    auto cluster = std::unique_ptr<PgCluster>(new PgCluster());
    std::string args = "start " + cluster->dir_ + (fsync ? " --fsync" : "");
    if (!cluster->RunScript(args)) return nullptr;
    return cluster;
  }

  // StartReplica() clones `primary` with pg_basebackup into a streaming hot standby.
  static std::unique_ptr<PgCluster> StartReplica(const PgCluster& primary) {
    auto cluster = std::unique_ptr<PgCluster>(new PgCluster());
    if (!cluster->RunScript("start-replica " + cluster->dir_ + " '" + primary.admin_url() + "'")) {
      return nullptr;
    }
    return cluster;
  }

  ~PgCluster() {
    Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // Stop() stops the server (immediate shutdown, as a crash would); idempotent.
  void Stop() {
    if (admin_url_.empty()) return;
    std::system((Script() + " stop " + dir_ + " >/dev/null 2>&1").c_str());
    admin_url_.clear();
  }

  // Restart() restarts the server as after a crash (immediate shutdown, same port); false
  // (with a test failure) when it did not come back.
  bool Restart() {
    const int status = std::system((Script() + " restart " + dir_ + " >/dev/null 2>&1").c_str());
    if (status != 0) ADD_FAILURE() << "the cluster did not restart";
    return status == 0;
  }

  // admin_url() is postgres://clearway:PASSWORD@127.0.0.1:PORT/postgres.
  const std::string& admin_url() const { return admin_url_; }

  // UrlOf() is the URL of database `name` on this cluster.
  std::string UrlOf(const std::string& name) const {
    const size_t slash = admin_url_.rfind('/');
    return admin_url_.substr(0, slash + 1) + name;
  }

  // CreateDatabase() creates a fresh, empty database and returns its URL ("" on failure).
  std::string CreateDatabase() {
    static std::atomic<int> counter{0};
    std::random_device random;
    const std::string name = "t" + std::to_string(::getpid()) + "_" +
                             std::to_string(counter.fetch_add(1)) + "_" +
                             std::to_string(random() % 100000);
    PgQuery(admin_url_, "CREATE DATABASE " + name);
    return UrlOf(name);
  }

  const std::string& dir() const { return dir_; }

 private:
  PgCluster() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "clearway-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
  }

  static std::string Script() {
    const char* source = std::getenv("CLEARWAY_SOURCE_DIR");
    return std::string(source != nullptr ? source : ".") + "/scripts/pg-test-cluster.sh";
  }

  // RunScript() runs the cluster script and keeps the URL it prints.
  bool RunScript(const std::string& args) {
    if (dir_.empty()) {
      ADD_FAILURE() << "cannot make a temporary directory";
      return false;
    }
    const std::string command =
        Script() + " " + args + " --watch " + std::to_string(::getpid()) + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "cannot run " << command;
      return false;
    }
    std::string output;
    std::array<char, 512> buffer;
    size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
    const std::string last = output.substr(output.rfind('\n') == std::string::npos
                                               ? 0
                                               : output.rfind('\n') + 1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || last.rfind("postgres://", 0) != 0) {
      ADD_FAILURE() << "pg-test-cluster.sh " << args << " failed: " << output;
      return false;
    }
    admin_url_ = last;
    return true;
  }

  std::string dir_;
  std::string admin_url_;
};

// SharedPgCluster() is one cluster for the whole test process, started on first use and
// stopped when the process exits; null (after a test failure) when it could not start.
inline PgCluster* SharedPgCluster() {
  static const std::unique_ptr<PgCluster> cluster = PgCluster::Start();
  return cluster.get();
}

}  // namespace clearway::testing
