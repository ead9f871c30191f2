// store_bench: submissions per second through the Store, PostgreSQL next to SQLite in the same
// run (issue 8). A submission is what filing a declaration commits: version 1, two transitions
// (none -> submitted -> accepted), an idempotency record and their three ledger leaves, sealed
// on the caller's thread. W writer threads commit concurrently, so both backends group-commit.
//
//   SQLite     a fresh file, WAL, synchronous=FULL (every commit fsync'd)
//   PostgreSQL a throwaway local cluster (scripts/pg-test-cluster.sh --fsync: fsync on,
//              synchronous_commit on), one store, then two stores on the same database (two
//              nodes sharing it, serialised by the append lock)
//
// Figures are reported as submissions/s and as the ratio to SQLite measured in the same run.
//
//   build/release/bench/store_bench [--writers 16] [--submissions 4000]
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/ledger_records.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace clearway::store {
namespace {

Timestamp At(int64_t seconds) {
  return Timestamp(std::chrono::microseconds((int64_t{1767225600} + seconds) * 1000000));
}

UnitOfWork Submission(const std::string& id, int64_t n) {
  DeclarationRow row;
  row.id = id;
  row.version = 1;
  row.organisation_id = "org-1";
  row.declarant_id = "user-1";
  row.office = "DE004700";
  row.type = "import";
  row.status = "accepted";
  row.hs_chapters = "02";
  row.created_at = At(n);
  row.updated_at = At(n);
  // About the size of a real declaration's canonical JSON.
  row.payload = std::string(1800, 'x');
  UnitOfWork work;
  work.expected_current_versions.emplace_back(id, 0);
  work.declarations.push_back(row);
  work.transitions.push_back({id, 1, 1, "", "submitted", "", "user-1", "", At(n)});
  work.transitions.push_back({id, 2, 1, "submitted", "accepted", "", "system", "", At(n)});
  work.idempotency = IdempotencyRow{"user-1", id, "hash", 201, std::string(600, 'r'), id, At(n)};
  SealUnit(work);
  return work;
}

struct Figure {
  double per_second = 0;
  int failures = 0;
};

// Run() commits `total` submissions from `writers` threads, spread over `stores`.
Figure Run(const std::vector<Store*>& stores, int writers, int total, const std::string& prefix) {
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int writer = 0; writer < writers; ++writer) {
    Store* store = stores[static_cast<size_t>(writer) % stores.size()];
    threads.emplace_back([&, store] {
      for (int n = next++; n < total; n = next++) {
        if (!store->Commit(Submission(prefix + std::to_string(n), n)).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return Figure{total / elapsed.count(), failures.load()};
}

// Cluster is a throwaway PostgreSQL cluster made by scripts/pg-test-cluster.sh.
class Cluster {
 public:
  ~Cluster() {
    if (!dir_.empty()) {
      std::system((Script() + " stop " + dir_ + " >/dev/null 2>&1").c_str());
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }
  bool Start() {
    std::string pattern = (std::filesystem::temp_directory_path() / "clearway-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return false;
    dir_ = pattern;
    const std::string command = Script() + " start " + dir_ + " --fsync --watch " +
                                std::to_string(::getpid());
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return false;
    std::array<char, 512> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) url_ = buffer.data();
    if (::pclose(pipe) != 0) return false;
    while (!url_.empty() && url_.back() == '\n') url_.pop_back();
    return url_.rfind("postgres://", 0) == 0;
  }
  // Database() creates a database and returns its URL.
  std::string Database(const std::string& name) {
    const std::string psql = "psql -q '" + url_ + "' -c 'CREATE DATABASE " + name + "'";
    if (std::system(psql.c_str()) != 0) return "";
    return url_.substr(0, url_.rfind('/') + 1) + name;
  }

 private:
  static std::string Script() { return std::string(CLEARWAY_SOURCE_DIR) + "/scripts/pg-test-cluster.sh"; }
  std::string dir_;
  std::string url_;
};

int Main(int argc, char** argv) {
  int writers = 16;
  int total = 4000;
  for (int idx = 1; idx + 1 < argc; idx += 2) {
    const std::string flag = argv[idx];
    if (flag == "--writers") writers = std::atoi(argv[idx + 1]);
    if (flag == "--submissions") total = std::atoi(argv[idx + 1]);
  }
  if (writers < 1 || total < 1) {
    std::cerr << "usage: store_bench [--writers N] [--submissions N]\n";
    return 2;
  }
  std::cout << "store_bench: " << total << " submissions (1 version, 2 transitions, idempotency, "
            << "3 leaves) from " << writers << " writers; " << std::thread::hardware_concurrency()
            << " cores\n";

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("clearway-store-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  sqlite::SqliteOptions sqlite_options;
  sqlite_options.path = (dir / "clearway.db").string();
  auto sqlite = sqlite::SqliteStore::Open(sqlite_options);
  if (!sqlite.ok()) {
    std::cerr << "sqlite: " << sqlite.error() << "\n";
    return 1;
  }
  const Figure baseline = Run({sqlite->get()}, writers, total, "S");
  const auto sqlite_stats = (*sqlite)->stats();
  sqlite.value().reset();
  std::filesystem::remove_all(dir);
  std::cout << "  sqlite            " << static_cast<int64_t>(baseline.per_second)
            << " submissions/s (batches " << sqlite_stats.batches_committed << ", largest "
            << sqlite_stats.largest_batch << ", failures " << baseline.failures << ")  = 1.00\n";

  Cluster cluster;
  if (!cluster.Start()) {
    std::cerr << "cannot start a PostgreSQL cluster (scripts/pg-test-cluster.sh)\n";
    return 1;
  }
  for (int nodes : {1, 2}) {
    const std::string url = cluster.Database("bench" + std::to_string(nodes));
    std::vector<std::unique_ptr<postgres::PostgresStore>> stores;
    std::vector<Store*> raw;
    for (int node = 0; node < nodes; ++node) {
      postgres::PostgresOptions options;
      options.url = url;
      auto opened = postgres::PostgresStore::Open(options);
      if (!opened.ok()) {
        std::cerr << "postgres: " << opened.error() << "\n";
        return 1;
      }
      raw.push_back(opened->get());
      stores.push_back(std::move(opened).value());
    }
    const Figure figure = Run(raw, writers, total, "P");
    int64_t batches = 0;
    int64_t largest = 0;
    for (const auto& store : stores) {
      batches += store->stats().batches_committed;
      largest = std::max(largest, store->stats().largest_batch);
    }
    std::printf("  postgres, %d node%s %ld submissions/s (batches %ld, largest %ld, failures %d)  = %.2f\n",
                nodes, nodes == 1 ? " " : "s", static_cast<long>(figure.per_second),
                static_cast<long>(batches), static_cast<long>(largest), figure.failures,
                figure.per_second / baseline.per_second);
  }
  return 0;
}

}  // namespace
}  // namespace clearway::store

int main(int argc, char** argv) { return clearway::store::Main(argc, argv); }
