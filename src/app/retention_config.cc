#include "app/retention_config.h"

#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include <toml++/toml.h>

namespace clearway::app {

namespace {

Error BadConfig(const std::string& field, std::string message) {
  return Error::InvalidArgument(field, "bad-config", std::move(message));
}

// Terms() splits "1y30d" into (number, unit) pairs; false for anything else.
bool Terms(std::string_view text, std::vector<std::pair<int64_t, char>>& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    int64_t value = 0;
    size_t digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
      if (++digits > 6) return false;
      value = value * 10 + (text[pos++] - '0');
    }
    if (digits == 0 || pos == text.size()) return false;
    out.emplace_back(value, text[pos++]);
  }
  return !out.empty();
}

Result<std::chrono::seconds> ParseInterval(std::string_view text, const std::string& field) {
  if (text == "0") return std::chrono::seconds(0);
  std::vector<std::pair<int64_t, char>> terms;
  const Error bad = BadConfig(field, "must be a duration such as \"24h\", \"30m\" or \"0\" (off)");
  if (!Terms(text, terms)) return bad;
  std::chrono::seconds total{0};
  for (const auto& [value, unit] : terms) {
    switch (unit) {
      case 'd':
        total += std::chrono::days(value);
        break;
      case 'h':
        total += std::chrono::hours(value);
        break;
      case 'm':
        total += std::chrono::minutes(value);
        break;
      case 's':
        total += std::chrono::seconds(value);
        break;
      default:
        return bad;
    }
  }
  if (total < std::chrono::seconds(1) || total > std::chrono::days(366)) {
    return BadConfig(field, "must be between 1s and 366d, or \"0\" (off)");
  }
  return total;
}

bool Shorter(const RetentionPeriod& a, const RetentionPeriod& b) {
  return a.years * 366 + a.days < b.years * 365 + b.days;
}

}  // namespace

Result<RetentionPeriod> ParseRetentionPeriod(std::string_view text, const std::string& field) {
  std::vector<std::pair<int64_t, char>> terms;
  const Error bad = BadConfig(field, "must be a period such as \"10y\", \"90d\" or \"1y30d\"");
  if (!Terms(text, terms)) return bad;
  RetentionPeriod period;
  char last = '\0';
  for (const auto& [value, unit] : terms) {
    if (unit == 'y' && last == '\0') {
      if (value > kMaxRetentionYears) return bad;
      period.years = static_cast<int>(value);
    } else if (unit == 'd' && last != 'd') {
      if (value > 366 * kMaxRetentionYears) return bad;
      period.days = static_cast<int>(value);
    } else {
      return bad;
    }
    last = unit;
  }
  if (period.years == 0 && period.days == 0) return BadConfig(field, "must be longer than zero");
  if (period.years * 366 + period.days > 366 * kMaxRetentionYears) {
    return BadConfig(field, "must be at most " + std::to_string(kMaxRetentionYears) + " years");
  }
  return period;
}

std::string FormatRetentionPeriod(const RetentionPeriod& period) {
  std::string out;
  if (period.years > 0) out += std::to_string(period.years) + "y";
  if (period.days > 0 || out.empty()) out += std::to_string(period.days) + "d";
  return out;
}

Timestamp AddPeriod(Timestamp at, const RetentionPeriod& period) {
  using namespace std::chrono;
  const sys_days day = floor<days>(at);
  const auto time_of_day = at - day;
  year_month_day date = year_month_day(day) + years(period.years);
  // 29 February plus a year: the day after 28 February.
  sys_days shifted = date.ok() ? sys_days(date)
                               : sys_days(date.year() / date.month() / last) + days(1);
  return Timestamp(shifted + days(period.days)) + time_of_day;
}

Timestamp SubtractPeriod(Timestamp now, const RetentionPeriod& period) {
  using namespace std::chrono;
  const sys_days day = floor<days>(now);
  const auto time_of_day = now - day;
  year_month_day date = year_month_day(day - days(period.days)) - years(period.years);
  sys_days shifted = date.ok() ? sys_days(date) : sys_days(date.year() / date.month() / last);
  return Timestamp(shifted) + time_of_day;
}

Result<RetentionConfig> ParseRetentionConfig(std::string_view toml_text) {
  RetentionConfig config;
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return BadConfig("retention", std::string(e.description()));
  }
  const toml::table* table = root["retention"].as_table();
  if (table == nullptr) return config;
  for (const auto& [key, node] : *table) {
    const std::string field = "retention." + std::string(key.str());
    std::optional<std::string> text = node.value<std::string>();
    if (!text.has_value()) return BadConfig(field, "must be a string");
    if (key == "declarations") {
      CW_ASSIGN_OR_RETURN(config.declarations, ParseRetentionPeriod(*text, field));
      if (Shorter(config.declarations, kMinDeclarationRetention)) {
        return BadConfig(field, "must be at least 3y (Union Customs Code, Article 51)");
      }
    } else if (key == "security_events") {
      CW_ASSIGN_OR_RETURN(config.security_events, ParseRetentionPeriod(*text, field));
    } else if (key == "sessions") {
      CW_ASSIGN_OR_RETURN(config.sessions, ParseRetentionPeriod(*text, field));
    } else if (key == "interval") {
      CW_ASSIGN_OR_RETURN(config.interval, ParseInterval(*text, field));
    } else if (key == "register") {
      config.register_path = *text;
    } else {
      return BadConfig(field, "is not a retention setting (declarations, security_events, "
                              "sessions, interval, register)");
    }
  }
  return config;
}

}  // namespace clearway::app
