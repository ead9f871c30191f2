#include "app/ledger_audit.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "ledger/checkpoint.h"
#include "ledger/leaf.h"
#include "ledger/merkle.h"
#include "identity/security_event.h"
#include "store/ledger_records.h"

namespace clearway::app {

namespace {

using ledger::Hash;
using Kind = AuditFindingKind;

// A leaf index this far beyond the rows read cannot be a real append; it is reported, not
// allocated for.
constexpr uint64_t kFarBeyond = 1'000'000;
// The search for swapped leaves tries every pair of suspects; past this many it gives up.
constexpr size_t kMaxSwapSuspects = 64;

std::string LeafName(uint64_t index) { return "leaf " + std::to_string(index); }

struct LeafInfo {
  bool present = false;
  bool decodes = false;
  bool damaged = false;  // already reported as altered
  bool claimed = false;  // a record matched it
  Hash computed{};       // HashLeaf(entry), what the tree must hold
  ledger::LeafEntry entry;
};

// Where one record of a declaration sits in the log; sorting by (version, rank, sequence) gives
// the order the records happened in (a version before the transitions that apply to it).
struct Placed {
  int64_t version = 0;
  int rank = 0;  // 0 version, 1 transition
  int64_t sequence = 0;
  uint64_t index = 0;
  std::string record_id;
};

class Auditor {
 public:
  explicit Auditor(const ledger::VerifierKey& key) : key_(key) {}

  Status Read(store::LedgerSnapshot& snapshot) {
    CW_RETURN_IF_ERROR(ReadLeaves(snapshot));
    CW_RETURN_IF_ERROR(ReadNodes(snapshot));
    CW_RETURN_IF_ERROR(
        snapshot.ForEachVersion([this](const store::DeclarationRow& row, bool salted) {
          ++report_.versions;
          Match(store::VersionLeaf(row), salted, row.id, Placed{row.version, 0, 0, 0, {}});
          return OkStatus();
        }));
    CW_RETURN_IF_ERROR(
        snapshot.ForEachTransition([this](const store::TransitionRow& row, bool salted) {
          ++report_.transitions;
          Match(store::TransitionLeaf(row), salted, row.declaration_id,
                Placed{row.version, 1, row.sequence, 0, {}});
          return OkStatus();
        }));
    // Assessments and security events are matched to their leaves but take no part in the
    // per-declaration order check: an assessment follows its version's transitions of the
    // same unit yet precedes later ones, and security events belong to no declaration.
    CW_RETURN_IF_ERROR(
        snapshot.ForEachAssessment([this](const store::AssessmentRow& row, bool salted) {
          ++report_.assessments;
          Match(store::AssessmentLeaf(row), salted, {}, {});
          return OkStatus();
        }));
    CW_RETURN_IF_ERROR(
        snapshot.ForEachSecurityEvent([this](const store::SecurityEventRow& row, bool salted) {
          ++report_.security_events;
          CheckSecurityEventCopies(row);
          Match(store::SecurityEventLeaf(row), salted, {}, {});
          return OkStatus();
        }));
    CW_RETURN_IF_ERROR(
        snapshot.ForEachLegalHold([this](const store::LegalHoldRow& row, bool salted) {
          ++report_.legal_holds;
          Match(store::LegalHoldLeaf(row), salted, {}, {});
          return OkStatus();
        }));
    CW_RETURN_IF_ERROR(
        snapshot.ForEachHoldRelease([this](const store::HoldReleaseRow& row, bool salted) {
          ++report_.legal_holds_released;
          Match(store::HoldReleaseLeaf(row), salted, {}, {});
          return OkStatus();
        }));
    // A purge vouches for the records it removed only when its own entry matches its leaf: a
    // tombstone added by hand (or a purge edited to cover more) cannot hide a deletion.
    CW_RETURN_IF_ERROR(snapshot.ForEachPurge([this](const store::PurgeRow& row, bool salted) {
      ++report_.purges;
      const std::optional<uint64_t> at = Match(store::PurgeLeaf(row), salted, {}, {});
      if (!at.has_value()) return OkStatus();
      for (const store::PurgedDeclaration& declaration : row.declarations) {
        purged_declarations_.emplace(declaration.declaration_id, *at);
      }
      for (const std::string& event : row.security_event_ids) purged_events_.emplace(event, *at);
      return OkStatus();
    }));
    CW_ASSIGN_OR_RETURN(checkpoint_, snapshot.LatestCheckpoint());
    return OkStatus();
  }

