// File: cli/output.h
//
// Terminal output (indented JSON, readable problem details, errors on stderr) and the small
// things every client command needs: a flag with an environment fallback, a verifier key
// given as text or as a file, and the store the --data-dir/--store flags name.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "app/config.h"
#include "common/error.h"
#include "common/result.h"
#include "ledger/note.h"

namespace clearway::cli {

// PrettyJson() indents with two spaces; key order is kept.
std::string PrettyJson(const boost::json::value& value);

// DescribeProblem() turns an application/problem+json body into lines for a person:
// the title and detail, then one line per field error "  field: reason: message (hint)".
std::string DescribeProblem(int status, const std::string& body);

// Trouble() prints "clearway: <message> (<reason>)" and one line per detail on stderr, and
// returns `exit_code`.
int Trouble(const Error& error, int exit_code);

// FromEnv() is `flag` when set, else the environment variable `env` when set, else `fallback`.
std::string FromEnv(const std::string& flag, const char* env, std::string_view fallback = {});

// VerifierKeyOf() parses a signed-note verifier key given as the key itself or as a file whose
// first line holds it. kInvalidArgument "key-required" (field `flag_name`) when `flag` is empty;
// ParseVerifierKey()'s errors; kNotFound "file-not-found".
Result<ledger::VerifierKey> VerifierKeyOf(const std::string& flag, std::string_view flag_name);

// StoreConfigOfFlags() is the store --data-dir and --store name (an empty data_dir keeps the
// default); kInvalidArgument "unsupported-store" [--store] for a URL that is neither
// sqlite:PATH nor postgres://….
Result<app::StoreConfig> StoreConfigOfFlags(const std::string& data_dir, const std::string& url);

}  // namespace clearway::cli
