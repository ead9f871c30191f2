// Retention with crypto-shredding (issue 5): a fake clock across years, legal holds that keep
// and releases that let go, the purge's effect on the raw database file, the ledger audit
// after a purge, the policy's refusals, the [retention] configuration, and backups.
#include "app/retention.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/backup.h"
#include "app/files.h"
#include "app/ledger_audit.h"
#include "identity/sqlite/sqlite_identity_store.h"
#include "identity/tokens.h"
#include "keys/file_key_provider.h"
#include "ledger_test_util.h"
#include "store/encrypting_store.h"
#include "store/ledger_records.h"

namespace clearway::app {
namespace {

using namespace clearway::app::testing;
using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
namespace decl = clearway::declaration;

constexpr auto kYear = std::chrono::days(365);

identity::Principal Admin() {
  identity::Principal p;
  p.user_id = "admin.root";
  p.role = identity::Role::kAdministrator;
  return p;
}

// FileBytes() is the database file and its WAL, as an attacker who copies them would see.
std::string FileBytes(const std::string& dir) {
  std::string bytes;
  for (const char* name : {"/clearway.db", "/clearway.db-wal"}) {
    std::ifstream in(dir + name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    bytes += text.str();
  }
  return bytes;
}

// RawExec() runs SQL by hand on the file and returns SQLite's result code.
int RawExec(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close_v2(raw);
  return rc;
}

class RetentionTest : public LedgerFixture {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("clearway-retention");
    std::filesystem::create_directories(dir_ + "/keys");
    ::chmod((dir_ + "/keys").c_str(), 0700);
    auto provider = keys::FileKeyProvider::Create(dir_ + "/keys/kek", "clearway", key_clock_);
    ASSERT_THAT(provider, IsOk());
    provider_ = std::move(provider).value();
    store::sqlite::SqliteOptions options;
    options.path = dir_ + "/clearway.db";
    auto backend = store::sqlite::SqliteStore::Open(options);
    ASSERT_THAT(backend, IsOk());
    auto encrypting = std::make_unique<store::EncryptingStore>(std::move(backend).value(),
                                                               *provider_,
                                                               store::EncryptingStoreOptions{});
    encrypting_ = encrypting.get();
    auto clock = std::make_unique<FakeClock>(*ParseTimestamp("2026-11-24T10:00:00Z"));
    clock_ = clock.get();
    Config config;
    config.demo = true;
    config.retention.interval = std::chrono::seconds(0);
    config.retention.register_path = dir_ + "/keys/purge-register";
    auto runtime = Runtime::OpenWith(config, std::move(encrypting), std::move(clock),
                                     TestLedgerKey(), LedgerOptions());
    ASSERT_THAT(runtime, IsOk());
    runtime_ = std::move(runtime).value();
  }

  RetentionService& retention() { return runtime_->retention(); }

  // Released() files a declaration and releases it (green): it closes now.
  std::string Released(uint64_t seed) {
    std::string id = File(seed);
    Decide(id, decl::Action::kRouteGreen);
    return id;
  }

  store::LegalHold Hold(const std::string& scope, const std::string& target) {
    auto hold = retention().PlaceHold(Admin(), HoldRequest{scope, target, "LG-2031-0042",
                                                           "court order 12 O 345/31"});
    EXPECT_THAT(hold, IsOk());
    return hold.ok() ? std::move(hold).value() : store::LegalHold{};
  }

  std::set<std::string> DueDeclarations(const RetentionPlan& plan, bool held) {
    std::set<std::string> ids;
    for (const PlanItem& item : plan.items) {
      if (item.record_class == RecordClass::kDeclaration && item.held_by.empty() != held) {
        ids.insert(item.id);
      }
    }
    return ids;
  }

  SystemClock key_clock_;
  std::unique_ptr<keys::FileKeyProvider> provider_;  // outlives runtime_ (TearDown resets it)
  store::EncryptingStore* encrypting_ = nullptr;
};

TEST_F(RetentionTest, HoldKeepsAndReleaseLetsGoAcrossYears) {
  const std::string a = Released(1);
  const std::string b = Released(2);
  const std::string open = File(3);  // never closes
  const store::LegalHold hold = Hold("declaration", b);

  clock_->Advance(5 * kYear);
  auto early = retention().Plan(Admin());
  ASSERT_THAT(early, IsOk());
  EXPECT_TRUE(DueDeclarations(*early, false).empty());
  EXPECT_TRUE(DueDeclarations(*early, true).empty());

  clock_->Advance(5 * kYear + std::chrono::days(4));  // ten years and a little
  auto plan = retention().Plan(Admin());
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(DueDeclarations(*plan, false), std::set<std::string>{a});
  EXPECT_EQ(DueDeclarations(*plan, true), std::set<std::string>{b});
  for (const PlanItem& item : plan->items) {
    if (item.id == b) {
      EXPECT_EQ(item.held_by, std::vector<std::string>{hold.hold.id});
    }
    if (item.id == a) {
      EXPECT_LE(item.due_at, plan->as_of);
    }
  }

  auto run = retention().Run(Admin());
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->declarations, 1);
  EXPECT_EQ(run->held, 1);
  ASSERT_EQ(run->purge_ids.size(), 1u);
  EXPECT_THAT(service().Get(Clerk(), a, std::nullopt), HasReason("declaration-purged"));
  EXPECT_THAT(service().Get(Clerk(), b, std::nullopt), IsOk());
  EXPECT_THAT(service().Get(Clerk(), open, std::nullopt), IsOk());