  AuditReport Finish() {
    ReportOrphanLeaves();
    if (report_.purges > 0) {
      report_.notes.push_back(std::to_string(report_.purges) + " retention purges removed " +
                              std::to_string(report_.purged_records) +
                              " records; their leaves stay in the log");
    }
    CheckOrder();
    CheckTree();
    CheckCheckpoint();
    return std::move(report_);
  }

 private:
  void Add(Kind kind, std::string subject, std::string detail) {
    report_.findings.push_back(AuditFinding{kind, std::move(subject), std::move(detail)});
  }

  Status ReadLeaves(store::LedgerSnapshot& snapshot) {
    return snapshot.ForEachLeaf([this](const store::LeafRow& row) {
      ++report_.leaves;
      if (row.index >= leaves_.size() + kFarBeyond) {
        Add(Kind::kInserted, LeafName(row.index), "lies far beyond the end of the log");
        return OkStatus();
      }
      if (row.index > leaves_.size()) {
        const uint64_t first = leaves_.size();
        Add(Kind::kDeleted,
            first + 1 == row.index
                ? LeafName(first)
                : "leaves " + std::to_string(first) + ".." + std::to_string(row.index - 1),
            "missing from the log");
      }
      leaves_.resize(row.index + 1);
      LeafInfo& leaf = leaves_[row.index];
      leaf.present = true;
      leaf.computed = ledger::HashLeaf(row.entry);
      auto decoded = ledger::DecodeLeafEntry(row.entry);
      if (!decoded.ok()) {
        leaf.damaged = true;
        Add(Kind::kAltered, LeafName(row.index), "its entry is not a valid leaf encoding");
        return OkStatus();
      }
      leaf.decodes = true;
      leaf.entry = std::move(decoded).value();
      if (leaf.entry.kind != row.kind || leaf.entry.record_id != row.record_id) {
        leaf.damaged = true;
        Add(Kind::kAltered, LeafName(row.index),
            "its kind or record id column differs from its entry (" + leaf.entry.record_id + ")");
      } else if (leaf.computed != row.leaf_hash) {
        leaf.damaged = true;
        Add(Kind::kAltered, LeafName(row.index),
            "its stored hash is not the hash of its entry (" + leaf.entry.record_id + ")");
      }
      auto [found, inserted] = by_record_.emplace(leaf.entry.record_id, row.index);
      if (!inserted) {
        Add(Kind::kInserted, LeafName(row.index),
            "is a second leaf for record " + leaf.entry.record_id + " (first: leaf " +
                std::to_string(found->second) + ")");
      }
      return OkStatus();
    });
  }

  Status ReadNodes(store::LedgerSnapshot& snapshot) {
    const uint64_t n = leaves_.size();
    return snapshot.ForEachNode([this, n](const ledger::StoredNode& node) {
      const uint64_t level_size = node.id.level < 64 ? n >> node.id.level : 0;
      const std::string name = NodeName(node.id.level, node.id.index);
      if (node.id.index >= level_size) {
        Add(Kind::kInserted, name,
            "covers leaves beyond the end of the log (inserted, or leaves deleted from the end)");
        return OkStatus();
      }
      if (nodes_.size() <= node.id.level) nodes_.resize(node.id.level + size_t{1});
      auto& level = nodes_[node.id.level];
      if (level.size() < level_size) level.resize(level_size);
      level[node.id.index] = node.hash;
      return OkStatus();
    });
  }

  // Match() claims the record's leaf and reports how the two differ; it returns the leaf's
  // index when the record matches its leaf exactly.
  std::optional<uint64_t> Match(const ledger::LeafEntry& expected, bool salted,
                                const std::string& declaration_id, Placed placed) {
    const std::string subject = "record " + expected.record_id;
    auto found = by_record_.find(expected.record_id);
    if (found == by_record_.end()) {
      Add(Kind::kInserted, subject,
          "has no leaf in the log (added outside Clearway, or its leaf was deleted)");
      return std::nullopt;
    }
    LeafInfo& leaf = leaves_[found->second];
    leaf.claimed = true;
    if (!declaration_id.empty()) {
      placed.index = found->second;
      placed.record_id = expected.record_id;
      per_declaration_[declaration_id].push_back(std::move(placed));
    }
    const std::string where = " (" + LeafName(found->second) + ")";
    if (leaf.entry.kind != expected.kind) {
      Add(Kind::kAltered, subject, "its leaf has kind " + leaf.entry.kind + where);
    } else if (!salted) {
      Add(Kind::kAltered, subject, "its commitment salt is missing" + where);
    } else if (leaf.entry.commitment != expected.commitment) {
      Add(Kind::kAltered, subject, "does not match the commitment in its leaf" + where);
    } else if (!leaf.damaged) {
      return found->second;
    }
    return std::nullopt;
  }

