// File: app/inspection_log.h
//
// InspectionLog keeps the inspection results officers record (app::RiskService), in order,
// each with a sequence number from 1:
//   - DATA_DIR/risk/inspections.csv of one node (the feedback file `clearway risk train
//     --feedback` merges), OpenFileInspectionLog(), unchanged for SQLite installations;
//   - the risk_inspections table of a PostgreSQL store shared by every node
//     (app/shared_risk.h), so that a result recorded on one node labels every node's history.
// A node remembers the number of the last result its engine learnt and learns only those
// after it (After()), so nothing is counted twice.
//
//   CW_ASSIGN_OR_RETURN(int64_t seq, log->Append(record));
//   CW_ASSIGN_OR_RETURN(auto fresh, log->After(learnt));   // seq > learnt, in order
//
// Thread safety: implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "risk/risk.h"

namespace clearway::app {

// InspectionRecord is an inspection result as recorded.
struct InspectionRecord {
  std::string declaration_id;
  int64_t version = 0;
  bool fraud_found = false;
  std::string duties_raised;  // decimal text in the tariff currency (EUR)
  Date inspected_on = std::chrono::year{1970} / 1 / 1;
  std::string recorded_by;
};

struct InspectionEntry {
  int64_t seq = 0;
  risk::InspectionResult result;
};

class InspectionLog {
 public:
  virtual ~InspectionLog() = default;
  // Append() keeps one result and gives its sequence number. kUnavailable "write-failed"
  // (file) or "model-store-failed" (PostgreSQL): nothing is kept.
  virtual Result<int64_t> Append(const InspectionRecord& record) = 0;
  // After() gives the results numbered above `seq`, in order. Errors of reading.
  virtual Result<std::vector<InspectionEntry>> After(int64_t seq) = 0;
  // Last() is the number of the latest result, 0 when none (cheap: asked before every
  // assessment).
  virtual Result<int64_t> Last() = 0;
};

// OpenFileInspectionLog() is the CSV file at `path` (created, mode 0600, on the first Append;
// its header declaration_id,fraud_found,duties_raised,inspected_on). Only this process
// appends to it; the sequence number of a result is its row.
std::unique_ptr<InspectionLog> OpenFileInspectionLog(std::string path);

}  // namespace clearway::app
