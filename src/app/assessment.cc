#include "app/assessment.h"

#include <cmath>

#include "app/risk_service.h"
#include "common/json.h"
#include "risk/risk.h"
#include "tariff/tariff.h"

namespace clearway::app {

namespace json = boost::json;
namespace decl = clearway::declaration;
using identity::Role;

namespace {

// Six decimals say all a ranking figure can; fewer digits keep the stored JSON readable.
double Rounded(double value) {
  if (!std::isfinite(value)) return 0;
  return std::round(value * 1e6) / 1e6;
}

json::array Texts(const std::vector<std::string>& values, const json::storage_ptr& sp) {
  json::array out(sp);
  out.reserve(values.size());
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

// The tree is built in `sp` (Assess() passes an arena: it is serialised and dropped).
json::object RiskJson(const risk::Assessment& a, json::object quote_status,
                      const std::string& currency, std::string_view routing,
                      const json::storage_ptr& sp) {
  json::array contributions(sp);
  contributions.reserve(a.top_contributions.size());
  for (const auto& c : a.top_contributions) {
    contributions.push_back(
        json::object({{"feature", c.feature}, {"logOdds", Rounded(c.log_odds)}}, sp));
  }
  return json::object({{"channel", decl::ChannelName(a.channel)},
                      {"lane", risk::LaneName(a.lane)},
                      {"cause", risk::LaneCauseName(a.cause)},
                      {"postClearanceAudit", a.post_clearance_audit},
                      {"score", Rounded(a.score)},
                      {"modelProbability", Rounded(a.model_probability)},
                      {"modelVersion", a.model_version},
                      {"anomaly", Rounded(a.anomaly)},
                      {"profilesHit", Texts(a.profiles_hit, sp)},
                      {"instructions", Texts(a.instructions, sp)},
                      {"contributions", std::move(contributions)},
                      {"reasons", Texts(a.reasons, sp)},
                      {"currency", currency},
                      {"routing", routing},
                      {"quote", std::move(quote_status)}},
                      sp);
}

std::optional<json::object> ParsedObject(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto parsed = ParseJson(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  return std::move(parsed->get_object());
}

// The quota claims a stored quote counts on.
std::map<std::string, int64_t> ClaimsOf(const std::string& quote_text) {
  std::map<std::string, int64_t> claims;
  auto quote = ParsedObject(quote_text);
  if (!quote) return claims;
  const json::value* list = quote->if_contains("quotaClaims");
  if (list == nullptr || !list->is_array()) return claims;
  for (const json::value& entry : list->get_array()) {
    const json::object* o = entry.if_object();
    if (o == nullptr) continue;
    const json::value* order = o->if_contains("orderNumber");
    const json::value* amount = o->if_contains("thousandths");
    if (order == nullptr || !order->is_string() || amount == nullptr || !amount->is_int64()) {
      continue;
    }
    claims[std::string(order->get_string())] = amount->get_int64();
  }
  return claims;
}

}  // namespace

Assessor::Assessor(const tariff::DutyEngine& duty, RiskService& risk, store::Store& store)
    : duty_(duty), risk_(risk), store_(store) {}

Result<FilingAssessment> Assessor::Assess(const decl::Declaration& declaration,
                                          const std::string& id, int64_t version, Timestamp at,
                                          bool routable) {
  FilingAssessment out;
  // The JSON trees of the assessment are serialised at once: one arena, released at the end.
  json::monotonic_resource arena(16384);
  const json::storage_ptr sp(&arena);
  std::optional<tariff::DutyQuote> quote;
  json::object quote_status(sp);
  if (declaration.type == decl::DeclarationType::kImport) {
    tariff::QuoteOptions options;
    options.date = DateOf(at);
    options.as_of = at;
    auto quoted = duty_.Quote(declaration, options);
    if (quoted.ok()) {
      quote = std::move(quoted).value();
      quote_status = {{"status", "quoted"}};
    } else {
      // The filing stands without a quote (a missing exchange rate must not stop trade); the
      // assessment says why, and the quote route explains it again on demand.
      quote_status = {{"status", "none"},
                      {"reason", quoted.error().reason},
                      {"message", quoted.error().message}};
    }
  } else {
    quote_status = {{"status", "none"},
                    {"reason", "not-an-import"},
                    {"message", "duties are quoted for imports only"}};
  }
  std::optional<QuoteFigures> figures;
  if (quote) figures = QuoteFiguresOf(*quote);
  out.lines = risk_.Lines(declaration, id, at, figures ? &*figures : nullptr);
  CW_ASSIGN_OR_RETURN(risk::Assessment decision, risk_.Assess(out.lines));

  const RoutingMode mode = risk_.routing();
  out.channel = decision.channel;
  out.route = routable && mode == RoutingMode::kRoute;
  std::string_view routing =
      out.route ? "routed" : (mode == RoutingMode::kRecommend ? "recommended" : "kept");
  out.routing_reason = "risk engine: " + std::string(risk::LaneName(decision.lane)) + " lane (" +
                       std::string(risk::LaneCauseName(decision.cause)) + ")";
  if (decision.post_clearance_audit) out.routing_reason += ", post-clearance audit";

  out.row.declaration_id = id;
  out.row.version = version;
  out.row.at = at;
  if (quote) {
    json::object body = tariff::QuoteToJson(*quote, sp);
    if (!quote->quota_draws.empty()) {
      json::array claims(sp);
      for (const auto& [order, thousandths] : quote->quota_draws) {
        claims.push_back(
            json::object({{"orderNumber", order}, {"thousandths", thousandths}}, sp));
      }
      body["quotaClaims"] = std::move(claims);
    }
    out.row.quote = CanonicalJson(body);
    out.quota_draws = quote->quota_draws;
  }
  out.row.risk = CanonicalJson(
      RiskJson(decision, std::move(quote_status), risk_.config().currency, routing, sp));
  return out;
}

void Assessor::Filed(const FilingAssessment& assessment) {
  if (!assessment.quota_draws.empty()) {
    tariff::DutyQuote claims;
    claims.quota_draws = assessment.quota_draws;
    // The declaration is durable: a quota exhausted since the quote leaves it filed, and the
    // count tells the operator (docs/tariff.md, quota draw-down).
    if (!duty_.DrawQuotas(claims, assessment.row.declaration_id, assessment.row.at).ok()) {
      risk_.CountQuotaDrawFailure();
    }
  }
  risk_.Observe(assessment.lines);
}

void Assessor::Refiled(const std::string& declaration_id) {
  auto stored = store_.GetAssessment(declaration_id, 1);
  if (!stored.ok()) return;
  tariff::DutyQuote claims;
  claims.quota_draws = ClaimsOf(stored->quote);
  if (claims.quota_draws.empty()) return;
  if (!duty_.DrawQuotas(claims, declaration_id, stored->at).ok()) risk_.CountQuotaDrawFailure();
}

std::optional<decl::Channel> EngineChannelOf(const store::AssessmentRow& row) {
  auto risk = ParsedObject(row.risk);
  if (!risk) return std::nullopt;
  const json::value* channel = risk->if_contains("channel");
  if (channel == nullptr || !channel->is_string()) return std::nullopt;
  auto parsed = decl::ParseChannel(channel->get_string());
  if (!parsed.ok() || *parsed == decl::Channel::kNone) return std::nullopt;
  return *parsed;
}

Result<AssessmentView> AssessmentViewFor(const identity::Principal& principal,
                                         const identity::DeclarationScope& scope) {
  switch (principal.role) {
    case Role::kOfficer:
      CW_RETURN_IF_ERROR(identity::Policy::CanDecide(principal, scope));
      return AssessmentView::kFull;
    case Role::kRiskAnalyst:
    case Role::kAuditor:
      return AssessmentView::kFull;
    case Role::kDeclarant:
    case Role::kBroker:
    case Role::kAdministrator:
      CW_RETURN_IF_ERROR(identity::Policy::CanRead(principal, scope));
      return AssessmentView::kTrader;
    case Role::kTariffManager:
    case Role::kPartner:  // not in the exchange agreement (docs/data-minimisation.md)
      break;
  }
  return Error::PermissionDenied("forbidden", "you are not allowed to do this");
}

json::object AssessmentJson(const store::AssessmentRow& row,
                            const store::DeclarationRow& declaration, AssessmentView view) {
  const std::string self = "/v1/declarations/" + row.declaration_id;
  auto risk = ParsedObject(row.risk);
  auto quote = ParsedObject(row.quote);
  json::value quote_status = nullptr;
  if (risk) {
    if (const json::value* status = risk->if_contains("quote")) quote_status = *status;
  }
  json::object out{{"declarationId", row.declaration_id},
                   {"version", row.version},
                   {"at", FormatTimestamp(row.at)},
                   {"quote", quote ? json::value(std::move(*quote)) : json::value(nullptr)},
                   {"quoteStatus", std::move(quote_status)},
                   {"links",
                    {{"declaration", self},
                     {"quote", self + "/quote"},
                     {"self", self + "/assessment?version=" + std::to_string(row.version)}}}};
  if (view == AssessmentView::kFull) {
    auto channel = EngineChannelOf(row);
    out["channel"] = channel ? json::value(decl::ChannelName(*channel)) : json::value(nullptr);
    out["declarationChannel"] =
        declaration.channel.empty() ? json::value(nullptr) : json::value(declaration.channel);
    out["risk"] = risk ? json::value(std::move(*risk)) : json::value(nullptr);
  } else {
    // The trader learns where its goods stand, not what the engine thought of them: in
    // recommend mode the engine's channel is an officer's to act on, not the trader's to see.
    out["channel"] =
        declaration.channel.empty() ? json::value(nullptr) : json::value(declaration.channel);
  }
  return out;
}

std::vector<store::TransitionRow> TraderHistory(std::vector<store::TransitionRow> transitions) {
  for (store::TransitionRow& t : transitions) {
    if (t.actor == "system" && t.reason.starts_with("risk engine:")) {
      t.reason = "routed by risk analysis";
    }
  }
  return transitions;
}

std::optional<json::object> QuoteSummaryOf(const store::AssessmentRow& row,
                                           json::storage_ptr storage) {
  // The whole quote is parsed for its totals, into an arena dropped at once.
  if (row.quote.empty()) return std::nullopt;
  json::monotonic_resource arena(8192);
  auto parsed = ParseJson(row.quote, &arena);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const json::object* quote = &parsed->get_object();
  json::object summary(std::move(storage));
  if (const json::value* currency = quote->if_contains("currency")) summary["currency"] = *currency;
  if (const json::value* totals = quote->if_contains("totals"); totals && totals->is_object()) {
    for (const auto& [key, value] : totals->get_object()) summary[key] = value;
  }
  if (const json::value* complete = quote->if_contains("complete")) summary["complete"] = *complete;
  return summary;
}

}  // namespace clearway::app
