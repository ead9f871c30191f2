// File: app/ledger_audit.h
//
// The full audit of a store's ledger (`clearway ledger verify --full`): from one consistent
// snapshot it recomputes every leaf from the stored records and their salts, rebuilds the tree,
// compares it with the stored subtree hashes and with the latest signed checkpoint, and names
// every leaf or record that was altered, deleted, inserted or reordered:
//
//   altered    a record that no longer matches its commitment, a leaf whose stored hash or
//              columns differ from its entry, a tree node that does not hash its children,
//              a checkpoint whose signature fails or a log that does not hash to its root;
//   deleted    a leaf index missing from the log, a record a leaf commits to that is gone
//              (unless a retention purge whose own entry verifies removed it: such records
//              are counted as purged, not reported), a tree node that should be stored and is
//              not;
//   inserted   a record without a leaf, a second leaf for one record, a tree node or leaf
//              beyond the log, a leaf for a record of a declaration purged before it;
//   reordered  two leaves that hold each other's place in the tree, or a declaration whose
//              records were logged out of the order they happened in.
//
//   CW_ASSIGN_OR_RETURN(AuditReport report, AuditLedger(store, log_key));
//   for (const AuditFinding& finding : report.findings) std::cout << finding.subject << "\n";
//
// Memory grows with the log (about 200 bytes per leaf); time is linear in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/note.h"
#include "store/store.h"

namespace clearway::app {

enum class AuditFindingKind { kAltered, kDeleted, kInserted, kReordered };

// AuditFindingKindName() is "altered", "deleted", "inserted" or "reordered".
std::string_view AuditFindingKindName(AuditFindingKind kind);

struct AuditFinding {
  AuditFindingKind kind = AuditFindingKind::kAltered;
  std::string subject;  // "leaf 12", "leaves 3 and 5", "record 01J…@v2", "tree node (2, 1)", …
  std::string detail;
};

struct AuditReport {
  uint64_t leaves = 0;                      // leaf rows read
  uint64_t versions = 0;                    // declaration versions read
  uint64_t transitions = 0;                 // transitions read
  uint64_t assessments = 0;                 // assessments read
  uint64_t security_events = 0;             // security events read
  uint64_t legal_holds = 0;                 // legal holds read
  uint64_t legal_holds_released = 0;        // hold releases read
  uint64_t purges = 0;                      // retention purges read
  uint64_t purged_records = 0;              // leaves whose record a verified purge removed
  std::optional<uint64_t> checkpoint_size;  // of the latest signed checkpoint, if any
  std::vector<AuditFinding> findings;       // empty when nothing is wrong
  std::vector<std::string> notes;           // what is worth knowing but not wrong

  bool clean() const { return findings.empty(); }
};

// AuditLedger() audits the store's ledger against the log key `log_key`. Everything found in
// the data is a finding; the Result fails only when the store cannot be read.
Result<AuditReport> AuditLedger(store::Store& store, const ledger::VerifierKey& log_key);

}  // namespace clearway::app