  // The hold is released: the next run lets b go, and only b.
  ASSERT_THAT(retention().ReleaseHold(Admin(), hold.hold.id, "case closed"), IsOk());
  clock_->Advance(std::chrono::days(1));
  auto after = retention().Plan(Admin());
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(DueDeclarations(*after, false), std::set<std::string>{b});
  auto second = retention().Run(Admin());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->declarations, 1);
  EXPECT_THAT(service().Get(Clerk(), b, std::nullopt), HasReason("declaration-purged"));

  // Both purges are in the register beside the key file, which only its owner may read.
  PurgeRegister known(dir_ + "/keys/purge-register");
  auto purges = known.Read();
  ASSERT_THAT(purges, IsOk());
  ASSERT_EQ(purges->size(), 2u);
  EXPECT_EQ((*purges)[0].declarations.at(0).declaration_id, a);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ + "/keys/purge-register").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

// Sessions on the SQLite directory (DATA_DIR/identity.db): a retention run purges those that
// ended more than `sessions` (90 days by default) before it, and keeps the live ones.
TEST_F(RetentionTest, RunPurgesEndedSessionsOfTheSqliteDirectory) {
  auto directory = identity::sqlite::SqliteIdentityStore::Open(dir_ + "/identity.db");
  ASSERT_THAT(directory, IsOk());
  const Timestamp start = clock_->Now();
  identity::IssuedToken ended = identity::IssueSessionToken("clerk", start);
  ASSERT_THAT((*directory)->Put(ended.record), IsOk());
  ASSERT_THAT((*directory)->Revoke(ended.record.hash), IsOk());
  clock_->Advance(std::chrono::days(100));
  identity::IssuedToken live = identity::IssueSessionToken("clerk", clock_->Now());
  ASSERT_THAT((*directory)->Put(live.record), IsOk());
  Config config;
  config.retention.interval = std::chrono::seconds(0);
  RetentionService service(*encrypting_, directory->get(), *clock_, config.retention, nullptr,
                           nullptr);
  auto plan = service.Plan(Admin());
  ASSERT_THAT(plan, IsOk());
  ASSERT_FALSE(plan->items.empty());
  EXPECT_EQ(plan->items.back().record_class, RecordClass::kSession);
  EXPECT_EQ(plan->items.back().count, 1);
  EXPECT_THAT((*directory)->FindByHash(ended.record.hash), IsOk());  // a plan deletes nothing
  auto run = service.Run(Admin());
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->sessions, 1);
  EXPECT_THAT((*directory)->FindByHash(ended.record.hash), HasReason("token-unknown"));
  EXPECT_THAT(identity::AuthenticateToken(**directory, live.token, clock_->Now()), IsOk());
  auto again = service.Run(Admin());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->sessions, 0);
}

