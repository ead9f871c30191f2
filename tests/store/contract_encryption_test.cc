// Store contract (both backends): envelope encryption at rest through EncryptingStore
// (store/encrypting_store.h, docs/keys.md). Sensitive fields never reach the database in clear,
// a ciphertext moved to another row fails to open, a wrong or retired KEK fails closed, key
// rotation re-wraps every data key and everything still opens, and blind-index look-ups find
// exact matches only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "keys/envelope.h"
#include "keys/file_key_provider.h"
#include "store/encrypting_store.h"
#include "store/ledger_records.h"
#include "store/store_contract.h"

namespace clearway::store::contract {
namespace {

using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr const char* kPayloadMarker = "MARKER-PAYLOAD-7Q2";
constexpr const char* kQuoteMarker = "MARKER-QUOTE-7Q2";
constexpr const char* kRiskMarker = "MARKER-RISK-7Q2";
constexpr const char* kBodyMarker = "MARKER-BODY-7Q2";

DeclarationRow Row(const std::string& id, int64_t version, const std::string& invoice,
                   std::vector<std::string> containers = {}) {
  DeclarationRow row = MakeRow(id, version, At(100 + static_cast<int64_t>(id.back())));
  row.updated_at = row.created_at + std::chrono::seconds(version - 1);
  row.payload = R"({"consignee":")" + std::string(kPayloadMarker) + R"(","id":")" + id +
                R"(","invoice":")" + invoice + R"(","version":)" + std::to_string(version) + "}";
  row.sensitive_terms.push_back(SensitiveTerm{std::string(kInvoiceNumberPurpose), invoice});
  for (const std::string& container : containers) {
    row.sensitive_terms.push_back(SensitiveTerm{std::string(kContainerIdPurpose), container});
  }
  return row;
}

