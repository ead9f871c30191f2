// LedgerService under a sequencer lease (issue 8): nodes sharing a PostgreSQL store sign
// checkpoints only while options.may_sign says so. Here the lease is a flag; the real one is
// store/postgres/sequencer_lease.h (tested in tests/store/postgres_store_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>

#include "app/ledger_key.h"
#include "app/ledger_service.h"
#include "store/ledger_records.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/matchers.h"

namespace clearway::app {
namespace {

using clearway::testing::HasReason;
using clearway::testing::IsOk;

store::UnitOfWork Filing(const std::string& id) {
  store::DeclarationRow row;
  row.id = id;
  row.organisation_id = "org-1";
  row.declarant_id = "user-1";
  row.office = "DE004700";
  row.type = "import";
  row.status = "submitted";
  row.payload = "{}";
  store::UnitOfWork work;
  work.expected_current_versions.emplace_back(id, 0);
  work.declarations.push_back(row);
  store::SealUnit(work);
  return work;
}

class LedgerLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = (std::filesystem::temp_directory_path() /
            ("clearway-lease-" + std::to_string(random()) + std::to_string(random())))
               .string();
    std::filesystem::create_directories(dir_);
    store::sqlite::SqliteOptions options;
    options.path = dir_ + "/clearway.db";
    auto opened = store::sqlite::SqliteStore::Open(options);
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  FakeClock clock_{Timestamp(std::chrono::seconds(1767225600))};
};

TEST_F(LedgerLeaseTest, OnlyTheLeaseHolderSignsCheckpoints) {
  auto key = LoadOrCreateLedgerKey(dir_, "clearway.example/test");
  ASSERT_THAT(key, IsOk());
  std::atomic<bool> holds_lease{false};
  LedgerServiceOptions options{std::chrono::milliseconds(0)};
  options.may_sign = [&holds_lease] { return holds_lease.load(); };
  // A node without the lease starts even though no checkpoint exists yet.
  auto service = LedgerService::Open(*store_, clock_, std::move(key).value(), options);
  ASSERT_THAT(service, IsOk());
  EXPECT_THAT((*service)->LatestCheckpoint(), HasReason("no-checkpoint"));

  ASSERT_THAT(store_->Commit(Filing("A")), IsOk());
  EXPECT_THAT((*service)->IssueCheckpoint(), HasReason("no-checkpoint"));
  EXPECT_FALSE(store_->LatestCheckpoint().value().has_value());  // nothing was signed

  holds_lease = true;
  auto issued = (*service)->IssueCheckpoint();
  ASSERT_THAT(issued, IsOk());
  EXPECT_EQ(issued->size, 1u);

  // Lease lost: the latest checkpoint is served, the grown log is not signed.
  ASSERT_THAT(store_->Commit(Filing("B")), IsOk());
  holds_lease = false;
  auto latest = (*service)->IssueCheckpoint();
  ASSERT_THAT(latest, IsOk());
  EXPECT_EQ(latest->size, 1u);
  EXPECT_EQ(store_->LatestCheckpoint().value()->size, 1u);
  holds_lease = true;
  EXPECT_EQ((*service)->IssueCheckpoint().value().size, 2u);
}

}  // namespace
}  // namespace clearway::app