TEST_F(RetentionTest, PurgeShredsKeySaltsAndCiphertextFromTheFile) {
  const std::string a = Released(1);
  auto key = encrypting_->GetDataKey(a);
  ASSERT_THAT(key, IsOk());
  auto stored = encrypting_->backend().GetDeclaration(a, std::nullopt);
  ASSERT_THAT(stored, IsOk());
  ASSERT_FALSE(stored->sealed_salt.empty());
  ASSERT_THAT(service().Get(Clerk(), a, std::nullopt), IsOk());  // the key is cached now
  ASSERT_TRUE(encrypting_->CachesKeyForTesting(a));
  const std::string before = FileBytes(dir_);
  ASSERT_NE(before.find(key->wrapped), std::string::npos);
  ASSERT_NE(before.find(stored->payload), std::string::npos);

  clock_->Advance(11 * kYear);
  ASSERT_THAT(retention().Run(Admin()), IsOk());

  EXPECT_THAT(encrypting_->GetDataKey(a), HasReason("data-key-not-found"));
  EXPECT_FALSE(encrypting_->CachesKeyForTesting(a));
  EXPECT_THAT(encrypting_->GetAssessment(a, 1), HasCode(ErrorCode::kNotFound));
  auto tombstone = encrypting_->GetPurgedDeclaration(a);
  ASSERT_THAT(tombstone, IsOk());
  const std::string after = FileBytes(dir_);
  EXPECT_EQ(after.find(key->wrapped), std::string::npos) << "the wrapped data key is still on disk";
  EXPECT_EQ(after.find(stored->payload), std::string::npos) << "the ciphertext is still on disk";
  EXPECT_EQ(after.find(stored->sealed_salt), std::string::npos) << "the salt is still on disk";
}

TEST_F(RetentionTest, LedgerVerifiesAfterPurgeAndStillCatchesUnpurgedDeletion) {
  const std::string a = Released(1);
  const std::string c = File(2);
  Checkpoint();
  clock_->Advance(11 * kYear);
  ASSERT_THAT(retention().Run(Admin()), IsOk());
  Checkpoint();
  AuditReport report = Audit();
  EXPECT_TRUE(report.clean()) << Describe(report);
  EXPECT_EQ(report.purges, 1u);
  EXPECT_GE(report.purged_records, 3u);  // a@v1, its transitions, its assessment

  Tamper("DELETE FROM transitions WHERE declaration_id = '" + c + "' AND sequence = 1");
  report = Audit();
  EXPECT_TRUE(Names(report, AuditFindingKind::kDeleted, "record " + c + "#1")) << Describe(report);
  EXPECT_EQ(report.findings.size(), 1u) << Describe(report);
}

TEST_F(RetentionTest, TriggersRefuseDeletionByHand) {
  const std::string a = Released(1);
  const std::string path = dir_ + "/clearway.db";
  // (Assessments and security events keep their refusals too: tests/store/contract_records.)
  EXPECT_NE(RawExec(path, "DELETE FROM data_keys WHERE declaration_id = '" + a + "'"), SQLITE_OK);
  const store::LegalHold hold = Hold("organisation", "DE123456789012345");
  EXPECT_NE(RawExec(path, "DELETE FROM legal_holds"), SQLITE_OK);
  EXPECT_NE(RawExec(path, "UPDATE legal_holds SET reason = 'x'"), SQLITE_OK);
  ASSERT_THAT(retention().ReleaseHold(Admin(), hold.hold.id, "closed"), IsOk());
  clock_->Advance(11 * kYear);
  ASSERT_THAT(retention().Run(Admin()), IsOk());
  EXPECT_NE(RawExec(path, "DELETE FROM purged_declarations"), SQLITE_OK);
  EXPECT_NE(RawExec(path, "DELETE FROM retention_purges"), SQLITE_OK);
}

