// File: app/risk_service.h
//
// RiskService runs the risk engine (risk/engine.h) inside the server. At start it builds one
// risk::RiskEngine from
//   - the promoted model of its ModelRegistry (app/model_registry.h: DATA_DIR/models, or the
//     registry shared by every node of a PostgreSQL store: a model promoted through another
//     node is loaded before the next assessment, see SyncModel()); none promoted: no model
//     (profiles, the unit-price anomaly and the random rate decide alone);
//   - the active profiles of its ProfileStore (DATA_DIR/risk/profiles.json, or the profiles
//     shared by every node of a PostgreSQL store: another node's change reaches this engine
//     before the next assessment, see SyncProfiles());
//   - a history: the [risk] history CSV (default DATA_DIR/risk/history.csv when present) and
//     the latest stored declarations (replay_limit), labelled by the inspection results of its
//     InspectionLog (app/inspection_log.h: DATA_DIR/risk/inspections.csv, or the results
//     shared by every node of a PostgreSQL store: another node's results are learnt before
//     the next assessment, each once, see SyncInspections());
//   - the office policies of the [risk] configuration (app/risk_config.h).
// It turns a declaration into the engine's lines (prices converted to the engine's currency
// with the tariff's exchange rates, the duty from the quote), learns each filed declaration
// (Observe) and each inspection result, and serves the risk analysts' profile work: list,
// create, test against stored declarations, activate, retire. Activations reach the running
// engine at once (RiskEngine::SetProfiles).
//
//   CW_ASSIGN_OR_RETURN(auto risk, app::RiskService::Open(config.risk, data_dir, store, tariff,
//                                                          clock));
//   auto lines = risk->Lines(declaration, id, now, &figures);
//   CW_ASSIGN_OR_RETURN(risk::Assessment a, risk->Assess(lines));
//   risk->Observe(lines);   // once the filing is durable
//
// Who may do what: profiles belong to risk analysts (administrators may list them; everyone
// else kPermissionDenied "forbidden"); inspection results to the officers of the declaration's
// office.
//
// Thread safety: every method may be called from many threads. Reload() swaps the engine;
// assessments in flight finish on the engine they started with.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/inspection_log.h"
#include "app/model_registry.h"
#include "app/profile_store.h"
#include "app/risk_config.h"
#include "common/result.h"
#include "common/time.h"
#include "declaration/declaration.h"
#include "identity/identity.h"
#include "risk/risk.h"
#include "store/store.h"
#include "tariff/tariff.h"

namespace clearway::app {

// QuoteFigures are what the risk view takes from a duty quote, per goods item in order, in
// the quote's currency (major units): the customs value and the customs duty.
struct QuoteFigures {
  std::string currency;
  std::vector<std::pair<double, double>> value_and_duty;
};

// QuoteFiguresOf() reads them from a quote, or from a quote's JSON text (QuoteToJson());
// nullopt for text that is empty or not a quote.
QuoteFigures QuoteFiguresOf(const tariff::DutyQuote& quote);
std::optional<QuoteFigures> QuoteFiguresOf(std::string_view quote_json);

// ProfileTrial is what trying a profile on the stored declarations found.
struct ProfileTrial {
  std::string profile;
  size_t declarations = 0;      // stored declarations looked at (latest versions)
  size_t lines = 0;             // their goods items
  size_t declaration_hits = 0;  // declarations with at least one line hit
  size_t line_hits = 0;
  size_t inspected_hits = 0;    // hit declarations with an inspection result
  size_t fraud_hits = 0;        // ... whose result found fraud
};

class RiskService {
 public:
  // Open() builds the engine (see the file comment). `data_dir` holds models/ and risk/.
  // `profiles` replaces DATA_DIR/risk/profiles.json (the shared profiles of a PostgreSQL
  // store). `models` replaces the registry directory ([risk] models, default DATA_DIR/models;
  // the shared registry of a PostgreSQL store). Errors: a promoted model that is tampered or
  // unreadable (kDataLoss "model-tampered", "bad-model"), an unreadable history CSV or profile
  // store, a bad policy.
  static Result<std::unique_ptr<RiskService>> Open(RiskConfig config, std::string data_dir,
                                                   store::Store& store,
                                                   tariff::TariffStore& tariff,
                                                   const Clock& clock,
                                                   std::unique_ptr<ProfileStore> profiles = nullptr,
                                                   std::unique_ptr<ModelRegistry> models = nullptr,
                                                   std::unique_ptr<InspectionLog> inspections = nullptr);

  // SyncInspections() has the engine learn the inspection results recorded (on any node)
  // after the last one it learnt; Assess() does it first. Errors of the log.
  Status SyncInspections();

  // SyncModel() rebuilds the engine (Reload()) when a model was promoted since the engine's
  // model was read (another node's promotion, ModelRegistry::Generation()); Assess() does it
  // first. Errors of the registry and of Reload() (the old engine stays).
  Status SyncModel();

  // SyncProfiles() hands the engine the active profiles when another node changed them since
  // they were last read (ProfileStore::Refresh()); Assess() and the profile calls do it first.
  // Errors of the profile store.
  Status SyncProfiles();

  // Reload() builds a new engine from the current model, profiles and history and swaps it in
  // (e.g. after a model is promoted). Errors as Open(); the old engine stays on error.
  Status Reload();

  const RiskConfig& config() const { return config_; }
  RoutingMode routing() const { return routing_.load(); }
  // set_routing() changes what filings do with the engine's decision from now on.
  void set_routing(RoutingMode mode) { routing_.store(mode); }
  std::string model_version() const;
  ProfileStore& profiles() { return *profiles_; }
  ModelRegistry& models() { return *models_; }
  // Counters for /metrics: quota draws refused after filing, lines observed.
  uint64_t quota_draw_failures() const { return quota_draw_failures_.load(); }
  void CountQuotaDrawFailure() { quota_draw_failures_.fetch_add(1); }

