// File: common/json.h
//
// JSON helpers over Boost.JSON: parsing with a position in the error, and the canonical form
// (keys sorted by code point, no insignificant white space, as RFC 8785 for the values Clearway
// stores: strings, integers, booleans, null, arrays, objects) that commitments and
// idempotency hashes are computed over.
//
//   auto v = ParseJson(R"({"b":1,"a":[true]})");
//   CanonicalJson(*v);   // {"a":[true],"b":1}
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clearway {

// ParseJson() parses one JSON text. Error kInvalidArgument "malformed-json" with a message
// naming the line and column; limits nesting depth to 64.
Result<boost::json::value> ParseJson(std::string_view text);

// ParseJson() into `storage` (e.g. a boost::json::monotonic_resource for a tree that is read
// and dropped at once; the resource must outlive the value).
Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr storage);

// CanonicalJson() serialises deterministically: object keys sorted, compact. Doubles are
// written as Boost.JSON writes them (Clearway never stores money as a double).
std::string CanonicalJson(const boost::json::value& value);

}  // namespace clearway