  // PurgedBy() is the leaf index of the verified purge that removed the record of `leaf`, or
  // nullopt when no purge covers it.
  std::optional<uint64_t> PurgedBy(const ledger::LeafEntry& leaf) const {
    const std::string declaration = store::DeclarationOfRecord(leaf.record_id);
    if (!declaration.empty()) {
      auto found = purged_declarations_.find(declaration);
      if (found != purged_declarations_.end()) return found->second;
    }
    const std::string event = store::SecurityEventOfRecord(leaf.record_id);
    if (!event.empty()) {
      auto found = purged_events_.find(event);
      if (found != purged_events_.end()) return found->second;
    }
    return std::nullopt;
  }

  // The columns queries filter on are copies of the committed event; a copy edited to hide an
  // event from a filtered search is reported (the commitment covers the event itself).
  void CheckSecurityEventCopies(const store::SecurityEventRow& row) {
    auto event = identity::ParseSecurityEventJson(row.event);
    const bool agrees = event.ok() && event->id == row.id && event->time == row.at &&
                        identity::SecurityEventTypeName(event->type) == row.type &&
                        identity::SecurityOutcomeName(event->outcome) == row.outcome &&
                        event->actor == row.actor;
    if (!agrees) {
      Add(Kind::kAltered, "record " + store::SecurityEventRecordId(row.id),
          "its searchable columns differ from the event it commits to");
    }
  }

  void ReportOrphanLeaves() {
    for (uint64_t index = 0; index < leaves_.size(); ++index) {
      const LeafInfo& leaf = leaves_[index];
      if (!leaf.decodes || leaf.claimed) continue;
      if (by_record_.at(leaf.entry.record_id) != index) continue;  // a duplicate, reported
      if (std::optional<uint64_t> purge = PurgedBy(leaf.entry); purge.has_value()) {
        if (index < *purge) {
          ++report_.purged_records;  // its leaf stays; the record went with the purge
          continue;
        }
        Add(Kind::kInserted, LeafName(index),
            "commits to " + leaf.entry.record_id + ", which was purged earlier (" +
                LeafName(*purge) + ")");
        continue;
      }
      if (checkpoint_.has_value() && index >= checkpoint_->size) {
        // Past the signed log, a leaf without its record was most likely added by hand.
        Add(Kind::kInserted, LeafName(index),
            "lies beyond the signed checkpoint and commits to " + leaf.entry.record_id +
                ", which does not exist");
        continue;
      }
      Add(Kind::kDeleted, "record " + leaf.entry.record_id,
          "is missing, yet " + LeafName(index) + " commits to it");
    }
  }

  void CheckOrder() {
    for (auto& [id, records] : per_declaration_) {
      std::sort(records.begin(), records.end(), [](const Placed& a, const Placed& b) {
        return std::tie(a.version, a.rank, a.sequence) < std::tie(b.version, b.rank, b.sequence);
      });
      for (size_t pos = 1; pos < records.size(); ++pos) {
        const Placed& before = records[pos - 1];
        const Placed& after = records[pos];
        if (after.index > before.index) continue;
        Add(Kind::kReordered, LeafName(after.index),
            "holds " + after.record_id + ", which happened after " + before.record_id + " (" +
                LeafName(before.index) + ")");
      }
    }
  }

  std::optional<Hash> Node(size_t level, uint64_t index) const {
    if (level >= nodes_.size() || index >= nodes_[level].size()) return std::nullopt;
    return nodes_[level][index];
  }

  bool Usable(uint64_t index) const {
    return index < leaves_.size() && leaves_[index].present && !leaves_[index].damaged;
  }