  // Lines() is the engine's view of a declaration lodged at `at`: one record per goods item,
  // id = `id`, prices (and duties from `figures`, when given) converted to the engine's
  // currency. An amount whose currency has no rate on that day stays as it is and the record
  // names its currency (so its unit price is compared only with prices in that currency).
  std::vector<risk::DeclarationRecord> Lines(const declaration::Declaration& declaration,
                                             const std::string& id, Timestamp at,
                                             const QuoteFigures* figures);

  // Assess() decides the lines (risk::RiskEngine::AssessRecords()).
  Result<risk::Assessment> Assess(const std::vector<risk::DeclarationRecord>& lines);

  // Observe() adds the lines of a filed declaration to the engine's history.
  void Observe(const std::vector<risk::DeclarationRecord>& lines);

  // ---- Risk profiles (risk analysts) ----

  // ListProfiles(): every profile, with its state.
  Result<std::vector<risk::RiskProfile>> ListProfiles(const identity::Principal& principal);

  // CreateProfile() stores one profile (risk::ParseProfiles() form) as a draft. Errors of
  // ParseProfiles() ("bad-profile", "unknown-lane", "empty-profile", "bad-weight", "bad-date",
  // "bad-validity", "malformed-json"), "profile-exists", "write-failed", "forbidden".
  Result<risk::RiskProfile> CreateProfile(const identity::Principal& principal,
                                          std::string_view json_text);

  // TestProfile() tries a profile (whatever its state) on the latest stored declarations (at
  // most replay_limit). "profile-not-found", "forbidden".
  Result<ProfileTrial> TestProfile(const identity::Principal& principal, const std::string& id);

  // ActivateProfile()/RetireProfile() change the state and hand the active profiles to the
  // engine. "profile-not-found", "illegal-profile-transition", "write-failed", "forbidden".
  Result<risk::RiskProfile> ActivateProfile(const identity::Principal& principal,
                                            const std::string& id);
  Result<risk::RiskProfile> RetireProfile(const identity::Principal& principal,
                                          const std::string& id);

  // ---- Inspection results (officers) ----

  // RecordInspection() records what an officer of the declaration's office found, from
  // {"fraudFound": bool, "dutiesRaised": "120.00" (EUR, default "0"), "inspectedOn":
  // "YYYY-MM-DD" (default today)}: appended to the InspectionLog (DATA_DIR/risk/inspections.csv,
  // the feedback file `clearway risk train --feedback` merges, or the shared table) and
  // learned by the engine. Errors:
  // "declaration-not-found"; "forbidden"; kFailedPrecondition "not-inspectable" (the
  // declaration was never under control nor released); kInvalidArgument "wrong-type",
  // "required", "unknown-field", "bad-amount", "bad-date", "date-in-future", "empty-body";
  // kUnavailable "write-failed" ("model-store-failed" on PostgreSQL).
  Result<InspectionRecord> RecordInspection(const identity::Principal& principal,
                                            const std::string& declaration_id,
                                            const boost::json::value& body);

 private:
  RiskService(RiskConfig config, std::string data_dir, store::Store& store,
              tariff::TariffStore& tariff, const Clock& clock);
  // BuildEngine() sets `model_generation` to the promotion of the model it loaded.
  // and `learnt` to the number of the last inspection result it learnt.
  Result<std::shared_ptr<risk::RiskEngine>> BuildEngine(int64_t& model_generation,
                                                        int64_t& learnt);
  // Learn() has `engine` learn one inspection result (of the declaration's latest version).
  void Learn(risk::RiskEngine& engine, const risk::InspectionResult& result);
  std::shared_ptr<risk::RiskEngine> engine() const;
  // Converted() is `amount` in `currency` expressed in the engine's currency on `day`, or
  // nullopt when a rate is missing.
  std::optional<double> Converted(double amount, const std::string& currency, Date day);
  // StoredLines() is the risk view of a stored declaration version (payload and assessment).
  Result<std::vector<risk::DeclarationRecord>> StoredLines(const store::DeclarationRow& row);
  // ForEachStored() visits the latest version of up to replay_limit stored declarations, newest
  // first, until `visit` returns false.
  Status ForEachStored(const std::function<bool(const store::DeclarationRow&)>& visit);

  const RiskConfig config_;
  const std::string data_dir_;
  store::Store& store_;
  tariff::TariffStore& tariff_;
  const Clock& clock_;
  std::unique_ptr<ProfileStore> profiles_;
  std::unique_ptr<ModelRegistry> models_;
  std::unique_ptr<InspectionLog> inspections_;
  std::atomic<RoutingMode> routing_;
  std::atomic<uint64_t> quota_draw_failures_{0};

  mutable std::mutex engine_mu_;                // guards engine_ (the pointer, not the engine)
  std::shared_ptr<risk::RiskEngine> engine_;    // shared: in-flight assessments keep theirs
  int64_t model_generation_ = 0;                // guarded by engine_mu_: of engine_'s model
  std::mutex reload_mu_;                        // one Reload() at a time
  // A profile change and handing the active profiles to the engine happen together, so two
  // changes cannot reach the engine in the other order.
  std::mutex profile_change_mu_;
  // The number of the last inspection result engine_ learnt; written under reload_mu_.
  std::atomic<int64_t> learnt_inspections_{0};
};

}  // namespace clearway::app
