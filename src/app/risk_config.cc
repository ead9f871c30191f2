#include "app/risk_config.h"

#include <toml++/toml.h>

#include <sstream>

namespace clearway::app {

namespace {

using Node = toml::node_view<const toml::node>;

Error BadConfig(std::string field, std::string message) {
  return Error::InvalidArgument(std::move(field), "bad-config", std::move(message));
}

Status Share(const Node& node, const std::string& path, double& out) {
  if (!node) return OkStatus();
  auto value = node.value<double>();
  if (!value || !(*value >= 0 && *value <= 1)) return BadConfig(path, "must be a number in [0, 1]");
  out = *value;
  return OkStatus();
}

Status Count(const Node& node, const std::string& path, size_t& out) {
  if (!node) return OkStatus();
  auto value = node.value<int64_t>();
  if (!value || *value < 0) return BadConfig(path, "must be a whole number >= 0");
  out = static_cast<size_t>(*value);
  return OkStatus();
}

Status Text(const Node& node, const std::string& path, std::string& out) {
  if (!node) return OkStatus();
  auto value = node.value<std::string>();
  if (!value) return BadConfig(path, "must be a string");
  out = *value;
  return OkStatus();
}

// Policy() overrides `policy` with the members of `table` that are set.
Status Policy(const toml::table& table, const std::string& path, risk::OfficePolicy& policy) {
  const std::pair<const char*, double risk::OfficePolicy::*> shares[] = {
      {"blue_rate", &risk::OfficePolicy::blue_rate},
      {"yellow_rate", &risk::OfficePolicy::yellow_rate},
      {"red_rate", &risk::OfficePolicy::red_rate},
      {"random_rate", &risk::OfficePolicy::random_rate},
      {"min_blue_score", &risk::OfficePolicy::min_blue_score},
      {"min_yellow_score", &risk::OfficePolicy::min_yellow_score},
      {"min_red_score", &risk::OfficePolicy::min_red_score}};
  for (const auto& [name, member] : shares) {
    CW_RETURN_IF_ERROR(Share(table[name], path + "." + name, policy.*member));
  }
  CW_RETURN_IF_ERROR(Count(table["daily_capacity"], path + ".daily_capacity",
                           policy.daily_capacity));
  Status valid = risk::ValidatePolicy(policy);
  if (!valid.ok()) return BadConfig(path + "." + valid.error().field_path, valid.error().message);
  return OkStatus();
}

Result<RiskConfig> FromTable(const toml::table& t) {
  RiskConfig config;
  std::string routing(RoutingModeName(config.routing));
  CW_RETURN_IF_ERROR(Text(t["routing"], "risk.routing", routing));
  if (routing == "route") {
    config.routing = RoutingMode::kRoute;
  } else if (routing == "recommend") {
    config.routing = RoutingMode::kRecommend;
  } else {
    return BadConfig("risk.routing", "must be \"route\" or \"recommend\"");
  }
  CW_RETURN_IF_ERROR(Text(t["currency"], "risk.currency", config.currency));
  if (config.currency.size() != 3) return BadConfig("risk.currency", "must be an ISO 4217 code");
  std::string contributions = "approximate";
  CW_RETURN_IF_ERROR(Text(t["contributions"], "risk.contributions", contributions));
  if (contributions == "approximate") {
    config.contributions = risk::ContributionMethod::kApproximate;
  } else if (contributions == "exact") {
    config.contributions = risk::ContributionMethod::kExactShap;
  } else {
    return BadConfig("risk.contributions", "must be \"approximate\" or \"exact\"");
  }
  if (t["explain_green"]) {
    const auto* explain = t["explain_green"].as_boolean();  // value<bool>() would take 1
    if (explain == nullptr) return BadConfig("risk.explain_green", "must be true or false");
    config.explain_green = explain->get();
  }
  CW_RETURN_IF_ERROR(Share(t["anomaly_weight"], "risk.anomaly_weight", config.anomaly_weight));
  CW_RETURN_IF_ERROR(Count(t["top_contributions"], "risk.top_contributions",
                           config.top_contributions));
  CW_RETURN_IF_ERROR(Text(t["models"], "risk.models", config.models));
  CW_RETURN_IF_ERROR(Text(t["history"], "risk.history", config.history));
  CW_RETURN_IF_ERROR(Text(t["history_schema"], "risk.history_schema", config.history_schema));
  CW_RETURN_IF_ERROR(Count(t["replay_limit"], "risk.replay_limit", config.replay_limit));
  CW_RETURN_IF_ERROR(Count(t["model_replicas"], "risk.model_replicas", config.model_replicas));
  if (config.model_replicas < 1 || config.model_replicas > 64) {
    return BadConfig("risk.model_replicas", "must be 1..64");
  }
  CW_RETURN_IF_ERROR(Policy(t, "risk", config.default_policy));
  if (t["offices"]) {
    const auto* offices = t["offices"].as_table();
    if (offices == nullptr) return BadConfig("risk.offices", "must be a table of offices");
    for (const auto& [office, node] : *offices) {
      std::string path = "risk.offices." + std::string(office.str());
      const auto* table = node.as_table();
      if (table == nullptr) return BadConfig(path, "must be a table");
      risk::OfficePolicy policy = config.default_policy;
      policy.office = std::string(office.str());
      CW_RETURN_IF_ERROR(Policy(*table, path, policy));
      config.offices[policy.office] = policy;
    }
  }
  return config;
}

}  // namespace

risk::OfficePolicy RiskConfig::DefaultOfficePolicy() {
  risk::OfficePolicy policy;
  policy.blue_rate = 0.05;
  policy.yellow_rate = 0.05;
  policy.red_rate = 0.03;
  policy.random_rate = 0.005;
  policy.daily_capacity = 0;
  policy.min_blue_score = 0.1;
  policy.min_yellow_score = 0.25;
  policy.min_red_score = 0.5;
  return policy;
}

std::string_view RoutingModeName(RoutingMode mode) {
  return mode == RoutingMode::kRecommend ? "recommend" : "route";
}

Result<RiskConfig> ParseRiskConfig(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    return BadConfig("", std::string(e.description()) + " at " + where.str());
  }
  const auto* table = root["risk"].as_table();
  if (table == nullptr) return RiskConfig{};
  return FromTable(*table);
}

}  // namespace clearway::app