// A filing as the application makes it: version 1, a transition, an assessment and the
// idempotency answer.
UnitOfWork Filing(const DeclarationRow& row) {
  UnitOfWork work = NewVersion(row);
  TransitionRow transition;
  transition.declaration_id = row.id;
  transition.sequence = row.version;
  transition.version = row.version;
  transition.to_status = "submitted";
  transition.actor = "user-1";
  transition.reason = "filed";
  transition.at = row.updated_at;
  work.transitions.push_back(transition);
  AssessmentRow assessment;
  assessment.declaration_id = row.id;
  assessment.version = row.version;
  assessment.at = row.updated_at;
  assessment.quote = std::string(R"({"note":")") + kQuoteMarker + R"("})";
  assessment.risk = std::string(R"({"note":")") + kRiskMarker + R"("})";
  work.assessments.push_back(assessment);
  IdempotencyRow idempotency;
  idempotency.principal = "user-1";
  idempotency.key = "key-" + row.id + "-" + std::to_string(row.version);
  idempotency.request_hash = "hash";
  idempotency.status_code = 201;
  idempotency.response_body = std::string(R"({"body":")") + kBodyMarker + R"("})";
  idempotency.resource_id = row.id;
  idempotency.created_at = row.updated_at;
  work.idempotency = idempotency;
  SealUnit(work);
  return work;
}

std::vector<std::string> Ids(const DeclarationPage& page) {
  std::vector<std::string> ids;
  for (const DeclarationRow& row : page.items) ids.push_back(row.id);
  return ids;
}

class EncryptionContractTest : public StoreContractTest {
 protected:
  void SetUp() override {
    StoreContractTest::SetUp();
    if (HasFatalFailure()) return;
    std::string pattern =
        (std::filesystem::temp_directory_path() / "clearway-keys-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    key_dir_ = pattern;
    auto provider = keys::FileKeyProvider::Create((key_dir_ / "kek").string(), "clearway", clock_);
    ASSERT_THAT(provider, IsOk());
    provider_ = std::move(provider).value();
    Encrypt(*provider_);
  }

  void TearDown() override {
    encrypted_.reset();
    StoreContractTest::TearDown();
    std::error_code ignored;
    std::filesystem::remove_all(key_dir_, ignored);
  }

  // Encrypt() puts an EncryptingStore over the backend (a fresh one, with an empty key cache,
  // over a backend reopened when one was already wrapped).
  void Encrypt(keys::KeyProvider& provider) {
    std::unique_ptr<Store> backend;
    if (encrypted_ != nullptr) {
      encrypted_.reset();
      auto another = OpenAnother();
      ASSERT_THAT(another, IsOk());
      backend = std::move(another).value();
    } else {
      backend = postgres() ? std::unique_ptr<Store>(std::move(postgres_))
                           : std::unique_ptr<Store>(std::move(sqlite_));
    }
    store_ = nullptr;
    encrypted_ = std::make_unique<EncryptingStore>(std::move(backend), provider,
                                                   EncryptingStoreOptions{});
  }

  // RawContains() counts the rows of `table` whose `column` holds `text` byte for byte.
  int64_t RawContains(const std::string& table, const std::string& column,
                      const std::string& text) {
    const std::string condition = postgres()
                                      ? "position(convert_to('" + text + "', 'UTF8') in CAST(" +
                                            column + " AS bytea)) > 0"
                                      : "instr(CAST(" + column + " AS BLOB), CAST('" + text +
                                            "' AS BLOB)) > 0";
    return Raw("SELECT COUNT(*) FROM " + table + " WHERE " + condition);
  }

  std::unique_ptr<keys::FileKeyProvider> OtherProvider(const std::string& name) {
    auto provider =
        keys::FileKeyProvider::Create((key_dir_ / name).string(), "clearway", clock_);
    EXPECT_THAT(provider, IsOk());
    return provider.ok() ? std::move(provider).value() : nullptr;
  }

  SystemClock clock_;
  std::filesystem::path key_dir_;
  std::unique_ptr<keys::FileKeyProvider> provider_;
  std::unique_ptr<EncryptingStore> encrypted_;
};

TEST_P(EncryptionContractTest, SensitiveFieldsAreNotStoredInClear) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-SECRET-1", {"MSCU1234565"}))), IsOk());

  for (const char* marker : {kPayloadMarker, kQuoteMarker, kRiskMarker, kBodyMarker,
                             "INV-SECRET-1", "MSCU1234565"}) {
    EXPECT_EQ(RawContains("declarations", "payload", marker), 0) << marker;
    EXPECT_EQ(RawContains("assessments", "quote", marker), 0) << marker;
    EXPECT_EQ(RawContains("assessments", "risk", marker), 0) << marker;
    EXPECT_EQ(RawContains("idempotency", "response_body", marker), 0) << marker;
    EXPECT_EQ(RawContains("declaration_blind_indexes", "idx", marker), 0) << marker;
  }
  // Salts are sealed too (an envelope of 32 bytes is 73), and one wrapped key was written.
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM declarations WHERE length(salt) = 73"), 1);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM transitions WHERE length(salt) = 73"), 1);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM assessments WHERE length(salt) = 73"), 1);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM data_keys WHERE kek_id = 'clearway' AND kek_version = 1"),
            1);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM declaration_blind_indexes"), 2);
  // The clear index fields stay clear.
  EXPECT_EQ(RawContains("declarations", "office", "DE004700"), 1);

  // Read through the store, everything is back as filed.
  auto version = encrypted_->GetDeclaration("A", 1);
  ASSERT_THAT(version, IsOk());
  EXPECT_NE(version->payload.find(kPayloadMarker), std::string::npos);
  EXPECT_TRUE(version->sealed_salt.empty());
  auto assessment = encrypted_->GetAssessment("A", 1);
  ASSERT_THAT(assessment, IsOk());
  EXPECT_NE(assessment->quote.find(kQuoteMarker), std::string::npos);
  EXPECT_NE(assessment->risk.find(kRiskMarker), std::string::npos);
  auto answer = encrypted_->GetIdempotency("user-1", "key-A-1");
  ASSERT_THAT(answer, IsOk());
  EXPECT_NE(answer->response_body.find(kBodyMarker), std::string::npos);
  // The backend alone sees only envelopes.
  auto raw = encrypted_->backend().GetDeclaration("A", 1);
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(raw->payload.find(kPayloadMarker), std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>(raw->payload.front()), keys::kEnvelopeFormatXChaCha20Poly1305);
  EXPECT_EQ(raw->sealed_salt.size(), 73u);
}

