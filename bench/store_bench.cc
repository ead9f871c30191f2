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
//
// --filing N (perf3) makes each submission the size of what a real filing writes (measured
// on `clearway demo` under clearway-load): a 3.4 KB payload, a 4.7 KB idempotent response, an
// assessment (13.1 KB quote, 0.8 KB risk) and its leaf, a data key row and two blind indexes
// with random keys; and runs SQLite only, N rounds, each round once with the checkpoint on the
// writer thread (checkpoint_pages 0, SQLite's automatic checkpoint: the old path) and once on
// the checkpointer thread, printing per submission: the process's CPU, the writer thread's
// CPU, and the bytes handed to write()/pwrite() (WAL, database, temporary files).
//
//   build/release/bench/store_bench --filing 3 --writers 16 --submissions 4000
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
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

// Unsealed() is a submission before its salts and leaves: version 1, two transitions and an
// idempotency record with a stored response of `response_bytes`.
UnitOfWork Unsealed(const std::string& id, int64_t n, size_t payload_bytes,
                    std::string idempotency_key, size_t response_bytes) {
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
  row.payload = std::string(payload_bytes, 'x');
  UnitOfWork work;
  work.expected_current_versions.emplace_back(id, 0);
  work.declarations.push_back(row);
  work.transitions.push_back({id, 1, 1, "", "submitted", "", "user-1", "", At(n)});
  work.transitions.push_back({id, 2, 1, "submitted", "accepted", "", "system", "", At(n)});
  work.idempotency = IdempotencyRow{"user-1", std::move(idempotency_key), "hash", 201,
                                    std::string(response_bytes, 'r'), id, At(n)};
  return work;
}

UnitOfWork Submission(const std::string& id, int64_t n) {
  // About the size of a real declaration's canonical JSON.
  UnitOfWork work = Unsealed(id, n, 1800, id, 600);
  SealUnit(work);
  return work;
}

// RandomHex() is a 32-character key spread like a blind index or an Idempotency-Key.
std::string RandomHex() {
  thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (char& c : out) c = kDigits[random() % 16];
  return out;
}

// Filing() is a submission the size of a real filing (see the header comment).
UnitOfWork Filing(const std::string& id, int64_t n) {
  UnitOfWork work = Unsealed(id, n, 3450, RandomHex(), 4660);
  work.assessments.push_back({id, 1, At(n), std::string(13100, 'q'), std::string(820, 'r')});
  SealUnit(work);
  work.data_keys.push_back({id, "clearway", 1, std::string(72, 'k'), At(n)});
  work.blind_indexes.push_back({id, 1, "invoice-number", RandomHex()});
  work.blind_indexes.push_back({id, 1, "container-id", RandomHex()});
  return work;
}

struct Figure {
  double per_second = 0;
  int failures = 0;
};

// Run() commits `total` submissions from `writers` threads, spread over `stores`.
Figure Run(const std::vector<Store*>& stores, int writers, int total, const std::string& prefix,
           bool filing = false) {
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int writer = 0; writer < writers; ++writer) {
    Store* store = stores[static_cast<size_t>(writer) % stores.size()];
    threads.emplace_back([&, store] {
      for (int n = next++; n < total; n = next++) {
        const std::string id = prefix + std::to_string(n);
        if (!store->Commit(filing ? Filing(id, n) : Submission(id, n)).ok()) ++failures;
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

// ProcessCpuSeconds() is the CPU (user and system) this process has used.
double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// ThreadCpuSeconds() is the CPU of this process's threads named `name` (/proc, in ticks).
double ThreadCpuSeconds(const std::string& name) {
  double total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string thread_name;
    std::getline(comm, thread_name);
    if (thread_name != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int idx = 3; idx <= 15 && fields >> field; ++idx) {
      if (idx == 14 || idx == 15) ticks += std::stod(field);  // utime, stime
    }
    total += ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return total;
}

// WrittenBytes() is what this process has handed to write() and pwrite() (/proc/self/io).
int64_t WrittenBytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

// FilingRound() commits `total` filings to a fresh SQLite store and prints what one cost.
int FilingRound(int writers, int total, int checkpoint_pages) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("clearway-store-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  sqlite::SqliteOptions options;
  options.path = (dir / "clearway.db").string();
  options.checkpoint_pages = checkpoint_pages;
  auto store = sqlite::SqliteStore::Open(options);
  if (!store.ok()) {
    std::cerr << "sqlite: " << store.error() << "\n";
    return 1;
  }
  const double cpu_before = ProcessCpuSeconds();
  const int64_t written_before = WrittenBytes();
  const Figure figure = Run({store->get()}, writers, total, "F", /*filing=*/true);
  const double cpu = ProcessCpuSeconds() - cpu_before;
  const double writer_cpu = ThreadCpuSeconds("cw-sql-writer");
  const double checkpointer_cpu = ThreadCpuSeconds("cw-sql-ckpt");
  const int64_t written = WrittenBytes() - written_before;
  const auto stats = (*store)->stats();
  const auto wal_bytes = std::filesystem::file_size(options.path + "-wal");
  store.value().reset();
  std::filesystem::remove_all(dir);
  std::printf(
      "  checkpoint on %-12s %6.0f filings/s  cpu %5.0f us  writer thread %5.0f us  "
      "checkpointer %4.0f us  written %5.1f KB  per filing (batches %ld, WAL %.1f MB, failures %d)\n",
      checkpoint_pages == 0 ? "writer" : "checkpointer", figure.per_second, cpu * 1e6 / total,
      writer_cpu * 1e6 / total, checkpointer_cpu * 1e6 / total,
      static_cast<double>(written) / 1024.0 / total, static_cast<long>(stats.batches_committed),
      static_cast<double>(wal_bytes) / 1048576.0, figure.failures);
  return figure.failures == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  int writers = 16;
  int total = 4000;
  int filing_rounds = 0;
  for (int idx = 1; idx + 1 < argc; idx += 2) {
    const std::string flag = argv[idx];
    if (flag == "--writers") writers = std::atoi(argv[idx + 1]);
    if (flag == "--submissions") total = std::atoi(argv[idx + 1]);
    if (flag == "--filing") filing_rounds = std::atoi(argv[idx + 1]);
  }
  if (writers < 1 || total < 1 || filing_rounds < 0) {
    std::cerr << "usage: store_bench [--writers N] [--submissions N] [--filing ROUNDS]\n";
    return 2;
  }
  if (filing_rounds > 0) {
    std::cout << "store_bench: " << total << " filings from " << writers << " writers, SQLite, "
              << filing_rounds << " rounds; " << std::thread::hardware_concurrency() << " cores\n";
    int failed = 0;
    for (int round = 0; round < filing_rounds; ++round) {
      failed += FilingRound(writers, total, 0);
      failed += FilingRound(writers, total, 1000);
    }
    return failed == 0 ? 0 : 1;
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
