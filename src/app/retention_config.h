// File: app/retention_config.h
//
// How long each record class lives after it closes, and how often the server purges what is
// due (docs/configuration.md, docs/keys.md "Retention and crypto-shredding"). From the
// [retention] table of the configuration file:
//
//   [retention]
//   declarations = "10y"      # from the declaration's closing date (its final status)
//   security_events = "2y"    # from the event's time
//   sessions = "90d"          # from the session's end
//   interval = "24h"          # the server's scheduled run; "0" turns it off
//   register = ""             # the purge register; "" = beside the key file
//
// A period is a sum of whole years ("y", calendar years: 29 February plus one year is 1 March)
// and days ("d"), e.g. "10y", "90d", "1y30d". The interval takes "h", "m", "s" or "d".
//
//   CW_ASSIGN_OR_RETURN(app::RetentionConfig retention, app::ParseRetentionConfig(toml_text));
//   Timestamp due = app::AddPeriod(closed_at, retention.declarations);
//
// Thread safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace clearway::app {

// RetentionPeriod is a calendar period: whole years, then days.
struct RetentionPeriod {
  int years = 0;
  int days = 0;
  friend bool operator==(const RetentionPeriod&, const RetentionPeriod&) = default;
};

// The least a declaration may be kept: the Union Customs Code (Regulation (EU) No 952/2013,
// Article 51) has documents kept at least three years; national law often asks for more.
inline constexpr RetentionPeriod kMinDeclarationRetention{3, 0};
inline constexpr int kMaxRetentionYears = 100;

struct RetentionConfig {
  RetentionPeriod declarations{10, 0};
  RetentionPeriod security_events{2, 0};
  RetentionPeriod sessions{0, 90};
  std::chrono::seconds interval = std::chrono::hours(24);  // 0: no scheduled run
  std::string register_path;  // "" = PurgeRegisterPathFor(key file)
};

// ParseRetentionPeriod() reads "10y", "90d", "1y30d". kInvalidArgument "bad-config" with
// `field` as the path for anything else, a zero period, or more than kMaxRetentionYears.
Result<RetentionPeriod> ParseRetentionPeriod(std::string_view text, const std::string& field);

// FormatRetentionPeriod() is the form ParseRetentionPeriod() reads ("10y", "90d", "1y30d").
std::string FormatRetentionPeriod(const RetentionPeriod& period);

// AddPeriod() is `at` plus the period's calendar years (a 29 February that the target year
// lacks becomes 1 March), then its days, at the same time of day (UTC).
Timestamp AddPeriod(Timestamp at, const RetentionPeriod& period);

// SubtractPeriod() is the latest `closed` with AddPeriod(closed, period) <= `now`, give or take
// the leap-day rounding; callers use it to bound queries, then check AddPeriod() exactly.
Timestamp SubtractPeriod(Timestamp now, const RetentionPeriod& period);

// ParseRetentionConfig() reads the [retention] table of TOML text (defaults when absent).
// kInvalidArgument "bad-config" naming the field ("retention.declarations", …) for a bad
// period or interval, an unknown key, or declarations kept less than three years.
Result<RetentionConfig> ParseRetentionConfig(std::string_view toml_text);

}  // namespace clearway::app
