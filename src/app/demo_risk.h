// File: app/demo_risk.h
//
// The demo's risk engine: a small fraud model trained, at the demo's first start, on
// declarations the project generates itself (the demo's goods, traders and EUR prices, with a
// planted fraud pattern: five dishonest importers and undervalued lines), that generated
// history for the engine's features (DATA_DIR/risk/history.csv), and a few demo risk profiles
// (DATA_DIR/risk/profiles.json). Training takes well under a second in a release build (40
// rounds of depth-4 trees on 3,200 of 4,000 lines, one pass over the features); later starts
// reuse the promoted model.
//
//   CW_RETURN_IF_ERROR(app::SeedDemoRisk(runtime));   // model, history, profiles; reloads
//
// Thread safety: call before serving.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/runtime.h"
#include "common/result.h"
#include "common/time.h"
#include "declaration/lifecycle.h"
#include "risk/dataset.h"
#include "risk/profiles.h"

namespace clearway::app {

// GenerateDemoHistory() makes `rows` goods lines dated over the 120 days before `end`
// (exclusive), deterministic for a seed, labelled (fraud / not).
std::vector<risk::DeclarationRecord> GenerateDemoHistory(Date end, size_t rows, uint64_t seed);

// DemoProfiles() are the demo's risk profiles: frozen beef from AR (red), low-value T-shirts
// from BD (yellow), furniture from VN (weight), and a draft on cheap smartphones from TW.
std::vector<risk::RiskProfile> DemoProfiles();

// SeedDemoRisk() trains and promotes the demo model when DATA_DIR/models has none, writes the
// generated history when DATA_DIR/risk/history.csv is missing, stores the demo profiles when
// there are none, and reloads the runtime's engine. Errors from training, the files, and
// RiskService::Reload(); kFailedPrecondition "risk-engine-unavailable" without an engine.
Status SeedDemoRisk(Runtime& runtime);

// DemoDecisionApplies() is true when an officer could take `action` on the declaration now:
// the demo's scripted decisions predate the risk engine, which may have routed the
// declaration at filing already (a route to where it is, or a release of a released one, is
// skipped).
bool DemoDecisionApplies(Runtime& runtime, const std::string& declaration_id,
                         declaration::Action action);

}  // namespace clearway::app
