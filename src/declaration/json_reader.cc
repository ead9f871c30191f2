#include "declaration/internal/json_reader.h"

#include <algorithm>
#include <limits>

namespace clearway::declaration::internal {

namespace {

std::string_view KindName(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return "an integer";
    case boost::json::kind::double_:
      return "a floating-point number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

void WrongType(const Field& field, std::string_view expected, Problems& problems) {
  problems.Add(field.path, "wrong-type",
               "must be " + std::string(expected) + ", not " + std::string(KindName(*field.value)));
}

// Code points of valid UTF-8 (Boost.JSON validates UTF-8 while parsing).
size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// A short, printable excerpt of user input for messages.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 32;
  std::string out(text.substr(0, kMax));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return text.size() > kMax ? "'" + out + "…'" : "'" + out + "'";
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t col = 0; col <= b.size(); ++col) row[col] = col;
  for (size_t a_idx = 1; a_idx <= a.size(); ++a_idx) {
    size_t diagonal = row[0];
    row[0] = a_idx;
    for (size_t b_idx = 1; b_idx <= b.size(); ++b_idx) {
      size_t above = row[b_idx];
      size_t substitute = diagonal + (a[a_idx - 1] == b[b_idx - 1] ? 0 : 1);
      row[b_idx] = std::min({above + 1, row[b_idx - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// ParseScaled() reads "-?digits(.digits)?" with at most `max_fraction` fraction digits, scaled
// by 10^max_fraction. nullopt when malformed or out of range.
std::optional<int64_t> ParseScaled(std::string_view text, size_t max_fraction) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty()) ||
      fraction.size() > max_fraction) {
    return std::nullopt;
  }
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 10;
  int64_t value = 0;
  std::string digits(whole);
  digits += fraction;
  digits.append(max_fraction - fraction.size(), '0');
  for (char c : digits) {
    if (c < '0' || c > '9' || value > kLimit) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

}  // namespace

void Problems::Add(std::string path, std::string_view reason, std::string message) {
  ++total_;
  if (details_.size() < limit_) {
    details_.push_back(
        Error::InvalidArgument(std::move(path), std::string(reason), std::move(message)));
  }
}

Error Problems::ToError() const {
  Error error = Error::InvalidArgument(
      "", "validation-failed", std::to_string(total_) + (total_ == 1 ? " problem" : " problems"));
  error.details = details_;
  if (total_ > details_.size()) {
    error.details.push_back(Error::InvalidArgument(
        "", "too-many-problems",
        std::to_string(total_ - details_.size()) + " more problems are not listed"));
  }
  return error;
}

std::string ChildPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

ObjectReader::ObjectReader(const Field& field, std::initializer_list<std::string_view> keys,
                           Problems& problems)
    : path_(field.path), problems_(problems) {
  if (field.value == nullptr) return;
  if (!field.value->is_object()) {
    WrongType(field, "an object", problems);
    return;
  }
  object_ = &field.value->get_object();
  for (const auto& entry : *object_) {
    std::string_view key = entry.key();
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    std::string message = "unknown field " + Excerpt(key);
    for (std::string_view known : keys) {
      if (EditDistance(key, known) <= 2) {
        message += "; did you mean '" + std::string(known) + "'?";
        break;
      }
    }
    problems_.Add(ChildPath(path_, key.substr(0, 64)), "unknown-field", std::move(message));
  }
}

Field ObjectReader::Find(std::string_view key) const {
  Field field{nullptr, ChildPath(path_, key)};
  if (object_ == nullptr) return field;
  const boost::json::value* value = object_->if_contains(key);
  if (value != nullptr && !value->is_null()) field.value = value;
  return field;
}

Field ObjectReader::Require(std::string_view key) {
  Field field = Find(key);
  if (valid() && field.value == nullptr) {
    problems_.Add(field.path, "required", "'" + std::string(key) + "' is required");
  }
  return field;
}

std::vector<Field> ArrayElements(const Field& field, size_t max_items, Problems& problems) {
  std::vector<Field> elements;
  if (field.value == nullptr) return elements;
  if (!field.value->is_array()) {
    WrongType(field, "an array", problems);
    return elements;
  }
  const auto& array = field.value->get_array();
  if (array.size() > max_items) {
    problems.Add(field.path, "too-many-items",
                 "has " + std::to_string(array.size()) + " entries; at most " +
                     std::to_string(max_items) + " are allowed");
    return elements;
  }
  for (size_t idx = 0; idx < array.size(); ++idx) {
    const boost::json::value& element = array[idx];
    elements.push_back(Field{element.is_null() ? nullptr : &element, IndexPath(field.path, idx)});
    if (element.is_null()) problems.Add(elements.back().path, "required", "must not be null");
  }
  return elements;
}

std::optional<std::string> ReadText(const Field& field, size_t max_length, Problems& problems) {
  if (field.value == nullptr) return std::nullopt;
  if (!field.value->is_string()) {
    WrongType(field, "a string", problems);
    return std::nullopt;
  }
  std::string_view text = field.value->get_string();
  if (text.empty()) {
    problems.Add(field.path, "required", "must not be empty");
    return std::nullopt;
  }
  if (CodePoints(text) > max_length) {
    problems.Add(field.path, "too-long",
                 "must be at most " + std::to_string(max_length) + " characters, not " +
                     std::to_string(CodePoints(text)));
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<std::string> ReadCode(const Field& field, bool (*valid)(std::string_view),
                                    std::string_view reason, std::string_view expected,
                                    Problems& problems) {
  if (field.value == nullptr) return std::nullopt;
  if (!field.value->is_string()) {
    WrongType(field, "a string", problems);
    return std::nullopt;
  }
  std::string_view text = field.value->get_string();
  if (!valid(text)) {
    problems.Add(field.path, reason,
                 Excerpt(text) + " is not valid: must be " + std::string(expected));
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<int64_t> ReadInteger(const Field& field, Problems& problems) {
  if (field.value == nullptr) return std::nullopt;
  if (field.value->is_int64()) return field.value->get_int64();
  // Beyond int64: every caller range-checks, so the largest int64 stands for "too large".
  if (field.value->is_uint64()) return std::numeric_limits<int64_t>::max();
  WrongType(field, "an integer", problems);
  return std::nullopt;
}

std::optional<Money> ReadMoney(const Field& field, const std::optional<std::string>& currency,
                               bool allow_zero, Problems& problems) {
  if (field.value == nullptr) return std::nullopt;
  constexpr std::string_view kExpected = "a decimal string such as \"1234.50\"";
  std::string text;
  if (field.value->is_string()) {
    text = field.value->get_string();
  } else if (field.value->is_int64()) {
    text = std::to_string(field.value->get_int64());
  } else if (field.value->is_double()) {
    problems.Add(field.path, "money-must-be-decimal-string",
                 "money must be " + std::string(kExpected) +
                     " (or an integer), never a floating-point number");
    return std::nullopt;
  } else if (field.value->is_uint64()) {
    problems.Add(field.path, "bad-amount", "amount out of range");
    return std::nullopt;
  } else {
    WrongType(field, kExpected, problems);
    return std::nullopt;
  }
  if (!currency) {  // the currency is reported elsewhere; check the form only
    if (!ParseScaled(text, 4)) {
      problems.Add(field.path, "bad-amount", Excerpt(text) + " is not " + std::string(kExpected));
    }
    return std::nullopt;
  }
  auto money = Money::Parse(text, *currency);
  if (!money.ok()) {
    problems.Add(field.path, money.error().reason, money.error().message);
    return std::nullopt;
  }
  if (money->minor_units() < 0 || (money->minor_units() == 0 && !allow_zero)) {
    problems.Add(field.path, allow_zero ? "negative-amount" : "not-positive",
                 allow_zero ? "must not be negative" : "must be greater than zero");
    return std::nullopt;
  }
  return *money;
}

std::optional<int64_t> ReadThousandths(const Field& field, std::string_view unit_hint,
                                       Problems& problems) {
  if (field.value == nullptr) return std::nullopt;
  std::string expected = "a decimal string with at most 3 decimals such as \"1250.500\" (" +
                         std::string(unit_hint) + ") or an integer";
  std::optional<int64_t> value;
  if (field.value->is_string()) {
    value = ParseScaled(field.value->get_string(), 3);
    if (!value) {
      problems.Add(field.path, "bad-amount",
                   Excerpt(field.value->get_string()) + " is not " + expected);
      return std::nullopt;
    }
  } else if (field.value->is_int64()) {
    int64_t whole = field.value->get_int64();
    int64_t scaled = 0;
    if (__builtin_mul_overflow(whole, int64_t{1000}, &scaled)) {
      problems.Add(field.path, "bad-amount", "out of range");
      return std::nullopt;
    }
    value = scaled;
  } else if (field.value->is_uint64()) {
    problems.Add(field.path, "bad-amount", "out of range");
    return std::nullopt;
  } else {
    WrongType(field, expected, problems);
    return std::nullopt;
  }
  if (*value <= 0) {
    problems.Add(field.path, "not-positive", "must be greater than zero");
    return std::nullopt;
  }
  return value;
}

std::string FormatThousandths(int64_t thousandths, bool fixed) {
  std::string sign = thousandths < 0 ? "-" : "";
  uint64_t magnitude = thousandths < 0 ? static_cast<uint64_t>(-(thousandths + 1)) + 1
                                       : static_cast<uint64_t>(thousandths);
  std::string fraction = std::to_string(magnitude % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  if (!fixed) {
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  }
  std::string out = sign + std::to_string(magnitude / 1000);
  return fraction.empty() ? out : out + "." + fraction;
}

}  // namespace clearway::declaration::internal