TEST_P(EncryptionContractTest, LedgerLeavesStillMatchTheOpenedRecords) {
  UnitOfWork work = Filing(Row("A", 1, "INV-1"));
  const std::vector<ledger::LeafEntry> leaves = work.leaves;
  ASSERT_THAT(encrypted_->Commit(std::move(work)), IsOk());
  ASSERT_THAT(encrypted_->Commit(Sealed(NewVersion(Row("A", 2, "INV-1")))), IsOk());
  Encrypt(*provider_);  // cold key cache

  int versions = 0;
  Status read = encrypted_->ReadLedgerSnapshot([&](LedgerSnapshot& snapshot) -> Status {
    CW_RETURN_IF_ERROR(snapshot.ForEachVersion([&](const DeclarationRow& row, bool has_salt) {
      ++versions;
      EXPECT_TRUE(has_salt);
      auto leaf = encrypted_->FindLeaf(VersionRecordId(row.id, row.version));
      EXPECT_THAT(leaf, IsOk());
      EXPECT_EQ(ledger::EncodeLeafEntry(VersionLeaf(row)).value(), leaf->entry);
      return OkStatus();
    }));
    CW_RETURN_IF_ERROR(snapshot.ForEachTransition([&](const TransitionRow& row, bool has_salt) {
      EXPECT_TRUE(has_salt);
      EXPECT_EQ(TransitionLeaf(row), leaves[1]);
      return OkStatus();
    }));
    return snapshot.ForEachAssessment([&](const AssessmentRow& row, bool has_salt) {
      EXPECT_TRUE(has_salt);
      EXPECT_EQ(AssessmentLeaf(row), leaves[2]);
      return OkStatus();
    });
  });
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(versions, 2);
}

TEST_P(EncryptionContractTest, CiphertextMovedToAnotherRowFailsToOpen) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-1"))), IsOk());
  ASSERT_THAT(encrypted_->Commit(Sealed(NewVersion(Row("A", 2, "INV-1")))), IsOk());
  ASSERT_THAT(encrypted_->Commit(Filing(Row("B", 1, "INV-2"))), IsOk());

  // Version 1's payload over version 2 of the same declaration: same key, other version.
  ASSERT_TRUE(ExecRaw("UPDATE declarations SET payload = (SELECT payload FROM declarations"
                      " WHERE id = 'A' AND version = 1) WHERE id = 'A' AND version = 2"));
  EXPECT_THAT(encrypted_->GetDeclaration("A", 2), HasReason("decrypt-failed"));
  EXPECT_THAT(encrypted_->GetDeclaration("A", 1), IsOk());
  // A's payload over B's: another key and another id.
  ASSERT_TRUE(ExecRaw("UPDATE declarations SET payload = (SELECT payload FROM declarations"
                      " WHERE id = 'A' AND version = 1) WHERE id = 'B'"));
  EXPECT_THAT(encrypted_->GetDeclaration("B", 1), HasReason("decrypt-failed"));
  // A's idempotency answer over B's.
  ASSERT_TRUE(ExecRaw("UPDATE idempotency SET response_body = (SELECT response_body FROM"
                      " idempotency WHERE key = 'key-A-1') WHERE key = 'key-B-1'"));
  EXPECT_THAT(encrypted_->GetIdempotency("user-1", "key-B-1"), HasReason("decrypt-failed"));
  EXPECT_THAT(encrypted_->GetIdempotency("user-1", "key-A-1"), IsOk());
  // A transition's sealed salt over another transition of the same declaration.
  ASSERT_TRUE(ExecRaw("UPDATE transitions SET salt = (SELECT salt FROM transitions WHERE"
                      " declaration_id = 'A') WHERE declaration_id = 'B'"));
  EXPECT_THAT(encrypted_->ListTransitions("B"), HasReason("decrypt-failed"));
}

