// File: cli/output.h
//
// Terminal output: indented JSON and readable problem details.
#pragma once

#include <boost/json.hpp>
#include <string>

namespace clearway::cli {

// PrettyJson() indents with two spaces; key order is kept.
std::string PrettyJson(const boost::json::value& value);

// DescribeProblem() turns an application/problem+json body into lines for a person:
// the title and detail, then one line per field error "  field: reason: message (hint)".
std::string DescribeProblem(int status, const std::string& body);

}  // namespace clearway::cli
