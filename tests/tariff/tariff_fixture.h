// File: tariff/tariff_fixture.h
//
// Test helpers for the tariff: the TariffStore under test — a SqliteTariffStore in a fresh
// temporary directory, the CachingTariffStore decorator over it (so the cache answers exactly
// as the backend does), or a PostgresTariffStore on a fresh database of the test process's
// throwaway PostgreSQL cluster (testing/pg_cluster.h), chosen by the test's parameter — update
// files written as JSON, and declarations built in code. CTest runs the SQLite and cached
// instantiations as `tariff` and the PostgreSQL ones as `tariff_postgres` (label postgres).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "common/money.h"
#include "declaration/declaration.h"
#include "tariff/caching_tariff_store.h"
#include "tariff/postgres/postgres_tariff_store.h"
#include "tariff/sqlite/sqlite_tariff_store.h"
#include "tariff/tariff.h"
#include "testing/matchers.h"
#include "testing/pg_cluster.h"

namespace clearway::tariff::testing {

inline Timestamp At(std::string_view text) { return ParseTimestamp(text).value(); }
inline Date Day(std::string_view text) { return ParseDate(text).value(); }

// A measure entry of an update file.
inline boost::json::object Upsert(std::string id, std::string type, std::string code,
                                  std::string geo, std::string duty,
                                  std::string valid_from = "2020-01-01") {
  boost::json::object m{{"op", "upsert"}, {"id", id},         {"type", type},
                        {"code", code},   {"geo", geo},       {"validFrom", valid_from},
                        {"legalBase", "test regulation " + id}};
  if (!duty.empty()) m["duty"] = duty;
  return m;
}

inline std::string UpdateText(std::string file_id, boost::json::array measures,
                              boost::json::object extra = {}) {
  boost::json::object file{{"fileId", file_id}, {"measures", std::move(measures)}};
  for (auto& field : extra) file[field.key()] = field.value();
  return boost::json::serialize(file);
}

inline std::string SourceData(const std::string& relative) {
  const char* root = std::getenv("CLEARWAY_SOURCE_DIR");
  return std::string(root != nullptr ? root : ".") + "/../shared/data/" + relative;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The store under test: the SQLite store, the cache over it, or the PostgreSQL store.
enum class Backend { kSqlite, kCached, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::kSqlite:
      return "Sqlite";
    case Backend::kCached:
      return "Cached";
    case Backend::kPostgres:
      break;
  }
  return "Postgres";
}

// Instantiates the TEST_Ps of `suite` on every backend: "Sqlite/suite.Test/Sqlite",
// "Sqlite/suite.Test/Cached" (the cache over SQLite) and "Postgres/suite.Test/Postgres".
#define CLEARWAY_TARIFF_BACKENDS(suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Sqlite, suite,                                                 \
                           ::testing::Values(::clearway::tariff::testing::Backend::kSqlite, \
                                             ::clearway::tariff::testing::Backend::kCached), \
                           ::clearway::tariff::testing::BackendName);                     \
  INSTANTIATE_TEST_SUITE_P(Postgres, suite,                                               \
                           ::testing::Values(::clearway::tariff::testing::Backend::kPostgres), \
                           ::clearway::tariff::testing::BackendName)

class TariffStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("clearway-tariff-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    if (GetParam() != Backend::kPostgres) {
      auto store = sqlite::SqliteTariffStore::Open(path());
      ASSERT_THAT(store, ::clearway::testing::IsOk());
      sqlite_ = store->get();
      if (GetParam() == Backend::kCached) {
        auto cached = std::make_unique<CachingTariffStore>(std::move(*store));
        cached_ = cached.get();
        store_ = std::move(cached);
      } else {
        store_ = std::move(*store);
      }
      return;
    }
    ::clearway::testing::PgCluster* cluster = ::clearway::testing::SharedPgCluster();
    ASSERT_NE(cluster, nullptr);
    pg_options_.url = cluster->CreateDatabase();
    ASSERT_FALSE(pg_options_.url.empty());
    store_ = OpenAnotherNode();
    ASSERT_NE(store_, nullptr);
  }

  std::string path() const { return (dir_ / "tariff.db").string(); }

  // Another handle on the same tariff.db, as `clearway tariff import` in another process has
  // (SQLite and cached tests only).
  std::unique_ptr<sqlite::SqliteTariffStore> OtherHandle() {
    auto other = sqlite::SqliteTariffStore::Open(path());
    EXPECT_THAT(other, ::clearway::testing::IsOk());
    return other.ok() ? std::move(*other) : nullptr;
  }

  // AnotherHandle() opens a second handle on the same tariff: another process's on tariff.db,
  // or another node's on the PostgreSQL database.
  std::unique_ptr<TariffStore> AnotherHandle() {
    if (GetParam() == Backend::kPostgres) return OpenAnotherNode();
    return OtherHandle();
  }

  // OpenAnotherNode() opens one more PostgresTariffStore on the test's database, as another
  // node would (PostgreSQL tests only).
  std::unique_ptr<postgres::PostgresTariffStore> OpenAnotherNode() {
    auto store = postgres::PostgresTariffStore::Open(pg_options_);
    EXPECT_THAT(store, ::clearway::testing::IsOk());
    return store.ok() ? std::move(store).value() : nullptr;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Apply() parses and applies an update file recorded at `at`.
  Result<ImportReport> Apply(const std::string& text, Timestamp at) {
    CW_ASSIGN_OR_RETURN(TariffUpdate update, ParseTariffUpdate(text));
    return store_->Apply(update, at);
  }

  std::filesystem::path dir_;
  postgres::PostgresTariffOptions pg_options_;  // PostgreSQL: the test's database
  std::unique_ptr<TariffStore> store_;           // what the test calls
  sqlite::SqliteTariffStore* sqlite_ = nullptr;  // the SQLite backend (SQLite and cached tests)
  CachingTariffStore* cached_ = nullptr;         // the cache, when it is the one under test
};

// A one-item import declaration: `grams` net, `price` in `currency` minor units.
inline declaration::Declaration OneItem(std::string code, std::string origin, int64_t grams,
                                        int64_t price, std::string currency = "EUR",
                                        std::string incoterm = "CIF") {
  declaration::Declaration d;
  d.type = declaration::DeclarationType::kImport;
  d.invoice.currency = currency;
  d.invoice.total = Money(price, currency);
  d.invoice.incoterm = incoterm;
  declaration::GoodsItem item;
  item.sequence = 1;
  item.commodity_code = std::move(code);
  item.origin = std::move(origin);
  item.net_mass_grams = grams;
  item.gross_mass_grams = grams;
  item.quantity = {grams, "KGM"};
  item.price = Money(price, currency);
  d.goods_items.push_back(item);
  return d;
}

}  // namespace clearway::tariff::testing