TEST_P(EncryptionContractTest, TheDataKeyOfAnotherDeclarationDoesNotOpen) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-1"))), IsOk());
  ASSERT_THAT(encrypted_->Commit(Filing(Row("B", 1, "INV-2"))), IsOk());
  ASSERT_TRUE(ExecRaw("UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys"
                      " WHERE declaration_id = 'A') WHERE declaration_id = 'B'"));
  Encrypt(*provider_);
  EXPECT_THAT(encrypted_->GetDeclaration("B", 1), HasReason("decrypt-failed"));
  EXPECT_THAT(encrypted_->GetDeclaration("A", 1), IsOk());
}

TEST_P(EncryptionContractTest, WrongKekFailsClosed) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-1"))), IsOk());
  std::unique_ptr<keys::FileKeyProvider> other = OtherProvider("other-kek");
  ASSERT_NE(other, nullptr);
  Encrypt(*other);  // same key id and version, other key material
  EXPECT_THAT(encrypted_->GetDeclaration("A", 1), HasReason("unwrap-failed"));
  EXPECT_THAT(encrypted_->GetAssessment("A", 1), HasReason("unwrap-failed"));
  EXPECT_THAT(encrypted_->GetIdempotency("user-1", "key-A-1"), HasReason("unwrap-failed"));
  EXPECT_THAT(encrypted_->ListTransitions("A"), HasReason("unwrap-failed"));
  // Nothing is written under a key it cannot read.
  EXPECT_THAT(encrypted_->Commit(Sealed(NewVersion(Row("A", 2, "INV-1")))),
              HasReason("unwrap-failed"));
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM declarations"), 1);
}

TEST_P(EncryptionContractTest, RetiredKekFailsClosed) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-1"))), IsOk());
  ASSERT_THAT(provider_->Rotate(), IsOk());
  // Retired without re-wrapping first: the key is gone, and so is the declaration.
  ASSERT_THAT(provider_->Retire(keys::KekRef{"clearway", 1}), IsOk());
  Encrypt(*provider_);
  auto read = encrypted_->GetDeclaration("A", 1);
  ASSERT_THAT(read, HasReason("key-unavailable"));
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(read.error().message.find("kek-retired"), std::string::npos);
  EXPECT_THAT(encrypted_->Commit(Sealed(NewVersion(Row("A", 2, "INV-1")))),
              HasReason("key-unavailable"));
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM declarations"), 1);
  EXPECT_THAT(encrypted_->RewrapDataKeys({}), HasReason("kek-retired"));
}

TEST_P(EncryptionContractTest, RotationRewrapsEveryDataKeyAndEverythingStillOpens) {
  for (const char* id : {"A", "B", "C", "D", "E"}) {
    ASSERT_THAT(encrypted_->Commit(Filing(Row(id, 1, std::string("INV-") + id))), IsOk());
  }
  auto rotated = provider_->Rotate();
  ASSERT_THAT(rotated, IsOk());
  // Filed after the rotation: wrapped under version 2 straight away.
  ASSERT_THAT(encrypted_->Commit(Filing(Row("F", 1, "INV-F"))), IsOk());
  auto before = encrypted_->CountDataKeysByKek();
  ASSERT_THAT(before, IsOk());
  ASSERT_EQ(before->size(), 2u);
  EXPECT_EQ((*before)[0].kek_version, 1);
  EXPECT_EQ((*before)[0].data_keys, 5);
  EXPECT_EQ((*before)[1].kek_version, 2);
  EXPECT_EQ((*before)[1].data_keys, 1);
  const int64_t payloads_before = Raw("SELECT COUNT(*) FROM declarations");

  RewrapOptions options;
  options.batch = 2;
  auto report = encrypted_->RewrapDataKeys(options);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->current, *rotated);
  EXPECT_EQ(report->rewrapped, 5);
  EXPECT_EQ(report->remaining, 0);
  auto after = encrypted_->CountDataKeysByKek();
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].kek_version, 2);
  EXPECT_EQ((*after)[0].data_keys, 6);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM declarations"), payloads_before);

  // With version 1 destroyed, everything still opens (through a cold cache).
  ASSERT_THAT(provider_->Retire(keys::KekRef{"clearway", 1}), IsOk());
  Encrypt(*provider_);
  for (const char* id : {"A", "B", "C", "D", "E", "F"}) {
    auto row = encrypted_->GetDeclaration(id, 1);
    ASSERT_THAT(row, IsOk()) << id;
    EXPECT_NE(row->payload.find(kPayloadMarker), std::string::npos);
    EXPECT_THAT(encrypted_->GetAssessment(id, 1), IsOk());
  }
  // A second run finds nothing to do.
  auto again = encrypted_->RewrapDataKeys(options);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->rewrapped, 0);
  EXPECT_EQ(again->remaining, 0);
}

