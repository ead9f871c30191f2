#include "app/risk_service.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>

#include "app/files.h"
#include "common/json.h"
#include "common/money.h"
#include "crypto/crypto.h"

namespace clearway::app {

namespace json = boost::json;
namespace decl = clearway::declaration;
using identity::Principal;
using identity::Role;

namespace {

// Exchange rates in the tariff are units of a currency per 1 EUR (docs/tariff.md).
constexpr std::string_view kTariffCurrency = "EUR";
constexpr int kPageSize = 500;

Error Forbidden() { return Error::PermissionDenied("forbidden", "you are not allowed to do this"); }

Status MayReadProfiles(const Principal& p) {
  if (p.role == Role::kRiskAnalyst || p.role == Role::kAdministrator) return OkStatus();
  return Forbidden();
}

Status MayWriteProfiles(const Principal& p) {
  if (p.role == Role::kRiskAnalyst) return OkStatus();
  return Forbidden();
}

double Major(int64_t minor, int exponent) {
  double scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  return static_cast<double>(minor) / scale;
}

// A ranking statistic from a decimal string ("8486.40"); 0 when it is not one.
double Number(const json::value* v) {
  if (v == nullptr || !v->is_string()) return 0;
  std::string text(v->get_string());
  return std::strtod(text.c_str(), nullptr);
}

// The inspection results a declaration got, the latest one last.
std::map<std::string, bool> LabelsOf(const std::vector<InspectionEntry>& entries) {
  std::map<std::string, bool> labels;
  for (const auto& e : entries) labels[e.result.declaration_id] = e.result.fraud_found;
  return labels;
}

bool Inspectable(const std::string& status) {
  return status == decl::StatusName(decl::DeclarationStatus::kUnderControl) ||
         status == decl::StatusName(decl::DeclarationStatus::kHeld) ||
         status == decl::StatusName(decl::DeclarationStatus::kSeized) ||
         status == decl::StatusName(decl::DeclarationStatus::kReleased);
}

}  // namespace

QuoteFigures QuoteFiguresOf(const tariff::DutyQuote& quote) {
  QuoteFigures figures;
  figures.currency = quote.currency;
  for (const auto& item : quote.items) {
    figures.value_and_duty.emplace_back(Major(item.customs_value_minor, quote.exponent),
                                        Major(item.customs_duty_minor, quote.exponent));
  }
  return figures;
}

std::optional<QuoteFigures> QuoteFiguresOf(std::string_view quote_json) {
  if (quote_json.empty()) return std::nullopt;
  auto parsed = ParseJson(quote_json);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const json::object& quote = parsed->get_object();
  const json::value* currency = quote.if_contains("currency");
  const json::value* items = quote.if_contains("items");
  if (currency == nullptr || !currency->is_string() || items == nullptr || !items->is_array()) {
    return std::nullopt;
  }
  QuoteFigures figures;
  figures.currency = std::string(currency->get_string());
  for (const json::value& item : items->get_array()) {
    const json::object* o = item.if_object();
    if (o == nullptr) return std::nullopt;
    figures.value_and_duty.emplace_back(Number(o->if_contains("customsValue")),
                                        Number(o->if_contains("customsDuty")));
  }
  return figures;
}

RiskService::RiskService(RiskConfig config, std::string data_dir, store::Store& store,
                         tariff::TariffStore& tariff, const Clock& clock)
    : config_(std::move(config)),
      data_dir_(std::move(data_dir)),
      store_(store),
      tariff_(tariff),
      clock_(clock),
      routing_(config_.routing) {}

Result<std::unique_ptr<RiskService>> RiskService::Open(RiskConfig config, std::string data_dir,
                                                       store::Store& store,
                                                       tariff::TariffStore& tariff,
                                                       const Clock& clock,
                                                       std::unique_ptr<ProfileStore> profiles,
                                                       std::unique_ptr<ModelRegistry> models,
                                                       std::unique_ptr<InspectionLog> inspections) {
  std::unique_ptr<RiskService> service(
      new RiskService(std::move(config), std::move(data_dir), store, tariff, clock));
  if (models != nullptr) {
    service->models_ = std::move(models);
  } else {
    service->models_ = OpenFileModelRegistry(
        service->config_.models.empty() ? service->data_dir_ + "/models" : service->config_.models);
  }
  service->inspections_ =
      inspections != nullptr ? std::move(inspections)
                             : OpenFileInspectionLog(service->data_dir_ + "/risk/inspections.csv");
  if (profiles != nullptr) {
    service->profiles_ = std::move(profiles);
  } else {
    CW_ASSIGN_OR_RETURN(service->profiles_,
                        ProfileStore::Open(service->data_dir_ + "/risk/profiles.json"));
  }
  int64_t learnt = 0;
  CW_ASSIGN_OR_RETURN(service->engine_,
                      service->BuildEngine(service->model_generation_, learnt));
  service->learnt_inspections_.store(learnt);
  return service;
}

Status RiskService::Reload() {
  std::scoped_lock reload(reload_mu_, profile_change_mu_);
  int64_t generation = 0;
  int64_t learnt = 0;
  CW_ASSIGN_OR_RETURN(std::shared_ptr<risk::RiskEngine> engine, BuildEngine(generation, learnt));
  std::scoped_lock lock(engine_mu_);
  engine_ = std::move(engine);
  model_generation_ = generation;
  learnt_inspections_.store(learnt);
  return OkStatus();
}

void RiskService::Learn(risk::RiskEngine& engine, const risk::InspectionResult& result) {
  auto row = store_.GetDeclaration(result.declaration_id, std::nullopt);
  if (!row.ok()) return;  // not stored here (say, a result copied from elsewhere): no lines
  auto lines = StoredLines(*row);
  if (!lines.ok()) return;
  for (const auto& line : *lines) engine.RecordInspection(line, result);
}

Status RiskService::SyncInspections() {
  // One read of the latest number; the results are read only when it moved.
  CW_ASSIGN_OR_RETURN(int64_t last, inspections_->Last());
  if (last <= learnt_inspections_.load()) return OkStatus();
  std::scoped_lock lock(reload_mu_);  // one learner at a time, and not during a Reload()
  CW_ASSIGN_OR_RETURN(std::vector<InspectionEntry> fresh,
                      inspections_->After(learnt_inspections_.load()));
  std::shared_ptr<risk::RiskEngine> current = engine();
  for (const InspectionEntry& entry : fresh) {
    Learn(*current, entry.result);
    learnt_inspections_.store(entry.seq);
  }
  return OkStatus();
}

Status RiskService::SyncModel() {
  // One read of the promotion's generation; the engine is rebuilt only when it moved.
  CW_ASSIGN_OR_RETURN(int64_t promoted, models_->Generation());
  {
    std::scoped_lock lock(engine_mu_);
    if (promoted == model_generation_) return OkStatus();
  }
  return Reload();
}

std::shared_ptr<risk::RiskEngine> RiskService::engine() const {
  std::scoped_lock lock(engine_mu_);
  return engine_;
}

std::string RiskService::model_version() const { return engine()->model_version(); }

Status RiskService::ForEachStored(const std::function<bool(const store::DeclarationRow&)>& visit) {
  store::PageRequest page;
  page.limit = kPageSize;
  size_t seen = 0;
  while (seen < config_.replay_limit) {
    CW_ASSIGN_OR_RETURN(store::DeclarationPage found,
                        store_.ListDeclarations(store::DeclarationFilter{}, page));
    for (const store::DeclarationRow& row : found.items) {
      if (seen++ >= config_.replay_limit || !visit(row)) return OkStatus();
    }
    if (found.next_cursor.empty()) break;
    page.after_cursor = found.next_cursor;
  }
  return OkStatus();
}

Result<std::vector<risk::DeclarationRecord>> RiskService::StoredLines(
    const store::DeclarationRow& row) {
  CW_ASSIGN_OR_RETURN(decl::Declaration declaration,
                      decl::ParseDeclarationText(row.payload, clock_.Now()));
  std::optional<QuoteFigures> figures;
  auto assessment = store_.GetAssessment(row.id, row.version);
  if (assessment.ok()) figures = QuoteFiguresOf(assessment->quote);
  return Lines(declaration, row.id, row.created_at, figures ? &*figures : nullptr);
}

Result<std::shared_ptr<risk::RiskEngine>> RiskService::BuildEngine(int64_t& model_generation,
                                                                   int64_t& learnt) {
  std::optional<risk::FraudModel> model;
  // A tampered or unreadable model must not be skipped: the error stops the build.
  CW_ASSIGN_OR_RETURN(ModelRegistry::Current current, models_->LoadCurrent());
  if (current.model) model = std::move(current.model->model);
  model_generation = current.generation;
  std::vector<risk::DeclarationRecord> history;
  std::string csv = config_.history;
  if (csv.empty() && std::filesystem::exists(data_dir_ + "/risk/history.csv")) {
    csv = data_dir_ + "/risk/history.csv";
  }
  if (!csv.empty()) {
    risk::CsvSchema schema = risk::KcsSchema();
    if (!config_.history_schema.empty()) {
      CW_ASSIGN_OR_RETURN(schema, risk::ReadSchemaFile(config_.history_schema));
    }
    CW_ASSIGN_OR_RETURN(history, risk::ReadCsvFile(csv, schema));
  }
  // The server's own past: the latest stored declarations, labelled by inspection results.
  CW_ASSIGN_OR_RETURN(std::vector<InspectionEntry> inspections, inspections_->After(0));
  learnt = inspections.empty() ? 0 : inspections.back().seq;
  const std::map<std::string, bool> labels = LabelsOf(inspections);
  std::vector<risk::DeclarationRecord> replayed;
  CW_RETURN_IF_ERROR(ForEachStored([&](const store::DeclarationRow& row) {
    if (row.status == decl::StatusName(decl::DeclarationStatus::kDraft)) return true;
    auto lines = StoredLines(row);
    if (!lines.ok()) return true;  // an unreadable payload teaches nothing; the audit finds it
    auto label = labels.find(row.id);
    for (auto& line : *lines) {
      if (label != labels.end()) line.fraud = label->second;
      replayed.push_back(std::move(line));
    }
    return true;
  }));
  std::reverse(replayed.begin(), replayed.end());
  history.insert(history.end(), std::make_move_iterator(replayed.begin()),
                 std::make_move_iterator(replayed.end()));
  std::stable_sort(history.begin(), history.end(),
                   [](const risk::DeclarationRecord& a, const risk::DeclarationRecord& b) {
                     return a.date < b.date;
                   });

  risk::EngineConfig engine_config;
  engine_config.default_policy = config_.default_policy;
  engine_config.office_policies = config_.offices;
  engine_config.anomaly_weight = config_.anomaly_weight;
  engine_config.top_contributions = config_.top_contributions;
  engine_config.contributions = config_.contributions;
  engine_config.explain_green = config_.explain_green;
  engine_config.model_replicas = config_.model_replicas;
  engine_config.random_seed = config_.random_seed;
  if (engine_config.random_seed == 0) {
    // Who is picked at random must not be guessable (risk/channels.h).
    std::array<uint8_t, 8> seed{};
    crypto::RandomBytes(seed);
    for (uint8_t byte : seed) engine_config.random_seed = (engine_config.random_seed << 8) | byte;
    engine_config.random_seed |= 1;  // 0 would ask the engine for a seed of its own
  }
  CW_ASSIGN_OR_RETURN(std::unique_ptr<risk::RiskEngine> engine,
                      risk::RiskEngine::Create(std::move(model), profiles_->Active(),
                                               std::move(engine_config), history));
  return std::shared_ptr<risk::RiskEngine>(std::move(engine));
}

std::optional<double> RiskService::Converted(double amount, const std::string& currency,
                                             Date day) {
  if (currency == config_.currency) return amount;
  auto per_euro = [&](const std::string& code) -> std::optional<double> {
    if (code == kTariffCurrency) return 1.0;
    auto rate = tariff_.RateOn(code, day, clock_.Now());
    if (!rate.ok() || !rate->has_value() || (*rate)->per_unit.micros <= 0) return std::nullopt;
    return static_cast<double>((*rate)->per_unit.micros) / 1e6;
  };
  auto from = per_euro(currency);
  auto to = per_euro(config_.currency);
  if (!from || !to) return std::nullopt;
  return amount / *from * *to;
}

std::vector<risk::DeclarationRecord> RiskService::Lines(const decl::Declaration& declaration,
                                                        const std::string& id, Timestamp at,
                                                        const QuoteFigures* figures) {
  const Date day = DateOf(at);
  std::vector<risk::DeclarationRecord> lines;
  lines.reserve(declaration.goods_items.size());
  for (size_t i = 0; i < declaration.goods_items.size(); ++i) {
    risk::DeclarationRecord line = risk::RecordOf(declaration, i, day);
    line.id = id;
    if (auto price = Converted(line.item_price, declaration.invoice.currency, day)) {
      line.item_price = *price;
    } else {
      line.currency = declaration.invoice.currency;
    }
    if (figures != nullptr && i < figures->value_and_duty.size()) {
      auto [value, duty] = figures->value_and_duty[i];
      if (value > 0) line.tax_rate_percent = 100.0 * duty / value;
      line.duty = Converted(duty, figures->currency, day).value_or(0);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

Status RiskService::SyncProfiles() {
  // One read of the saved generation; the profiles are read again only when it moved.
  CW_ASSIGN_OR_RETURN(bool changed, profiles_->Refresh());
  if (changed) {
    std::scoped_lock lock(profile_change_mu_);
    engine()->SetProfiles(profiles_->Active());
  }
  return OkStatus();
}

Result<risk::Assessment> RiskService::Assess(const std::vector<risk::DeclarationRecord>& lines) {
  CW_RETURN_IF_ERROR(SyncModel());
  CW_RETURN_IF_ERROR(SyncProfiles());
  CW_RETURN_IF_ERROR(SyncInspections());
  return engine()->AssessRecords(lines);
}

void RiskService::Observe(const std::vector<risk::DeclarationRecord>& lines) {
  engine()->Observe(lines);
}

Result<std::vector<risk::RiskProfile>> RiskService::ListProfiles(const Principal& principal) {
  CW_RETURN_IF_ERROR(MayReadProfiles(principal));
  CW_RETURN_IF_ERROR(SyncProfiles());
  return profiles_->List();
}

Result<risk::RiskProfile> RiskService::CreateProfile(const Principal& principal,
                                                     std::string_view json_text) {
  CW_RETURN_IF_ERROR(MayWriteProfiles(principal));
  CW_ASSIGN_OR_RETURN(std::vector<risk::RiskProfile> parsed, risk::ParseProfiles(json_text));
  if (parsed.size() != 1) {
    return Error::InvalidArgument("profiles", "bad-profile", "send one profile at a time");
  }
  return profiles_->Create(std::move(parsed.front()), principal.user_id, clock_.Now());
}

Result<ProfileTrial> RiskService::TestProfile(const Principal& principal, const std::string& id) {
  CW_RETURN_IF_ERROR(MayWriteProfiles(principal));
  CW_RETURN_IF_ERROR(SyncProfiles());
  CW_ASSIGN_OR_RETURN(risk::RiskProfile profile, profiles_->Get(id));
  CW_ASSIGN_OR_RETURN(std::vector<InspectionEntry> inspections, inspections_->After(0));
  const std::map<std::string, bool> labels = LabelsOf(inspections);
  ProfileTrial trial;
  trial.profile = profile.id;
  CW_RETURN_IF_ERROR(ForEachStored([&](const store::DeclarationRow& row) {
    if (row.status == decl::StatusName(decl::DeclarationStatus::kDraft)) return true;
    auto declaration = decl::ParseDeclarationText(row.payload, clock_.Now());
    if (!declaration.ok()) return true;
    ++trial.declarations;
    bool hit = false;
    for (const auto& line : Lines(*declaration, row.id, row.created_at, nullptr)) {
      ++trial.lines;
      if (risk::Matches(profile, risk::SubjectOf(line))) {
        ++trial.line_hits;
        hit = true;
      }
    }
    if (!hit) return true;
    ++trial.declaration_hits;
    auto label = labels.find(row.id);
    if (label != labels.end()) {
      ++trial.inspected_hits;
      if (label->second) ++trial.fraud_hits;
    }
    return true;
  }));
  return trial;
}

Result<risk::RiskProfile> RiskService::ActivateProfile(const Principal& principal,
                                                       const std::string& id) {
  CW_RETURN_IF_ERROR(MayWriteProfiles(principal));
  std::scoped_lock lock(profile_change_mu_);
  CW_ASSIGN_OR_RETURN(risk::RiskProfile profile,
                      profiles_->Activate(id, principal.user_id, clock_.Now()));
  engine()->SetProfiles(profiles_->Active());
  return profile;
}

Result<risk::RiskProfile> RiskService::RetireProfile(const Principal& principal,
                                                     const std::string& id) {
  CW_RETURN_IF_ERROR(MayWriteProfiles(principal));
  std::scoped_lock lock(profile_change_mu_);
  CW_ASSIGN_OR_RETURN(risk::RiskProfile profile,
                      profiles_->Retire(id, principal.user_id, clock_.Now()));
  engine()->SetProfiles(profiles_->Active());
  return profile;
}

Result<InspectionRecord> RiskService::RecordInspection(const Principal& principal,
                                                       const std::string& declaration_id,
                                                       const json::value& body) {
  auto found = store_.GetDeclaration(declaration_id, std::nullopt);
  if (!found.ok()) {
    if (found.error().code != ErrorCode::kNotFound) return std::move(found).error();
    return Error::NotFound("declaration-not-found", "no declaration " + declaration_id.substr(0, 64));
  }
  const store::DeclarationRow& row = *found;
  CW_RETURN_IF_ERROR(identity::Policy::CanDecide(principal, {row.organisation_id, row.office}));
  if (!Inspectable(row.status)) {
    return Error::FailedPrecondition("not-inspectable",
                                     "a declaration that is " + row.status +
                                         " was never under control nor released");
  }
  const json::object* fields = body.if_object();
  if (fields == nullptr) {
    return Error::InvalidArgument("", "wrong-type", "the body must be a JSON object");
  }
  InspectionRecord record;
  record.declaration_id = row.id;
  record.version = row.version;
  record.recorded_by = principal.user_id;
  record.duties_raised = "0.00";
  const Timestamp now = clock_.Now();
  record.inspected_on = DateOf(now);
  bool has_fraud_found = false;
  for (const auto& [key, value] : *fields) {
    if (key == "fraudFound") {
      if (!value.is_bool()) {
        return Error::InvalidArgument("fraudFound", "wrong-type", "fraudFound is true or false");
      }
      record.fraud_found = value.get_bool();
      has_fraud_found = true;
    } else if (key == "dutiesRaised") {
      if (!value.is_string()) {
        return Error::InvalidArgument("dutiesRaised", "money-must-be-decimal-string",
                                      "write the amount as a string such as \"120.00\"");
      }
      auto amount = Money::Parse(value.get_string(), kTariffCurrency);
      if (!amount.ok() || amount->minor_units() < 0) {
        return Error::InvalidArgument("dutiesRaised", "bad-amount",
                                      "a non-negative amount in EUR with at most 2 decimals");
      }
      record.duties_raised = amount->ToDecimalString();
    } else if (key == "inspectedOn") {
      std::optional<Date> day;
      if (value.is_string()) {
        auto parsed = ParseDate(value.get_string());
        if (parsed.ok()) day = *parsed;
      }
      if (!day) return Error::InvalidArgument("inspectedOn", "bad-date", "use YYYY-MM-DD");
      if (*day > DateOf(now)) {
        return Error::InvalidArgument("inspectedOn", "date-in-future",
                                      "an inspection cannot be dated after today (UTC)");
      }
      record.inspected_on = *day;
    } else {
      return Error::InvalidArgument(std::string(key), "unknown-field", "unknown field");
    }
  }
  if (!has_fraud_found) {
    return Error::InvalidArgument("fraudFound", "required", "say whether fraud was found");
  }
  CW_ASSIGN_OR_RETURN(int64_t seq, inspections_->Append(record));
  {
    std::scoped_lock lock(reload_mu_);
    if (seq == learnt_inspections_.load() + 1) {  // nothing of other nodes' in between
      risk::InspectionResult result;
      result.declaration_id = record.declaration_id;
      result.fraud_found = record.fraud_found;
      result.duties_raised = std::strtod(record.duties_raised.c_str(), nullptr);
      result.inspected_on = record.inspected_on;
      auto lines = StoredLines(row);
      if (lines.ok()) {
        std::shared_ptr<risk::RiskEngine> current = engine();
        for (const auto& line : *lines) current->RecordInspection(line, result);
      }
      learnt_inspections_.store(seq);
      return record;
    }
  }
  // Results of other nodes came in between (or a Reload() read this one already): learnt in
  // order with them. The result is kept either way; what is not learnt now is on the next
  // assessment.
  SyncInspections().IgnoreError();
  return record;
}

}  // namespace clearway::app
