// File: declaration/sample.h
//
// Test helpers for the declaration tests: the canonical sample as a mutable JSON value and
// path-based editing ("goodsItems[1].origin"), so each test changes one thing and asserts the
// exact field path and reason that comes back.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/time.h"
#include "declaration/declaration.h"

namespace clearway::declaration::sample {

// A fixed "now" after the sample's invoice date (2026-11-02).
inline Timestamp TestNow() { return ParseTimestamp("2026-11-24T10:00:00Z").value(); }

inline boost::json::value SampleJson() { return boost::json::parse(ExampleDeclarationJson()); }

// At() walks a path of keys and [indices]; the last segment is created when it is a key.
inline boost::json::value& At(boost::json::value& root, std::string_view path) {
  boost::json::value* node = &root;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '.') ++pos;
    if (path[pos] == '[') {
      size_t close = path.find(']', pos);
      size_t index = std::stoul(std::string(path.substr(pos + 1, close - pos - 1)));
      node = &node->as_array().at(index);
      pos = close + 1;
      continue;
    }
    size_t end = path.find_first_of(".[", pos);
    if (end == std::string_view::npos) end = path.size();
    node = &node->as_object()[path.substr(pos, end - pos)];
    pos = end;
  }
  return *node;
}

// Erase() removes the object key at the end of `path` ("invoice.currency").
inline void Erase(boost::json::value& root, std::string_view path) {
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) {
    root.as_object().erase(path);
    return;
  }
  At(root, path.substr(0, dot)).as_object().erase(path.substr(dot + 1));
}

// Repeat() is a JSON string of `count` copies of `c`; Text() any std::string as JSON.
inline boost::json::value Text(const std::string& text) { return boost::json::string(text); }
inline boost::json::value Repeat(size_t count, char c) { return Text(std::string(count, c)); }

// Sample() is the sample with one value replaced.
inline boost::json::value Sample(std::string_view path, boost::json::value value) {
  boost::json::value json = SampleJson();
  At(json, path) = std::move(value);
  return json;
}

inline boost::json::value SampleWithout(std::string_view path) {
  boost::json::value json = SampleJson();
  Erase(json, path);
  return json;
}

inline Result<Declaration> Parse(const boost::json::value& json) {
  return ParseDeclaration(json, TestNow());
}

// IsOnlyProblem matches a "validation-failed" error listing exactly one problem, at this field
// path with this reason: the mutation a test made is named, and nothing else is.
MATCHER_P2(IsOnlyProblem, field_path, reason,
           "fails validation with only " + std::string(field_path) + ": " + std::string(reason)) {
  if (arg.ok()) {
    *result_listener << "is ok";
    return false;
  }
  const Error& e = arg.error();
  *result_listener << "error: " << e.ToString() << " details:";
  for (const auto& d : e.details)
    *result_listener << " [" << d.field_path << ": " << d.reason << "]";
  return e.code == ErrorCode::kInvalidArgument && e.reason == "validation-failed" &&
         e.details.size() == 1 && e.details[0].field_path == field_path &&
         e.details[0].reason == reason;
}

}  // namespace clearway::declaration::sample