// Issue 5: a rotation and its re-wrap run while four writers file and amend declarations; no
// acknowledged filing is lost, every version opens, and once the writers stop a last re-wrap
// leaves every data key under the current version, after which the old versions can be retired.
TEST_P(EncryptionContractTest, RotationUnderConcurrentFilingsLosesNothing) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 20;
  std::atomic<bool> failed{false};
  std::atomic<int> finished{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w, &failed, &finished] {
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string id = "W" + std::to_string(w) + "-" + std::to_string(100 + i);
        for (int64_t version : {1, 2}) {
          auto committed = encrypted_->Commit(Filing(Row(id, version, "INV-" + id)));
          if (!committed.ok()) {
            ADD_FAILURE() << id << "@" << version << ": " << committed.error().message;
            failed = true;
            break;
          }
        }
      }
      finished.fetch_add(1);
    });
  }
  // Rotate and re-wrap for as long as the writers run (at least three rounds, at most 20).
  std::vector<keys::KekRef> versions;
  for (int round = 0; round < 20 && (round < 3 || finished.load() < kWriters); ++round) {
    auto rotated = provider_->Rotate();
    EXPECT_THAT(rotated, IsOk());
    if (!rotated.ok()) break;  // the writers are joined below either way
    versions.push_back(*rotated);
    RewrapOptions options;
    options.batch = 7;
    EXPECT_THAT(encrypted_->RewrapDataKeys(options), IsOk());
  }
  for (std::thread& writer : writers) writer.join();
  ASSERT_FALSE(versions.empty());
  ASSERT_FALSE(failed.load());

  auto last = encrypted_->RewrapDataKeys(RewrapOptions{});
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->current, versions.back());
  EXPECT_EQ(last->remaining, 0);
  auto usage = encrypted_->CountDataKeysByKek();
  ASSERT_THAT(usage, IsOk());
  ASSERT_EQ(usage->size(), 1u);
  EXPECT_EQ((*usage)[0].kek_version, static_cast<int64_t>(versions.back().version));
  EXPECT_EQ((*usage)[0].data_keys, kWriters * kPerWriter);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM declarations"), 2 * kWriters * kPerWriter);

  // Every older version destroyed; every version of every declaration opens through a cold
  // cache.
  ASSERT_THAT(provider_->Retire(keys::KekRef{"clearway", 1}), IsOk());
  for (size_t v = 0; v + 1 < versions.size(); ++v) {
    ASSERT_THAT(provider_->Retire(versions[v]), IsOk());
  }
  Encrypt(*provider_);
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kPerWriter; ++i) {
      const std::string id = "W" + std::to_string(w) + "-" + std::to_string(100 + i);
      for (int64_t version : {1, 2}) {
        auto row = encrypted_->GetDeclaration(id, version);
        ASSERT_THAT(row, IsOk()) << id << "@" << version;
        EXPECT_NE(row->payload.find("INV-" + id), std::string::npos);
        EXPECT_THAT(encrypted_->GetAssessment(id, version), IsOk()) << id << "@" << version;
      }
    }
  }
}

