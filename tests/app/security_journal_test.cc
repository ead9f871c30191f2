// The security event log is durable and on the ledger: every event the identity service
// records is written to the store's append-only log with its leaf, reads back exactly as
// committed, and the full audit names any event edited, hidden or removed behind its back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity/security_event.h"
#include "ledger_test_util.h"
#include "store/ledger_records.h"

namespace clearway::app {
namespace {

using namespace clearway::app::testing;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using Kind = AuditFindingKind;

class SecurityJournalTest : public LedgerFixture {
 protected:
  std::vector<store::SecurityEventRow> Stored(const store::SecurityEventFilter& filter = {}) {
    auto page = runtime_->store().ListSecurityEvents(filter, store::PageRequest{500, ""});
    EXPECT_THAT(page, IsOk());
    return page.ok() ? page->items : std::vector<store::SecurityEventRow>{};
  }

  // Deny() records one permission-denied event, as a route refusing a caller does, a second
  // after the previous one (events of the same instant have no defined order).
  void Deny(const std::string& route, const std::string& request_id) {
    clock_->Advance(std::chrono::seconds(1));
    runtime_->identity().RecordDenied(Clerk(), route, {"198.51.100.4", request_id});
  }
};

TEST_F(SecurityJournalTest, EveryEventIsStoredWithItsLedgerLeaf) {
  const uint64_t before = Leaves();
  auto refused = runtime_->identity().SignIn({"nobody.here", "not the password", "", ""},
                                             {"203.0.113.7", "req-1"});
  EXPECT_THAT(refused, HasReason("bad-credentials"));
  clock_->Advance(std::chrono::seconds(1));
  Deny("GET /v1/security/events", "req-2");

  std::vector<store::SecurityEventRow> rows = Stored();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(Leaves(), before + 2);
  // Newest first: the refusal, then the failed sign-in.
  EXPECT_EQ(rows[0].type, "permission-denied");
  EXPECT_EQ(rows[0].outcome, "denied");
  EXPECT_EQ(rows[0].actor, Clerk().user_id);
  EXPECT_EQ(rows[1].type, "login-failed");
  EXPECT_EQ(rows[1].actor, "anonymous");

  auto event = identity::ParseSecurityEventJson(rows[1].event);
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->source_address, "203.0.113.7");
  EXPECT_EQ(event->request_id, "req-1");
  EXPECT_EQ(event->subject, "nobody.here");
  EXPECT_EQ(event->id, rows[1].id);
  // The log holds the event exactly as the node's in-memory stream saw it.
  std::vector<identity::SecurityEvent> recent = runtime_->security_log().Recent(10);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(identity::SecurityEventJson(recent[0]), rows[1].event);

  for (const store::SecurityEventRow& row : rows) {
    auto leaf = runtime_->store().FindLeaf(store::SecurityEventRecordId(row.id));
    ASSERT_THAT(leaf, IsOk());
    EXPECT_EQ(leaf->kind, "security.event");
    EXPECT_EQ(ledger::DecodeLeafEntry(leaf->entry).value(), store::SecurityEventLeaf(row));
    // The leaf holds no personal data: not the address, not the username tried.
    const std::string entry(leaf->entry.begin(), leaf->entry.end());
    EXPECT_EQ(entry.find("203.0.113.7"), std::string::npos);
    EXPECT_EQ(entry.find("nobody.here"), std::string::npos);
  }
  EXPECT_EQ(runtime_->security_log().unjournaled(), 0u);
}

TEST_F(SecurityJournalTest, AuditCountsEventsAndIsCleanWhenUntouched) {
  File(1);
  Deny("GET /v1/a", "r1");
  Deny("GET /v1/b", "r2");
  Checkpoint();
  AuditReport report = Audit();
  EXPECT_TRUE(report.clean()) << Describe(report);
  EXPECT_EQ(report.security_events, 2u);
}

TEST_F(SecurityJournalTest, EditedEventIsNamedByTheAudit) {
  Deny("GET /v1/a", "r1");
  Checkpoint();
  const std::string id = Stored().at(0).id;
  // The log refuses edits; an attacker with the file drops the guard first.
  Tamper("DROP TRIGGER security_events_no_update;"
         "UPDATE security_events SET event = replace(event, 'GET /v1/a', 'GET /v1/z')");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "record security/" + id)) << Describe(report);
}

TEST_F(SecurityJournalTest, EventHiddenFromSearchesIsNamedByTheAudit) {
  Deny("GET /v1/a", "r1");
  Checkpoint();
  const std::string id = Stored().at(0).id;
  // Rewriting the searchable copy of the actor hides the event from `actor=` filters while the
  // committed event stays intact; the audit compares the two.
  Tamper("DROP TRIGGER security_events_no_update;"
         "UPDATE security_events SET actor = 'someone.else'");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "record security/" + id)) << Describe(report);
  EXPECT_EQ(report.findings.size(), 1u) << Describe(report);
}

TEST_F(SecurityJournalTest, DeletedEventIsNamedByTheAudit) {
  Deny("GET /v1/a", "r1");
  Deny("GET /v1/b", "r2");
  Checkpoint();
  const std::string id = Stored().at(1).id;
  Tamper("DROP TRIGGER security_events_no_delete;"
         "DELETE FROM security_events WHERE id = '" + id + "'");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kDeleted, "record security/" + id)) << Describe(report);
}

TEST_F(SecurityJournalTest, EventsAreFilteredByActorAndType) {
  Deny("GET /v1/a", "r1");
  clock_->Advance(std::chrono::seconds(1));
  runtime_->identity().RecordDenied(HamburgOfficer(), "GET /v1/b", {"198.51.100.5", "r2"});
  store::SecurityEventFilter by_actor;
  by_actor.actor = HamburgOfficer().user_id;
  std::vector<store::SecurityEventRow> rows = Stored(by_actor);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].event.find("GET /v1/b"), std::string::npos);
  store::SecurityEventFilter by_type;
  by_type.type = "login-succeeded";
  EXPECT_TRUE(Stored(by_type).empty());
}

}  // namespace
}  // namespace clearway::app
