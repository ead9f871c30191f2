// File: app/risk_config.h
//
// The risk engine's settings: how filing uses the engine's decision, the currency its prices
// are compared in, where its history and models come from, and each customs office's policy
// (lane rates, random rate, daily inspection capacity). They come from the [risk] table of the
// configuration file (docs/configuration.md, docs/risk.md):
//
//   [risk]
//   routing = "route"             # or "recommend": store the decision, officers route
//   currency = "EUR"              # the currency of the model's and the history's prices
//   blue_rate = 0.05              # expected lane shares; random_rate is on top of them
//   yellow_rate = 0.05
//   red_rate = 0.03
//   random_rate = 0.005
//   daily_capacity = 0            # red inspections per office and day; 0 = unlimited
//
//   [risk.offices.DE004700]       # an office's own policy; unset values come from [risk]
//   red_rate = 0.05
//   daily_capacity = 40
//
//   CW_ASSIGN_OR_RETURN(app::RiskConfig risk, app::ParseRiskConfig(toml_text));
//   config.risk = std::move(risk);
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "risk/channels.h"
#include "risk/model.h"

namespace clearway::app {

// What filing does with the engine's decision.
enum class RoutingMode {
  kRoute,      // the system routes the declaration to the engine's channel at once
  kRecommend,  // the decision is stored as a recommendation; officers route (shadow mode)
};

struct RiskConfig {
  RoutingMode routing = RoutingMode::kRoute;
  std::string currency = "EUR";  // prices are converted to it with the tariff's rates
  risk::OfficePolicy default_policy = DefaultOfficePolicy();
  std::map<std::string, risk::OfficePolicy> offices;  // by office code
  double anomaly_weight = 0.3;
  size_t top_contributions = 3;
  risk::ContributionMethod contributions = risk::ContributionMethod::kApproximate;
  bool explain_green = false;  // contributions for green declarations too (see EngineConfig)
  std::string models;          // model registry; "" = DATA_DIR/models
  std::string history;         // past declarations CSV; "" = DATA_DIR/risk/history.csv if any
  std::string history_schema;  // its column mapping (JSON); "" = the KCS layout
  size_t replay_limit = 20000;  // stored declarations replayed into the history at start
  size_t model_replicas = 2;    // models scoring in parallel
  uint64_t random_seed = 0;     // 0 = from the OS (tests fix one)

  // DefaultOfficePolicy(): 5 % blue, 5 % yellow, 3 % red, 0.5 % random, unlimited capacity,
  // and score floors of 0.1 (blue), 0.25 (yellow) and 0.5 (red).
  static risk::OfficePolicy DefaultOfficePolicy();
};

// ParseRiskConfig() reads the [risk] table of TOML text (defaults when absent).
// kInvalidArgument "bad-config" with the field path ("risk.offices.DE004700.red_rate") for a
// wrong type or value, including a policy ValidatePolicy() refuses.
Result<RiskConfig> ParseRiskConfig(std::string_view toml_text);

// RoutingModeName() is "route" or "recommend".
std::string_view RoutingModeName(RoutingMode mode);

}  // namespace clearway::app