TEST_P(EncryptionContractTest, RewrapSkipsAKeyChangedMeanwhile) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-A"))), IsOk());
  auto stored = encrypted_->GetDataKey("A");
  ASSERT_THAT(stored, IsOk());
  UnitOfWork unit;
  DataKeyRewrap stale;
  stale.declaration_id = "A";
  stale.expected_kek_id = "clearway";
  stale.expected_kek_version = 1;
  stale.expected_wrapped = "not what is stored";
  stale.kek_id = "clearway";
  stale.kek_version = 9;
  stale.wrapped = "garbage";
  unit.rewraps.push_back(stale);
  ASSERT_THAT(encrypted_->backend().Commit(std::move(unit)), IsOk());
  auto unchanged = encrypted_->GetDataKey("A");
  ASSERT_THAT(unchanged, IsOk());
  EXPECT_EQ(unchanged->kek_version, 1);
  EXPECT_EQ(unchanged->wrapped, stored->wrapped);
}

TEST_P(EncryptionContractTest, BlindIndexFindsExactMatchesOnly) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-1", {"MSCU1234565"}))), IsOk());
  ASSERT_THAT(encrypted_->Commit(Filing(Row("B", 1, "INV-10", {"TGHU7654328"}))), IsOk());
  ASSERT_THAT(encrypted_->Commit(Filing(Row("C", 1, "INV-1"))), IsOk());
  // C is amended to another invoice: its latest version no longer matches INV-1.
  ASSERT_THAT(encrypted_->Commit(Sealed(NewVersion(Row("C", 2, "INV-2")))), IsOk());

  auto list = [&](std::vector<SensitiveTerm> terms) {
    DeclarationFilter filter;
    filter.sensitive = std::move(terms);
    auto page = encrypted_->ListDeclarations(filter, PageRequest{});
    EXPECT_THAT(page, IsOk());
    return page.ok() ? Ids(*page) : std::vector<std::string>{"error"};
  };
  const std::string invoice(kInvoiceNumberPurpose);
  const std::string container(kContainerIdPurpose);
  EXPECT_THAT(list({{invoice, "INV-1"}}), ElementsAre("A"));
  EXPECT_THAT(list({{invoice, " inv-1 "}}), ElementsAre("A"));  // normalised
  EXPECT_THAT(list({{invoice, "INV-10"}}), ElementsAre("B"));
  EXPECT_THAT(list({{invoice, "INV-2"}}), ElementsAre("C"));
  EXPECT_THAT(list({{invoice, "INV"}}), ElementsAre());         // no prefix matches
  EXPECT_THAT(list({{container, "MSCU1234565"}}), ElementsAre("A"));
  EXPECT_THAT(list({{invoice, "INV-1"}, {container, "MSCU1234565"}}), ElementsAre("A"));
  EXPECT_THAT(list({{invoice, "INV-10"}, {container, "MSCU1234565"}}), ElementsAre());
  // The same value under another purpose is another index.
  EXPECT_THAT(list({{container, "INV-1"}}), ElementsAre());
  // Other filters still apply.
  DeclarationFilter filter;
  filter.sensitive = {{invoice, "INV-1"}};
  filter.offices = {"FR000001"};
  auto none = encrypted_->ListDeclarations(filter, PageRequest{});
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->items.empty());

  // No plaintext value in the index table; only 32-character indexes.
  EXPECT_EQ(RawContains("declaration_blind_indexes", "idx", "INV"), 0);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM declaration_blind_indexes WHERE length(idx) <> 32"), 0);
  // A bare backend cannot look up clear values.
  DeclarationFilter clear;
  clear.sensitive = {{invoice, "INV-1"}};
  EXPECT_THAT(encrypted_->backend().ListDeclarations(clear, PageRequest{}),
              HasReason("blind-index-unavailable"));
  // An empty value is refused by the blind index.
  DeclarationFilter blank;
  blank.sensitive = {{invoice, "  "}};
  EXPECT_THAT(encrypted_->ListDeclarations(blank, PageRequest{}),
              HasReason("empty-blind-index-value"));
}

