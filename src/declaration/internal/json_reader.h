// File: declaration/internal/json_reader.h
//
// Private to the declaration module: a strict reader over Boost.JSON values that records every
// problem (field path, reason, message) instead of stopping at the first. Each Read*() takes a
// Field (a value, or nullptr when absent, and its JSON path) and returns the value when it is
// well-formed, nullopt otherwise; an absent field returns nullopt without a problem (callers
// use ObjectReader::Require() to record "required").
//
//   Problems problems;
//   ObjectReader party(field, {"id", "name", "address"}, problems);
//   auto name = ReadText(party.Require("name"), kMaxNameLength, problems);
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/error.h"
#include "common/money.h"

namespace clearway::declaration::internal {

// Problems collects validation problems, keeping the first `limit` and counting the rest.
class Problems {
 public:
  explicit Problems(size_t limit) : limit_(limit) {}
  void Add(std::string path, std::string_view reason, std::string message);
  bool empty() const { return total_ == 0; }
  // ToError() is the single kInvalidArgument "validation-failed" error listing them.
  Error ToError() const;

 private:
  size_t limit_;
  size_t total_ = 0;
  std::vector<Error> details_;
};

// A JSON value in the document, with its path; `value` is nullptr when absent or null.
struct Field {
  const boost::json::value* value = nullptr;
  std::string path;
};

// Path helpers: ChildPath("goodsItems[0]", "origin") is "goodsItems[0].origin" and
// ChildPath("", "type") is "type"; IndexPath("goodsItems", 2) is "goodsItems[2]".
std::string ChildPath(std::string_view parent, std::string_view key);
std::string IndexPath(std::string_view parent, size_t index);

// ObjectReader views one JSON object with a fixed set of allowed keys. Construction records
// "wrong-type" when the field is not an object and "unknown-field" for each key not allowed
// (suggesting the nearest allowed key). An absent field makes an empty, non-valid reader.
class ObjectReader {
 public:
  ObjectReader(const Field& field, std::initializer_list<std::string_view> keys,
               Problems& problems);
  bool valid() const { return object_ != nullptr; }
  // Find() gives the key's field; its value is nullptr when absent or JSON null.
  Field Find(std::string_view key) const;
  // Require() is Find() that records "required" when the value is absent (and the object is
  // valid: a missing or mistyped object is reported once, at its own path).
  Field Require(std::string_view key);

 private:
  const boost::json::object* object_ = nullptr;
  std::string path_;
  Problems& problems_;
};

// ArrayElements() gives the element fields of an array, recording "wrong-type" when the field
// is not an array and "too-many-items" past `max_items` (whose elements are not returned).
std::vector<Field> ArrayElements(const Field& field, size_t max_items, Problems& problems);

// ReadText(): a non-empty string of at most `max_length` code points ("wrong-type",
// "required" when empty, "too-long").
std::optional<std::string> ReadText(const Field& field, size_t max_length, Problems& problems);

// ReadCode(): a string satisfying `valid`; otherwise `reason` with "must be " + `expected`.
std::optional<std::string> ReadCode(const Field& field, bool (*valid)(std::string_view),
                                    std::string_view reason, std::string_view expected,
                                    Problems& problems);

// ReadInteger(): a JSON integer ("wrong-type" for strings, fractions and other kinds).
std::optional<int64_t> ReadInteger(const Field& field, Problems& problems);

// ReadMoney(): a decimal string or JSON integer in `currency` ("money-must-be-decimal-string"
// for a JSON floating-point number, "bad-amount", "not-positive" unless `allow_zero`, then
// "negative-amount" below zero). With no valid currency only the form is checked and nullopt
// is returned.
std::optional<Money> ReadMoney(const Field& field, const std::optional<std::string>& currency,
                               bool allow_zero, Problems& problems);

// ReadThousandths(): a positive decimal string or JSON integer with at most 3 fraction digits,
// scaled by 1000 ("wrong-type", "bad-amount", "not-positive"). `unit_hint` names the unit in
// messages ("kg").
std::optional<int64_t> ReadThousandths(const Field& field, std::string_view unit_hint,
                                       Problems& problems);

// FormatThousandths(): 4800500 -> "4800.5" (trimmed) or "4800.500" (fixed).
std::string FormatThousandths(int64_t thousandths, bool fixed);

}  // namespace clearway::declaration::internal
