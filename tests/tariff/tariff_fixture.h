// File: tariff/tariff_fixture.h
//
// Test helpers for the tariff: a SqliteTariffStore in a fresh temporary directory, update
// files written as JSON, and declarations built in code. The store tests run twice: on the
// SQLite store itself and through the CachingTariffStore decorator over it
// (INSTANTIATE_BACKENDS), so the cache answers exactly as the backend does.
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
#include "tariff/sqlite/sqlite_tariff_store.h"
#include "tariff/tariff.h"
#include "testing/matchers.h"

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

// The store under test: the SQLite store, or the cache over it.
enum class Backend { kSqlite, kCached };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Cached";
}

#define INSTANTIATE_BACKENDS(Suite)                                                           \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                   \
                           ::testing::Values(::clearway::tariff::testing::Backend::kSqlite,   \
                                             ::clearway::tariff::testing::Backend::kCached),  \
                           ::clearway::tariff::testing::BackendName)

class TariffStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("clearway-tariff-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    auto store = sqlite::SqliteTariffStore::Open(path());
    ASSERT_THAT(store, ::clearway::testing::IsOk());
    sqlite_ = store->get();
    if (GetParam() == Backend::kCached) {
      auto cached = std::make_unique<CachingTariffStore>(std::move(*store));
      cached_ = cached.get();
      owner_ = std::move(cached);
    } else {
      owner_ = std::move(*store);
    }
    store_ = owner_.get();
  }
  void TearDown() override {
    owner_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string path() const { return (dir_ / "tariff.db").string(); }

  // Another handle on the same tariff.db, as `clearway tariff import` in another process has.
  std::unique_ptr<sqlite::SqliteTariffStore> OtherHandle() {
    auto other = sqlite::SqliteTariffStore::Open(path());
    EXPECT_THAT(other, ::clearway::testing::IsOk());
    return other.ok() ? std::move(*other) : nullptr;
  }

  // Apply() parses and applies an update file recorded at `at`.
  Result<ImportReport> Apply(const std::string& text, Timestamp at) {
    CW_ASSIGN_OR_RETURN(TariffUpdate update, ParseTariffUpdate(text));
    return store_->Apply(update, at);
  }

  std::filesystem::path dir_;
  std::unique_ptr<TariffStore> owner_;
  TariffStore* store_ = nullptr;                 // what the test calls
  sqlite::SqliteTariffStore* sqlite_ = nullptr;  // the backend
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