  // PairMatches() is whether leaves 2k, 2k+1 (hashes from `hashes`) give stored node (1, k).
  bool PairMatches(const std::vector<Hash>& hashes, uint64_t pair) const {
    std::optional<Hash> node = Node(1, pair);
    return node.has_value() &&
           ledger::HashChildren(hashes[2 * pair], hashes[2 * pair + 1]) == *node;
  }

  // CheckTree() compares every stored node with the hash of its children (recomputed leaves
  // for level 1). A node that disagrees with its children and with its parent was altered
  // itself; a level-1 node that disagrees only with its leaves points at the leaves.
  void CheckTree() {
    const uint64_t n = leaves_.size();
    std::vector<Hash> hashes(n);
    for (uint64_t index = 0; index < n; ++index) hashes[index] = leaves_[index].computed;
    std::vector<std::set<uint64_t>> bad(2);  // bad[level]: nodes that are not their children's hash
    for (size_t level = 1; level < 64 && (n >> level) > 0; ++level) {
      if (bad.size() <= level + 1) bad.resize(level + 2);
      for (uint64_t index = 0; index < (n >> level); ++index) {
        std::optional<Hash> node = Node(level, index);
        if (!node.has_value()) {
          Add(Kind::kDeleted, NodeName(level, index), "is missing from the stored tree");
          continue;
        }
        std::optional<Hash> left, right;
        if (level == 1) {
          if (!Usable(2 * index) || !Usable(2 * index + 1)) continue;
          left = hashes[2 * index];
          right = hashes[2 * index + 1];
        } else {
          left = Node(level - 1, 2 * index);
          right = Node(level - 1, 2 * index + 1);
        }
        if (left && right && ledger::HashChildren(*left, *right) != *node) bad[level].insert(index);
      }
    }
    std::vector<uint64_t> bad_pairs;
    std::set<std::pair<size_t, uint64_t>> explained;
    for (size_t level = 1; level < bad.size(); ++level) {
      for (uint64_t index : bad[level]) {
        const bool parent_bad = level + 1 < bad.size() && bad[level + 1].count(index / 2) > 0;
        if (parent_bad) {
          Add(Kind::kAltered, NodeName(level, index),
              "hashes neither its children nor into its parent");
          explained.insert({level + 1, index / 2});
        } else if (explained.count({level, index}) > 0) {
          continue;
        } else if (level == 1) {
          bad_pairs.push_back(index);
        } else {
          Add(Kind::kAltered, NodeName(level, index), "is not the hash of its two children");
        }
      }
    }
    ExplainBadPairs(hashes, bad_pairs);
  }

  static std::string NodeName(size_t level, uint64_t index) {
    return "tree node (" + std::to_string(level) + ", " + std::to_string(index) + ")";
  }

  // ExplainBadPairs() names swapped leaves: a transposition of two suspects that makes every
  // pair it touches match the stored tree again. What no swap explains is reported as such.
  void ExplainBadPairs(std::vector<Hash> hashes, const std::vector<uint64_t>& bad_pairs) {
    if (bad_pairs.empty()) return;
    const uint64_t n = hashes.size();
    std::vector<uint64_t> suspects;
    for (uint64_t pair : bad_pairs) {
      suspects.push_back(2 * pair);
      suspects.push_back(2 * pair + 1);
    }
    if (n % 2 == 1 && Usable(n - 1)) suspects.push_back(n - 1);  // the lone last leaf
    std::set<uint64_t> fixed;
    if (suspects.size() <= kMaxSwapSuspects) {
      std::set<uint64_t> used;
      const std::set<uint64_t> bad(bad_pairs.begin(), bad_pairs.end());
      for (size_t a = 0; a < suspects.size(); ++a) {
        for (size_t b = a + 1; b < suspects.size(); ++b) {
          const uint64_t x = suspects[a];
          const uint64_t y = suspects[b];
          if (used.count(x) || used.count(y)) continue;
          std::swap(hashes[x], hashes[y]);
          std::set<uint64_t> touched;
          for (uint64_t leaf : {x, y}) {
            if (leaf / 2 < n / 2) touched.insert(leaf / 2);
          }
          bool explains = !touched.empty();
          for (uint64_t pair : touched)
            explains = explains && bad.count(pair) && PairMatches(hashes, pair);
          if (!explains) {
            std::swap(hashes[x], hashes[y]);
            continue;
          }
          used.insert(x);
          used.insert(y);
          fixed.insert(touched.begin(), touched.end());
          Add(Kind::kReordered, "leaves " + std::to_string(x) + " and " + std::to_string(y),
              "are swapped: each holds the other's place in the tree (" +
                  leaves_[x].entry.record_id + ", " + leaves_[y].entry.record_id + ")");
        }
      }
    }
    for (uint64_t pair : bad_pairs) {
      if (fixed.count(pair)) continue;
      Add(Kind::kAltered,
          "leaves " + std::to_string(2 * pair) + " and " + std::to_string(2 * pair + 1),
          "do not hash to the stored tree node (1, " + std::to_string(pair) +
              "): altered, inserted, deleted or reordered");
    }
  }

