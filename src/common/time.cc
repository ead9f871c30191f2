#include "common/time.h"

#include <cstdio>

namespace clearway {

namespace {

bool ParseDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

Error BadTimestamp(std::string_view text) {
  return Error::InvalidArgument("", "bad-timestamp",
                                "expected an RFC 3339 timestamp such as 2026-01-31T12:00:00Z, got '" +
                                    std::string(text.substr(0, 40)) + "'");
}

}  // namespace

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

Timestamp FakeClock::Now() const { return Timestamp(std::chrono::microseconds(now_us_.load())); }

std::string FormatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

Result<Date> ParseDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseDigits(text, 0, 4, y) ||
      !ParseDigits(text, 5, 2, m) || !ParseDigits(text, 8, 2, d)) {
    return Error::InvalidArgument("", "bad-date",
                                  "expected a date as YYYY-MM-DD, got '" +
                                      std::string(text.substr(0, 20)) + "'");
  }
  Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
            std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) {
    return Error::InvalidArgument("", "bad-date", "no such date: " + std::string(text));
  }
  return date;
}

Date DateOf(Timestamp t) { return Date(std::chrono::floor<std::chrono::days>(t)); }

std::string FormatTimestamp(Timestamp t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  Date date(day);
  std::chrono::hh_mm_ss<std::chrono::microseconds> hms(t - day);
  char buf[48];
  auto micros = hms.subseconds().count();
  if (micros == 0) {
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", FormatDate(date).c_str(),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%06lldZ", FormatDate(date).c_str(),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<long long>(micros));
  }
  return buf;
}

Result<Timestamp> ParseTimestamp(std::string_view text) {
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return BadTimestamp(text);
  auto date = ParseDate(text.substr(0, 10));
  if (!date.ok()) return BadTimestamp(text);
  int hh = 0, mm = 0, ss = 0;
  if (!ParseDigits(text, 11, 2, hh) || text[13] != ':' || !ParseDigits(text, 14, 2, mm) ||
      text[16] != ':' || !ParseDigits(text, 17, 2, ss) || hh > 23 || mm > 59 || ss > 59) {
    return BadTimestamp(text);
  }
  size_t pos = 19;
  long long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return BadTimestamp(text);
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }
  long long offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!ParseDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ParseDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return BadTimestamp(text);
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return BadTimestamp(text);
  }
  if (pos != text.size()) return BadTimestamp(text);
  Timestamp t = std::chrono::sys_days(*date) + std::chrono::hours(hh) +
                std::chrono::minutes(mm) + std::chrono::seconds(ss) +
                std::chrono::microseconds(micros);
  return t - std::chrono::minutes(offset_minutes);
}

}  // namespace clearway
