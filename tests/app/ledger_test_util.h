// A RuntimeFixture with the ledger at hand: helpers to file, amend and decide declarations,
// issue checkpoints, tamper with the SQLite file directly and audit the result.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "app/ledger_audit.h"
#include "app_test_util.h"

namespace clearway::app::testing {

inline Renderer LedgerRender() {
  return [](const DeclarationRecord& r) { return StoredResponse{200, r.row.id, r.row.id}; };
}

class LedgerFixture : public RuntimeFixture {
 protected:
  DeclarationService& service() { return runtime_->declarations(); }
  LedgerService& ledger() { return runtime_->ledger(); }

  std::string File(uint64_t seed = 1) {
    auto outcome = service().File(Clerk(), NordfleischBody(seed), false, nullptr, LedgerRender());
    EXPECT_THAT(outcome, clearway::testing::IsOk());
    return outcome.ok() ? outcome->response.resource_id : "";
  }

  void Decide(const std::string& id, declaration::Action action, const std::string& reason = "") {
    EXPECT_THAT(service().Act(HamburgOfficer(), id, action, reason, nullptr, LedgerRender()),
                clearway::testing::IsOk());
  }

  void Amend(const std::string& id, uint64_t seed) {
    EXPECT_THAT(
        service().Amend(Clerk(), id, NordfleischBody(seed), std::nullopt, nullptr, LedgerRender()),
        clearway::testing::IsOk());
  }

  DeclarationRecord Record(const std::string& id) {
    return service().Get(Clerk(), id, std::nullopt).value();
  }

  uint64_t Leaves() { return runtime_->store().LedgerTree().LeafCount().value(); }

  store::CheckpointRow Checkpoint() {
    auto issued = ledger().IssueCheckpoint();
    EXPECT_THAT(issued, clearway::testing::IsOk());
    return issued.ok() ? std::move(issued).value() : store::CheckpointRow{};
  }

  // Tamper() runs SQL on the database file through a connection of its own, as an attacker
  // with the file would (foreign keys off, as in the sqlite3 shell).
  void Tamper(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2((dir_ + "/clearway.db").c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr),
        SQLITE_OK);
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr);
    std::string message = sqlite3_errmsg(raw);
    sqlite3_close_v2(raw);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  AuditReport Audit() {
    auto report = AuditLedger(runtime_->store(), ledger().verifier_key());
    EXPECT_THAT(report, clearway::testing::IsOk());
    return report.ok() ? std::move(report).value() : AuditReport{};
  }

  // Describe() lists the findings, one per line, for failure messages.
  static std::string Describe(const AuditReport& report) {
    std::string out;
    for (const auto& finding : report.findings) {
      out += std::string(AuditFindingKindName(finding.kind)) + ": " + finding.subject + ": " +
             finding.detail + "\n";
    }
    return out;
  }

  // Names() is whether a finding of `kind` has exactly `subject`.
  static bool Names(const AuditReport& report, AuditFindingKind kind, const std::string& subject) {
    for (const auto& finding : report.findings) {
      if (finding.kind == kind && finding.subject == subject) return true;
    }
    return false;
  }
};

}  // namespace clearway::app::testing