TEST_F(RetentionTest, OrganisationHoldKeepsItsDeclarations) {
  const std::string a = Released(1);
  auto row = runtime_->store().GetDeclaration(a, std::nullopt);
  ASSERT_THAT(row, IsOk());
  Hold("organisation", row->organisation_id);
  clock_->Advance(11 * kYear);
  auto run = retention().Run(Admin());
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->declarations, 0);
  EXPECT_EQ(run->held, 1);
  // The store itself refuses a purge of a held declaration (a hold placed after the plan).
  store::UnitOfWork work;
  work.purge = store::PurgeRow{"01JPURGEBYHAND00000000000", clock_->Now(), "x", {{a, {}}}, {}, {}};
  store::SealUnit(work);
  EXPECT_THAT(runtime_->store().Commit(std::move(work)), HasReason("legal-hold"));
}

TEST_F(RetentionTest, PolicyRefusesAllButAdministrators) {
  const std::string a = Released(1);
  const HoldRequest request{"declaration", a, "LG-1", "reason"};
  for (const identity::Principal& who : {Clerk(), HamburgOfficer(), Auditor()}) {
    EXPECT_THAT(retention().PlaceHold(who, request), HasCode(ErrorCode::kPermissionDenied));
    EXPECT_THAT(retention().Run(who), HasCode(ErrorCode::kPermissionDenied));
  }
  EXPECT_THAT(retention().Plan(Auditor()), IsOk());
  EXPECT_THAT(retention().ListHolds(Auditor(), true), IsOk());
  EXPECT_THAT(retention().Plan(Clerk()), HasCode(ErrorCode::kPermissionDenied));
  EXPECT_THAT(retention().ListHolds(HamburgOfficer(), false),
              HasCode(ErrorCode::kPermissionDenied));
}

TEST_F(RetentionTest, HoldInputIsCheckedAndReleasedOnce) {
  const std::string a = Released(1);
  EXPECT_THAT(retention().PlaceHold(Admin(), {"everything", a, "LG-1", "r"}), HasReason("bad-hold"));
  auto no_case = retention().PlaceHold(Admin(), {"declaration", a, "", "r"});
  ASSERT_THAT(no_case, HasReason("bad-hold"));
  EXPECT_EQ(no_case.error().field_path, "caseReference");
  EXPECT_THAT(retention().PlaceHold(Admin(), {"declaration", "01JNOSUCHDECLARATION000000", "LG",
                                              "r"}),
              HasCode(ErrorCode::kNotFound));
  const store::LegalHold hold = Hold("declaration", a);
  EXPECT_THAT(retention().ReleaseHold(Admin(), hold.hold.id, ""), HasReason("bad-hold"));
  ASSERT_THAT(retention().ReleaseHold(Admin(), hold.hold.id, "closed"), IsOk());
  EXPECT_THAT(retention().ReleaseHold(Admin(), hold.hold.id, "again"),
              HasReason("hold-already-released"));
  EXPECT_THAT(retention().ReleaseHold(Admin(), "01JNOSUCHHOLD0000000000000", "x"),
              HasReason("hold-not-found"));
  clock_->Advance(11 * kYear);
  ASSERT_THAT(retention().Run(Admin()), IsOk());
  EXPECT_THAT(retention().PlaceHold(Admin(), {"declaration", a, "LG-2", "too late"}),
              HasReason("declaration-purged"));
}

