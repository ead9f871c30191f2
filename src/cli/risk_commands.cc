#include "cli/risk_commands.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <boost/json.hpp>

#include "app/config.h"
#include "app/shared_risk.h"
#include "cli/client_commands.h"
#include "cli/output.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "declaration/declaration.h"
#include "risk/risk.h"

namespace clearway::cli {

namespace {

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kCannotRun = 2;

struct RiskFlags {
  std::string data;
  std::string schema;
  std::string out = "var/models";
  std::string model;
  std::string eval_from;
  std::string feedback;
  std::string file;
  std::string id;
  std::string history;
  std::string declaration;
  std::string profiles;
  std::string store_url;  // postgres://: the shared model registry (train, promote)
  double eval_share = 0.25;
  int rounds = 400;
  bool json = false;
  // The server commands (profiles on the server, assessments, inspection results).
  Connection conn;
  int version = 0;
  std::string fraud;     // "yes" | "no"
  std::string duties;    // decimal EUR
  std::string inspected_on;
};

[[noreturn]] void Finish(int code) { throw CLI::RuntimeError(code); }

int Trouble(const Error& error) {
  std::cerr << "clearway: " << error.message;
  if (!error.field_path.empty()) std::cerr << " [" << error.field_path << "]";
  if (!error.reason.empty()) std::cerr << " (" << error.reason << ")";
  std::cerr << "\n";
  bool refused = error.code == ErrorCode::kDataLoss || error.code == ErrorCode::kFailedPrecondition;
  return refused ? kRefused : kCannotRun;
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("file-not-found", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return Error::Unavailable("io-failed", "cannot write " + path);
  return OkStatus();
}

Result<risk::CsvSchema> SchemaOf(const RiskFlags& f) {
  if (f.schema.empty()) return risk::KcsSchema();
  return risk::ReadSchemaFile(f.schema);
}

Result<std::vector<risk::DeclarationRecord>> LoadData(const RiskFlags& f, std::string* sha256) {
  CW_ASSIGN_OR_RETURN(risk::CsvSchema schema, SchemaOf(f));
  CW_ASSIGN_OR_RETURN(std::string text, ReadText(f.data));
  if (sha256 != nullptr) *sha256 = crypto::ToHex(crypto::Sha256(text));
  return risk::ReadCsv(text, schema);
}

// SharedRegistryUrl() is the postgres:// store of --store (else $CLEARWAY_STORE), or "" for
// the registry directory of --out / --model.
std::string SharedRegistryUrl(const RiskFlags& f) {
  app::StoreConfig store;
  store.url = FromEnv(f.store_url, "CLEARWAY_STORE");
  return app::IsPostgresStore(store) ? store.url : std::string();
}

Result<Date> DateFlag(const std::string& text, const char* flag) {
  auto d = ParseDate(text);
  if (!d.ok())
    return Error::InvalidArgument(flag, "bad-date", std::string(flag) + " is YYYY-MM-DD");
  return *d;
}

void PrintMetrics(const risk::RankingMetrics& m) {
  std::printf(" n%%   precision  recall  revenue\n");
  for (int p : risk::kInspectionPercents) {
    std::printf("%2d%%   %9.3f  %6.3f  %7.3f\n", p, m.precision_at.at(p), m.recall_at.at(p),
                m.revenue_at.at(p));
  }
  std::printf("AUC %.4f over %zu declaration lines, fraud base rate %.3f\n", m.auc, m.rows,
              m.base_rate);
  std::printf(
      "revenue@n%% = duty at stake (item price x tax rate / 100, or the schema's duty "
      "column) of the fraudulent lines inspected / of all fraudulent lines\n");
}

int Train(const RiskFlags& f) {
  std::string sha;
  auto records = LoadData(f, &sha);
  if (!records.ok()) return Trouble(records.error());
  size_t feedback_labels = 0;
  if (!f.feedback.empty()) {
    auto text = ReadText(f.feedback);
    if (!text.ok()) return Trouble(text.error());
    auto results = risk::ParseInspectionResults(*text);
    if (!results.ok()) return Trouble(results.error());
    risk::MergeReport merged = risk::MergeFeedback(*records, *results);
    feedback_labels = merged.matched;
    std::printf("feedback: %zu results merged (%zu lines relabelled), %zu name no declaration\n",
                merged.matched, merged.relabelled, merged.unmatched);
  }
  Result<risk::TimeSplit> split = Error::Internal("", "");
  if (!f.eval_from.empty()) {
    auto from = DateFlag(f.eval_from, "--eval-from");
    if (!from.ok()) return Trouble(from.error());
    split = risk::SplitAt(*records, *from);
  } else {
    split = risk::ChooseSplit(*records, f.eval_share);
  }
  if (!split.ok()) return Trouble(split.error());
  risk::TrainingOptions options;
  options.rounds = f.rounds;
  auto trained = risk::TrainWithHoldout(*records, *split, options);
  if (!trained.ok()) return Trouble(trained.error());
  risk::ModelMetadata meta;
  meta.created_at = FormatTimestamp(SystemClock().Now());
  auto schema = SchemaOf(f);
  meta.schema = schema.ok() ? schema->name : "";
  meta.data_sha256 = sha;
  meta.feedback_labels = feedback_labels;
  meta.split = trained->split;
  meta.metrics = trained->metrics;
  meta.options = options;
  meta.training_seconds = trained->training_seconds;
  meta.feature_names = risk::FeatureBuilder::FeatureNames();
  const std::string shared = SharedRegistryUrl(f);
  Result<std::unique_ptr<app::ModelRegistry>> registry =
      shared.empty() ? app::OpenFileModelRegistry(f.out)
                     : app::OpenPostgresModelRegistry(shared, "clearway-risk-train");
  if (!registry.ok()) return Trouble(registry.error());
  auto dir = (*registry)->Save(trained->model, meta);
  if (!dir.ok()) return Trouble(dir.error());
  std::printf(
      "trained on %s up to %s exclusive (%zu lines) in %.1f s; "
      "evaluated on %s..%s (%zu lines, "
      "labels frozen at the split)\n",
      FormatDate(meta.split.train_from).c_str(), FormatDate(meta.split.eval_from).c_str(),
      meta.split.train_rows, meta.training_seconds, FormatDate(meta.split.eval_from).c_str(),
      FormatDate(meta.split.eval_to).c_str(), meta.split.eval_rows);
  PrintMetrics(meta.metrics);
  std::printf("model %s\nsaved in %s (promote with: clearway risk promote --model %s%s)\n",
              trained->model.id().c_str(),
              shared.empty() ? dir->c_str() : "the shared model registry", dir->c_str(),
              shared.empty() ? "" : " --store postgres://…");
  return kDone;
}

int ListModels(const RiskFlags& f) {
  const std::string shared = SharedRegistryUrl(f);
  Result<std::unique_ptr<app::ModelRegistry>> registry =
      shared.empty() ? app::OpenFileModelRegistry(f.out)
                     : app::OpenPostgresModelRegistry(shared, "clearway-risk-models");
  if (!registry.ok()) return Trouble(registry.error());
  auto listing = (*registry)->List();
  if (!listing.ok()) return Trouble(listing.error());
  std::printf("  id                                                                created_at            AUC     data\n");
  for (const risk::ModelMetadata& m : listing->models) {
    std::printf("%s %s  %-20s  %.4f  %s\n", m.id == listing->current ? "*" : " ", m.id.c_str(),
                m.created_at.c_str(), m.metrics.auc, m.data_sha256.substr(0, 12).c_str());
  }
  if (listing->models.empty()) std::printf("no models\n");
  return kDone;
}

Result<risk::PeriodScores> ScoreWith(const RiskFlags& f, const risk::LoadedModel& loaded,
                                     std::vector<risk::DeclarationRecord>& records) {
  CW_ASSIGN_OR_RETURN(records, LoadData(f, nullptr));
  Date from = loaded.meta.split.eval_from;
  if (!f.eval_from.empty()) {
    CW_ASSIGN_OR_RETURN(from, DateFlag(f.eval_from, "--eval-from"));
  }
  if (records.front().date >= from) {
    std::cerr << "clearway: note: the file has no rows before " << FormatDate(from)
              << ", so every row is scored without history\n";
  }
  return risk::ScorePeriod(loaded.model, records, from);
}

int Eval(const RiskFlags& f) {
  auto loaded = risk::LoadModel(f.model);
  if (!loaded.ok()) return Trouble(loaded.error());
  std::vector<risk::DeclarationRecord> records;
  auto scored = ScoreWith(f, *loaded, records);
  if (!scored.ok()) return Trouble(scored.error());
  if (f.json) {
    std::printf("%s\n", risk::MetricsToJson(scored->metrics).c_str());
    return kDone;
  }
  const auto& first = records[scored->rows.front()];
  std::printf("model %s on %s..%s (labels frozen at the first day)\n", loaded->meta.id.c_str(),
              FormatDate(first.date).c_str(), FormatDate(records.back().date).c_str());
  PrintMetrics(scored->metrics);
  return kDone;
}

int Drift(const RiskFlags& f) {
  auto loaded = risk::LoadModel(f.model);
  if (!loaded.ok()) return Trouble(loaded.error());
  std::vector<risk::DeclarationRecord> records;
  auto scored = ScoreWith(f, *loaded, records);
  if (!scored.ok()) return Trouble(scored.error());
  auto drift = risk::MeasureDrift(records, scored->rows, scored->scores);
  if (!drift.ok()) return Trouble(drift.error());
  std::printf("month    lines  mean score   PSI    fraud rate  top-10%% hit rate\n");
  for (const auto& p : *drift) {
    std::printf("%s  %6zu  %9.3f  %6.3f  %9.3f  %9.3f\n", p.month.c_str(), p.rows, p.mean_score,
                p.psi, p.fraud_rate, p.top_decile_hit_rate);
  }
  std::printf("PSI against the first month: < 0.1 stable, 0.1-0.25 moderate, > 0.25 drifted\n");
  return kDone;
}

// The server's variants of `risk profiles …`: no FILE given, the profiles are the server's.
int OnServer(const RiskFlags& f, std::string_view method, const std::string& path,
             const std::string& body = "") {
  return ApiCall(f.conn, method, path, body);
}

int ProfilesTest(const RiskFlags& f) {
  if (f.file.empty()) {
    if (f.id.empty()) {
      return Trouble(Error::InvalidArgument("--id", "required",
                                            "give FILE and --data (offline) or --id (server)"));
    }
    return OnServer(f, "POST", "/v1/risk/profiles/" + UrlEncode(f.id) + "/test");
  }
  if (f.data.empty()) {
    return Trouble(Error::InvalidArgument("--data", "required", "FILE is tried on --data CSV"));
  }
  auto text = ReadText(f.file);
  if (!text.ok()) return Trouble(text.error());
  auto profiles = risk::ParseProfiles(*text);
  if (!profiles.ok()) return Trouble(profiles.error());
  auto records = LoadData(f, nullptr);
  if (!records.ok()) return Trouble(records.error());
  std::printf("profile                 state    hits   hit rate  fraud among hits\n");
  for (const auto& p : *profiles) {
    risk::ProfileTest t = risk::TestProfile(p, *records);
    double rate = static_cast<double>(t.hits) / static_cast<double>(t.records);
    double precision = t.labelled_hits > 0 ? static_cast<double>(t.fraud_hits) /
                                                 static_cast<double>(t.labelled_hits)
                                           : 0;
    std::printf("%-22s  %-7s  %6zu  %7.4f  %7.3f\n", p.id.c_str(),
                std::string(risk::ProfileStatusName(p.status)).c_str(), t.hits, rate, precision);
  }
  return kDone;
}

int ProfilesChange(const RiskFlags& f, bool activate) {
  if (f.file.empty()) {
    return OnServer(f, "POST",
                    "/v1/risk/profiles/" + UrlEncode(f.id) + (activate ? "/activate" : "/retire"));
  }
  auto text = ReadText(f.file);
  if (!text.ok()) return Trouble(text.error());
  auto profiles = risk::ParseProfiles(*text);
  if (!profiles.ok()) return Trouble(profiles.error());
  for (auto& p : *profiles) {
    if (p.id != f.id) continue;
    Status changed = activate ? risk::Activate(p) : risk::Retire(p);
    if (!changed.ok()) return Trouble(changed.error());
    Status written = WriteText(f.file, risk::ProfilesToJson(*profiles) + "\n");
    if (!written.ok()) return Trouble(written.error());
    std::printf("%s is now %s\n", p.id.c_str(),
                std::string(risk::ProfileStatusName(p.status)).c_str());
    return kDone;
  }
  return Trouble(Error::NotFound("profile-not-found", "no profile '" + f.id + "' in " + f.file));
}

int Assess(const RiskFlags& f) {
  auto loaded = risk::LoadModel(f.model);
  if (!loaded.ok()) return Trouble(loaded.error());
  RiskFlags history_flags = f;
  history_flags.data = f.history;
  auto history = LoadData(history_flags, nullptr);
  if (!history.ok()) return Trouble(history.error());
  std::vector<risk::RiskProfile> profiles;
  if (!f.profiles.empty()) {
    auto text = ReadText(f.profiles);
    if (!text.ok()) return Trouble(text.error());
    auto parsed = risk::ParseProfiles(*text);
    if (!parsed.ok()) return Trouble(parsed.error());
    profiles = std::move(*parsed);
  }
  auto text = ReadText(f.declaration);
  if (!text.ok()) return Trouble(text.error());
  Timestamp now = SystemClock().Now();
  auto declaration = declaration::ParseDeclarationText(*text, now);
  if (!declaration.ok()) return Trouble(declaration.error());
  risk::EngineConfig config;
  config.explain_green = true;  // asked for one declaration: explain it whatever its lane
  auto engine = risk::RiskEngine::Create(std::move(loaded->model), std::move(profiles), config,
                                         *history);
  if (!engine.ok()) return Trouble(engine.error());
  auto a = (*engine)->Assess(*declaration, now);
  if (!a.ok()) return Trouble(a.error());
  boost::json::array reasons;
  for (const auto& r : a->reasons) reasons.emplace_back(r);
  boost::json::array instructions;
  for (const auto& i : a->instructions) instructions.emplace_back(i);
  boost::json::object out{{"score", a->score},
                          {"lane", risk::LaneName(a->lane)},
                          {"channel", declaration::ChannelName(a->channel)},
                          {"postClearanceAudit", a->post_clearance_audit},
                          {"modelVersion", a->model_version},
                          {"modelProbability", a->model_probability},
                          {"unitPriceAnomaly", a->anomaly},
                          {"reasons", reasons},
                          {"instructions", instructions}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return kDone;
}

int ProfilesCreate(const RiskFlags& f) {
  auto text = ReadText(f.file);
  if (!text.ok()) return Trouble(text.error());
  auto profiles = risk::ParseProfiles(*text);  // refused here with its field, before sending
  if (!profiles.ok()) return Trouble(profiles.error());
  int worst = kDone;
  for (const auto& p : *profiles) {
    auto written = ParseJson(risk::ProfilesToJson({p}));
    if (!written.ok()) return Trouble(written.error());
    const boost::json::value& one = written->as_object().at("profiles").as_array().at(0);
    int code = OnServer(f, "POST", "/v1/risk/profiles", boost::json::serialize(one));
    worst = std::max(worst, code);
  }
  return worst;
}

int Inspection(const RiskFlags& f) {
  boost::json::object body;
  if (f.fraud != "yes" && f.fraud != "no") {
    return Trouble(Error::InvalidArgument("--fraud", "required", "--fraud yes or --fraud no"));
  }
  body["fraudFound"] = f.fraud == "yes";
  if (!f.duties.empty()) body["dutiesRaised"] = f.duties;
  if (!f.inspected_on.empty()) body["inspectedOn"] = f.inspected_on;
  return OnServer(f, "POST", "/v1/declarations/" + UrlEncode(f.id) + "/inspection-result",
                  boost::json::serialize(body));
}

}  // namespace

void AddRiskCommands(CLI::App& app) {
  auto f = std::make_shared<RiskFlags>();
  auto* risk = app.add_subcommand("risk", "Risk engine: fraud models, profiles, drift");
  risk->require_subcommand(1);
  auto run = [f](int (*command)(const RiskFlags&)) {
    return [f, command]() { Finish(command(*f)); };
  };
  auto add_data = [f](CLI::App* cmd) {
    cmd->add_option("--data", f->data, "Declarations CSV")->required();
    cmd->add_option("--schema", f->schema, "Column-mapping schema JSON (default: KCS layout)");
  };

  auto* train = risk->add_subcommand("train", "Train a model on the earlier part of a file");
  add_data(train);
  train->add_option("--out", f->out, "Model registry directory")->capture_default_str();
  train->add_option("--eval-share", f->eval_share, "Share of latest rows held out")
      ->check(CLI::Range(0.01, 0.9))
      ->capture_default_str();
  train->add_option("--eval-from", f->eval_from, "First held-out day (instead of --eval-share)");
  train->add_option("--feedback", f->feedback, "Inspection results CSV merged as labels");
  train->add_option("--rounds", f->rounds, "Boosting rounds")->check(CLI::Range(1, 5000));
  train->callback(run(Train));

  auto* eval = risk->add_subcommand("eval", "Evaluate a model on the later part of a file");
  add_data(eval);
  eval->add_option("--model", f->model, "Model directory or registry")->required();
  eval->add_option("--eval-from", f->eval_from, "First evaluated day (default: the model's split)");
  eval->add_flag("--json", f->json, "Print the metrics as JSON");
  eval->callback(run(Eval));

  auto* promote = risk->add_subcommand("promote", "Mark a model current in its registry");
  promote->add_option("--model", f->model,
                      "Model directory <registry>/<id> (a model id with a postgres:// store)")
      ->required();
  promote->callback([f]() {
    const std::string shared = SharedRegistryUrl(*f);
    Status s = OkStatus();
    if (shared.empty()) {
      s = risk::Promote(f->model);
    } else {
      // The shared registry: promoted over the promotion read (compare-and-set), so of two
      // analysts promoting at once one is told and nothing of theirs changes.
      auto registry = app::OpenPostgresModelRegistry(shared, "clearway-risk-promote");
      if (!registry.ok()) Finish(Trouble(registry.error()));
      auto generation = (*registry)->Generation();
      s = generation.ok() ? (*registry)->Promote(f->model, *generation)
                          : Status(std::move(generation).error());
    }
    if (!s.ok()) Finish(Trouble(s.error()));
    std::printf("promoted %s\n", f->model.c_str());
    Finish(kDone);
  });
  auto* models = risk->add_subcommand("models", "The models of a registry; * marks the promoted one");
  models->add_option("--out", f->out, "Model registry directory")->capture_default_str();
  models->callback([f]() { Finish(ListModels(*f)); });
  for (CLI::App* cmd : {train, promote, models}) {
    cmd->add_option("--store", f->store_url,
                    "A postgres:// store: the model registry every node shares, instead of the "
                    "directory (env CLEARWAY_STORE)");
  }

  auto* drift = risk->add_subcommand("drift", "Score distribution and hit rate per month");
  add_data(drift);
  drift->add_option("--model", f->model, "Model directory or registry")->required();
  drift->add_option("--eval-from", f->eval_from, "First day scored (default: the model's split)");
  drift->callback(run(Drift));

  auto* profiles = risk->add_subcommand(
      "profiles", "Risk profiles: in a FILE (offline), or on the server (--as USER, --url)");
  profiles->require_subcommand(1);
  auto* test = profiles->add_subcommand(
      "test", "How many past declarations a profile hits: FILE on --data CSV, or --id on the "
              "server's stored declarations");
  test->add_option("FILE", f->file, "Profiles JSON (offline)");
  test->add_option("--data", f->data, "Declarations CSV (offline)");
  test->add_option("--schema", f->schema, "Column-mapping schema JSON (default: KCS layout)");
  test->add_option("--id", f->id, "Profile id on the server");
  AddConnectionFlags(test, f->conn);
  test->callback(run(ProfilesTest));
  for (bool activate : {true, false}) {
    auto* change = profiles->add_subcommand(
        activate ? "activate" : "retire",
        activate ? "Activate a draft profile (in FILE, else on the server)"
                 : "Retire a profile (in FILE, else on the server)");
    change->add_option("FILE", f->file, "Profiles JSON, rewritten (offline)");
    change->add_option("--id", f->id, "Profile id")->required();
    AddConnectionFlags(change, f->conn);
    change->callback([f, activate]() { Finish(ProfilesChange(*f, activate)); });
  }
  auto* list = profiles->add_subcommand("list", "The server's profiles and their changes");
  AddConnectionFlags(list, f->conn);
  list->callback([f]() { Finish(OnServer(*f, "GET", "/v1/risk/profiles")); });
  auto* create = profiles->add_subcommand("create", "Store the profiles of FILE on the server, as drafts");
  create->add_option("FILE", f->file, "Profiles JSON")->required();
  AddConnectionFlags(create, f->conn);
  create->callback(run(ProfilesCreate));

  auto* assessment = risk->add_subcommand(
      "assessment", "The duty quote and risk decision made when a declaration was filed");
  assessment->add_option("ID", f->id, "Declaration id")->required();
  assessment->add_option("--version", f->version, "A past version")->check(CLI::PositiveNumber);
  AddConnectionFlags(assessment, f->conn);
  assessment->callback([f]() {
    std::string path = "/v1/declarations/" + UrlEncode(f->id) + "/assessment";
    if (f->version > 0) path += "?version=" + std::to_string(f->version);
    Finish(OnServer(*f, "GET", path));
  });

  auto* inspection = risk->add_subcommand(
      "inspection", "Record what an inspection found (officers of the declaration's office)");
  inspection->add_option("ID", f->id, "Declaration id")->required();
  inspection->add_option("--fraud", f->fraud, "yes or no")->required();
  inspection->add_option("--duties", f->duties, "Extra duties raised, EUR, e.g. 1200.00");
  inspection->add_option("--on", f->inspected_on, "Inspection date YYYY-MM-DD (default today)");
  AddConnectionFlags(inspection, f->conn);
  inspection->callback(run(Inspection));

  auto* assess = risk->add_subcommand("assess", "Assess one declaration JSON");
  assess->add_option("--model", f->model, "Model directory or registry")->required();
  assess->add_option("--history", f->history, "Past declarations CSV")->required();
  assess->add_option("--schema", f->schema, "Column-mapping schema JSON of the history");
  assess->add_option("--declaration", f->declaration, "Declaration JSON")->required();
  assess->add_option("--profiles", f->profiles, "Risk profiles JSON");
  assess->callback(run(Assess));
}

}  // namespace clearway::cli