TEST_P(EncryptionContractTest, RowsFromBeforeEncryptionAreReadAsStoredAndGetAKeyOnTheirNextChange) {
  // Committed straight to the backend, as before this version: clear payload, clear salt.
  DeclarationRow legacy = MakeRow("L", 1, At(1));
  ASSERT_THAT(encrypted_->backend().Commit(Sealed(NewVersion(legacy))), IsOk());
  auto read = encrypted_->GetDeclaration("L", 1);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->payload, legacy.payload);
  EXPECT_THAT(encrypted_->GetDataKey("L"), HasReason("data-key-not-found"));

  ASSERT_THAT(encrypted_->Commit(Sealed(NewVersion(MakeRow("L", 2, At(1))))), IsOk());
  EXPECT_THAT(encrypted_->GetDataKey("L"), IsOk());
  EXPECT_EQ(RawContains("declarations", "payload", R"("version":2)"), 0);
  EXPECT_THAT(encrypted_->ListVersions("L"), IsOk());
}

TEST_P(EncryptionContractTest, SealedDataWithoutItsKeyIsDataLoss) {
  ASSERT_THAT(encrypted_->Commit(Filing(Row("A", 1, "INV-1"))), IsOk());
  // Only a purge may delete a data key; an attacker with the file drops the guard first.
  EXPECT_FALSE(ExecRaw("DELETE FROM data_keys WHERE declaration_id = 'A'"));
  ASSERT_TRUE(ExecRaw(postgres() ? "DROP TRIGGER data_keys_purged_only ON data_keys"
                                 : "DROP TRIGGER data_keys_no_delete"));
  ASSERT_TRUE(ExecRaw("DELETE FROM data_keys WHERE declaration_id = 'A'"));
  Encrypt(*provider_);
  EXPECT_THAT(encrypted_->GetDeclaration("A", 1), HasReason("data-key-missing"));
  EXPECT_THAT(encrypted_->GetAssessment("A", 1), HasReason("data-key-missing"));
}

CW_STORE_CONTRACT(EncryptionContractTest);

// The audit's snapshot holds a read connection while it opens salts: the keys must come
// through that connection, or a store with one reader would wait for itself for ever.
TEST(EncryptingStoreTest, LedgerSnapshotOpensSaltsWithASingleReadConnection) {
  std::string pattern = (std::filesystem::temp_directory_path() / "clearway-enc-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path dir = pattern;
  SystemClock clock;
  auto provider = keys::FileKeyProvider::Create((dir / "kek").string(), "clearway", clock);
  ASSERT_THAT(provider, IsOk());
  sqlite::SqliteOptions options;
  options.path = (dir / "clearway.db").string();
  options.read_connections = 1;
  auto backend = sqlite::SqliteStore::Open(options);
  ASSERT_THAT(backend, IsOk());
  {
    EncryptingStoreOptions small;
    small.key_cache_entries = 1;  // B's key evicts A's: A's is read during the snapshot
    EncryptingStore store(std::move(backend).value(), **provider, small);
    ASSERT_THAT(store.Commit(Filing(Row("A", 1, "INV-1"))), IsOk());
    ASSERT_THAT(store.Commit(Filing(Row("B", 1, "INV-2"))), IsOk());
    int opened = 0;
    Status read = store.ReadLedgerSnapshot([&](LedgerSnapshot& snapshot) {
      return snapshot.ForEachVersion([&](const DeclarationRow& row, bool has_salt) {
        EXPECT_TRUE(has_salt);
        EXPECT_NE(row.payload.find(kPayloadMarker), std::string::npos);
        ++opened;
        return OkStatus();
      });
    });
    ASSERT_THAT(read, IsOk());
    EXPECT_EQ(opened, 2);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace clearway::store::contract