  void CheckCheckpoint() {
    const uint64_t n = leaves_.size();
    if (!checkpoint_.has_value()) {
      report_.notes.push_back("no signed checkpoint is kept: nothing to compare the tree with");
      return;
    }
    const std::string subject = "checkpoint of size " + std::to_string(checkpoint_->size);
    auto opened = ledger::OpenCheckpoint(checkpoint_->note, key_);
    if (!opened.ok()) {
      Add(Kind::kAltered, subject,
          "its signature does not verify with the log's key (" + opened.error().reason + ")");
      return;
    }
    const ledger::Checkpoint& signed_checkpoint = opened->checkpoint;
    report_.checkpoint_size = signed_checkpoint.size;
    if (signed_checkpoint.size != checkpoint_->size ||
        signed_checkpoint.root != checkpoint_->root) {
      Add(Kind::kAltered, subject, "its stored size or root differs from its signed note");
    }
    if (signed_checkpoint.size > n) {
      Add(Kind::kDeleted,
          "leaves " + std::to_string(n) + ".." + std::to_string(signed_checkpoint.size - 1),
          "the signed checkpoint covers " + std::to_string(signed_checkpoint.size) +
              " leaves but the log holds " + std::to_string(n));
      return;
    }
    std::vector<Hash> hashes;
    hashes.reserve(signed_checkpoint.size);
    for (uint64_t index = 0; index < signed_checkpoint.size; ++index) {
      if (!leaves_[index].present) {
        report_.notes.push_back("the root cannot be recomputed: leaves are missing");
        return;
      }
      hashes.push_back(leaves_[index].computed);
    }
    if (ledger::RootFromLeaves(hashes) != signed_checkpoint.root) {
      Add(Kind::kAltered, "log",
          "leaves 0.." + std::to_string(signed_checkpoint.size - 1) +
              " do not hash to the root of the signed checkpoint of size " +
              std::to_string(signed_checkpoint.size));
    }
    if (n > signed_checkpoint.size) {
      report_.notes.push_back(std::to_string(n - signed_checkpoint.size) +
                              " leaves are newer than the latest signed checkpoint");
    }
  }

  const ledger::VerifierKey& key_;
  std::vector<LeafInfo> leaves_;  // by index
  std::unordered_map<std::string, uint64_t> by_record_;
  std::vector<std::vector<std::optional<Hash>>> nodes_;  // [level][index], level >= 1
  std::map<std::string, std::vector<Placed>> per_declaration_;
  // Declarations and security events removed by a purge whose entry verified, with the index
  // of the purge's leaf.
  std::unordered_map<std::string, uint64_t> purged_declarations_;
  std::unordered_map<std::string, uint64_t> purged_events_;
  std::optional<store::CheckpointRow> checkpoint_;
  AuditReport report_;
};

}  // namespace

std::string_view AuditFindingKindName(AuditFindingKind kind) {
  switch (kind) {
    case AuditFindingKind::kAltered:
      return "altered";
    case AuditFindingKind::kDeleted:
      return "deleted";
    case AuditFindingKind::kInserted:
      return "inserted";
    case AuditFindingKind::kReordered:
      return "reordered";
  }
  return "altered";
}

Result<AuditReport> AuditLedger(store::Store& store, const ledger::VerifierKey& log_key) {
  Auditor auditor(log_key);
  CW_RETURN_IF_ERROR(store.ReadLedgerSnapshot(
      [&auditor](store::LedgerSnapshot& snapshot) { return auditor.Read(snapshot); }));
  return auditor.Finish();
}

}  // namespace clearway::app
