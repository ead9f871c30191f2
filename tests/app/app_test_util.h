// Shared fixture pieces for app tests: a fresh SQLite store in a temp directory, a fake
// clock, demo principals and sample bodies.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <random>

#include "app/runtime.h"
#include "app/samples.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/matchers.h"

namespace clearway::app::testing {

inline std::string MakeTempDir(const std::string& prefix) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline identity::Principal Clerk() {
  return {"nordfleisch.clerk", Nordfleisch().id, identity::Role::kDeclarant, {}, {}};
}
inline identity::Principal LyonClerk() {
  return {"lyon.clerk", SoieriesDeLyon().id, identity::Role::kDeclarant, {}, {}};
}
inline identity::Principal Broker() {
  return {"hanse.broker", HanseBrokers().id, identity::Role::kBroker, {}, {Nordfleisch().id}};
}
inline identity::Principal HamburgOfficer() {
  return {"officer.hamburg", "DE-CUSTOMS", identity::Role::kOfficer, {"DE004700"}, {}};
}
inline identity::Principal LyonOfficer() {
  return {"officer.lyon", "FR-CUSTOMS", identity::Role::kOfficer, {"FR693000"}, {}};
}
inline identity::Principal Auditor() {
  return {"auditor", "DE-CUSTOMS", identity::Role::kAuditor, {}, {}};
}

inline boost::json::value NordfleischBody(uint64_t seed = 1, int items = 2) {
  SampleSpec spec;
  spec.declarant = Nordfleisch();
  spec.importer = Nordfleisch();
  spec.seed = seed;
  spec.items = items;
  return MakeSampleDeclaration(spec);
}

inline boost::json::value LyonBody(uint64_t seed = 1) {
  SampleSpec spec;
  spec.declarant = SoieriesDeLyon();
  spec.importer = SoieriesDeLyon();
  spec.office = "FR693000";
  spec.seed = seed;
  return MakeSampleDeclaration(spec);
}

// TestLedgerKey() is a ledger key for the origin "clearway.example/test", not on disk, derived
// from `seed` (all 7s by default, so a test can make the same key again to forge with it).
inline LedgerKey TestLedgerKey(uint8_t seed = 7) {
  std::array<uint8_t, 32> bytes;
  bytes.fill(seed);
  LedgerKey key;
  key.origin = "clearway.example/test";
  key.signer = crypto::Ed25519Signer::FromSeed(crypto::Ed25519Seed::FromBytes(bytes).value());
  key.verifier_key = ledger::MakeVerifierKey(key.origin, ledger::NoteKeyType::kEd25519,
                                             key.signer->public_key())
                         .value();
  return key;
}

// A Runtime on a fresh store under a temp dir, with a fake clock at 2026-11-24T10:00:00Z and
// no background checkpointer (tests call runtime_->ledger().IssueCheckpoint()).
class RuntimeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("clearway-app");
    store::sqlite::SqliteOptions options;
    options.path = dir_ + "/clearway.db";
    auto store = store::sqlite::SqliteStore::Open(options);
    ASSERT_THAT(store, clearway::testing::IsOk());
    auto clock = std::make_unique<FakeClock>(*ParseTimestamp("2026-11-24T10:00:00Z"));
    clock_ = clock.get();
    Config config;
    config.demo = true;
    auto runtime = Runtime::OpenWith(config, std::move(store).value(), std::move(clock),
                                     TestLedgerKey(), LedgerOptions());
    ASSERT_THAT(runtime, clearway::testing::IsOk());
    runtime_ = std::move(runtime).value();
  }
  // LedgerOptions() are the ledger's options: no background checkpointer, no witnesses.
  virtual LedgerServiceOptions LedgerOptions() {
    LedgerServiceOptions options;
    options.checkpoint_interval = std::chrono::milliseconds(0);
    return options;
  }

  void TearDown() override {
    runtime_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  FakeClock* clock_ = nullptr;
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace clearway::app::testing
