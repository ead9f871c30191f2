// File: identity_sqlite/identity_store_fixture.h
//
// Backends and sample data for the IdentityStore contract tests: each backend type makes a
// fresh store — in memory, an SQLite file in a temporary directory that the fixture removes
// afterwards, or a fresh database of the test process's throwaway PostgreSQL cluster
// (testing/pg_cluster.h). CTest runs the PostgreSQL half as `identity_postgres` (label
// postgres) and the others as `identity_sqlite`.
//
//   TypeParam backend;
//   std::unique_ptr<IdentityStore> store = backend.Make(dir);
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "identity/directory.h"
#include "identity/in_memory_directory.h"
#include "identity/postgres/postgres_identity_store.h"
#include "identity/sqlite/sqlite_identity_store.h"
#include "testing/pg_cluster.h"

namespace clearway::identity::testing {

inline const Timestamp kT0 = Timestamp(std::chrono::seconds(1'800'000'000));

struct InMemoryBackend {
  static constexpr const char* kName = "InMemory";
  std::unique_ptr<IdentityStore> Make(const std::filesystem::path&) const {
    return std::make_unique<InMemoryIdentityStore>();
  }
};

struct SqliteBackend {
  static constexpr const char* kName = "Sqlite";
  std::unique_ptr<IdentityStore> Make(const std::filesystem::path& dir) const {
    auto store = sqlite::SqliteIdentityStore::Open((dir / "identity.db").string());
    if (!store.ok()) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
};

struct PostgresBackend {
  static constexpr const char* kName = "Postgres";
  // A fresh database per store (the directory is not used).
  std::unique_ptr<IdentityStore> Make(const std::filesystem::path&) const {
    clearway::testing::PgCluster* cluster = clearway::testing::SharedPgCluster();
    if (cluster == nullptr) {
      ADD_FAILURE() << "no PostgreSQL cluster";
      return nullptr;
    }
    postgres::PostgresIdentityOptions options;
    options.url = cluster->CreateDatabase();
    auto store = postgres::PostgresIdentityStore::Open(options);
    if (!store.ok()) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
};

// TempDir is a fresh directory under the system temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "clearway-identity-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    const char* made = ::mkdtemp(buffer.data());
    if (made == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline Organisation MakeOrganisation(std::string id, std::string name, OrganisationKind kind,
                                     bool require_mfa = false) {
  Organisation organisation;
  organisation.id = std::move(id);
  organisation.name = std::move(name);
  organisation.kind = kind;
  organisation.require_mfa = require_mfa;
  organisation.created_at = kT0;
  return organisation;
}

inline StoredUser MakeUser(std::string username, std::string organisation_id, Role role) {
  StoredUser user;
  user.username = std::move(username);
  user.organisation_id = std::move(organisation_id);
  user.role = role;
  user.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA";
  user.created_at = kT0;
  return user;
}

inline Delegation MakeDelegation(std::string trader, std::string broker, Timestamp from,
                                 std::optional<Timestamp> to) {
  Delegation delegation;
  delegation.trader_id = std::move(trader);
  delegation.broker_id = std::move(broker);
  delegation.valid_from = from;
  delegation.valid_to = to;
  return delegation;
}

inline TotpFactor MakeFactor(int64_t last_used_step) {
  TotpFactor factor;
  factor.secret = std::vector<uint8_t>(20, 0x5a);
  factor.algorithm = TotpAlgorithm::kSha1;
  factor.last_used_step = last_used_step;
  return factor;
}

inline std::vector<StoredRecoveryCode> MakeCodes(size_t count) {
  std::vector<StoredRecoveryCode> codes(count);
  for (size_t idx = 0; idx < count; ++idx) {
    codes[idx].hash.fill(static_cast<uint8_t>(idx + 1));
  }
  return codes;
}

}  // namespace clearway::identity::testing