TEST_F(RetentionTest, BackupRestoreReappliesPurgesTheBackupPredates) {
  const std::string a = Released(1);
  const std::string b = File(2);
  StoreConfig config;
  config.data_dir = dir_;
  const std::string older = dir_ + "-older.cwb";
  auto made = WriteBackup(config, *provider_, *clock_, older);
  ASSERT_THAT(made, IsOk());
  EXPECT_THAT(WriteBackup(config, *provider_, *clock_, older), HasReason("backup-exists"));
  clock_->Advance(11 * kYear);
  ASSERT_THAT(retention().Run(Admin()), IsOk());
  const std::string newer = dir_ + "-newer.cwb";
  ASSERT_THAT(WriteBackup(config, *provider_, *clock_, newer), IsOk());

  const std::string key_file = dir_ + "/keys/kek";
  // The older backup: the purge of a is re-applied and listed.
  const std::string restored = dir_ + "-restored";
  auto report = RestoreBackup(older, restored, KeysConfig::KeyFile(key_file), "", *clock_);
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->reapplied.size(), 1u);
  EXPECT_EQ(report->reapplied[0].declarations, std::vector<std::string>{a});
  {
    auto backend = store::sqlite::SqliteStore::Open({restored + "/clearway.db"});
    ASSERT_THAT(backend, IsOk());
    EXPECT_THAT((*backend)->GetDeclaration(a, std::nullopt), HasReason("declaration-purged"));
    EXPECT_THAT((*backend)->GetDeclaration(b, std::nullopt), IsOk());
    EXPECT_THAT((*backend)->GetDataKey(a), HasReason("data-key-not-found"));
  }
  EXPECT_THAT(RestoreBackup(older, restored, KeysConfig::KeyFile(key_file), "", *clock_),
              HasReason("restore-target-not-empty"));
  // The newer backup: a stays purged, nothing to re-apply.
  auto again =
      RestoreBackup(newer, dir_ + "-restored2", KeysConfig::KeyFile(key_file), "", *clock_);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->reapplied.empty());
  EXPECT_EQ(again->already_purged.size(), 1u);
  // Another key file cannot open it.
  std::filesystem::create_directories(dir_ + "-other");
  auto other = keys::FileKeyProvider::Create(dir_ + "-other/kek", "clearway", key_clock_);
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(RestoreBackup(newer, dir_ + "-restored3",
                            KeysConfig::KeyFile(dir_ + "-other/kek"), "", *clock_),
              HasCode(ErrorCode::kDataLoss));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "-restored3/clearway.db"));
  // Nothing of the store is readable in the backup file.
  auto bytes = ReadFile(newer);
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(bytes->find("SQLite format 3"), std::string::npos);
  for (const char* suffix : {"-older.cwb", "-newer.cwb", "-restored", "-restored2", "-other"}) {
    std::filesystem::remove_all(dir_ + suffix);
  }
}

TEST(RetentionConfigTest, BadValuesAreNamedByField) {
  auto field_of = [](const std::string& toml) {
    auto parsed = ParseRetentionConfig(toml);
    return parsed.ok() ? std::string("ok") : parsed.error().field_path;
  };
  EXPECT_EQ(field_of("[retention]\ndeclarations = \"10x\""), "retention.declarations");
  EXPECT_EQ(field_of("[retention]\ndeclarations = \"1y\""), "retention.declarations");
  EXPECT_EQ(field_of("[retention]\nsecurity_events = \"0d\""), "retention.security_events");
  EXPECT_EQ(field_of("[retention]\nsessions = 90"), "retention.sessions");
  EXPECT_EQ(field_of("[retention]\ninterval = \"soon\""), "retention.interval");
  EXPECT_EQ(field_of("[retention]\nforever = \"1y\""), "retention.forever");
  auto good = ParseRetentionConfig(
      "[retention]\ndeclarations = \"7y\"\nsessions = \"30d\"\ninterval = \"0\"");
  ASSERT_THAT(good, IsOk());
  EXPECT_EQ(good->declarations, (RetentionPeriod{7, 0}));
  EXPECT_EQ(good->security_events, (RetentionPeriod{2, 0}));
  EXPECT_EQ(good->sessions, (RetentionPeriod{0, 30}));
  EXPECT_EQ(good->interval.count(), 0);
}

TEST(RetentionConfigTest, PeriodsAreCalendarYears) {
  EXPECT_EQ(FormatTimestamp(AddPeriod(*ParseTimestamp("2028-02-29T12:00:00Z"), {1, 0})),
            "2029-03-01T12:00:00Z");
  EXPECT_EQ(FormatTimestamp(AddPeriod(*ParseTimestamp("2026-11-24T10:00:00Z"), {10, 0})),
            "2036-11-24T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(AddPeriod(*ParseTimestamp("2026-11-24T10:00:00Z"), {1, 30})),
            "2027-12-24T10:00:00Z");
  EXPECT_EQ(FormatRetentionPeriod({1, 30}), "1y30d");
}

}  // namespace
}  // namespace clearway::app
