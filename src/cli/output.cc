#include "cli/output.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/json.h"

namespace clearway::cli {

namespace {
void Write(const boost::json::value& v, std::string& out, int indent) {
  std::string pad(static_cast<size_t>(indent) * 2, ' ');
  std::string inner(static_cast<size_t>(indent + 1) * 2, ' ');
  if (v.is_object()) {
    const auto& obj = v.get_object();
    if (obj.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& kv : obj) {
      if (!first) out += ",\n";
      first = false;
      out += inner + boost::json::serialize(boost::json::string(kv.key())) + ": ";
      Write(kv.value(), out, indent + 1);
    }
    out += "\n" + pad + "}";
  } else if (v.is_array()) {
    const auto& arr = v.get_array();
    if (arr.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& item : arr) {
      if (!first) out += ",\n";
      first = false;
      out += inner;
      Write(item, out, indent + 1);
    }
    out += "\n" + pad + "]";
  } else {
    out += boost::json::serialize(v);
  }
}

std::string StringOf(const boost::json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}
}  // namespace

std::string PrettyJson(const boost::json::value& value) {
  std::string out;
  Write(value, out, 0);
  return out;
}

std::string DescribeProblem(int status, const std::string& body) {
  auto parsed = ParseJson(body);
  if (!parsed.ok() || !parsed->is_object()) {
    return "HTTP " + std::to_string(status) + (body.empty() ? "" : ": " + body.substr(0, 500));
  }
  const auto& obj = parsed->get_object();
  std::string out = "HTTP " + std::to_string(status) + " " + StringOf(obj, "title");
  if (auto reason = StringOf(obj, "reason"); !reason.empty()) out += " [" + reason + "]";
  if (auto detail = StringOf(obj, "detail"); !detail.empty()) out += "\n  " + detail;
  if (const auto* errors = obj.if_contains("errors"); errors != nullptr && errors->is_array()) {
    for (const auto& e : errors->get_array()) {
      if (!e.is_object()) continue;
      const auto& eo = e.get_object();
      out += "\n  " + StringOf(eo, "field") + ": " + StringOf(eo, "reason") + ": " +
             StringOf(eo, "message");
      if (auto hint = StringOf(eo, "hint"); !hint.empty()) out += " (" + hint + ")";
    }
  }
  if (auto hint = StringOf(obj, "hint"); !hint.empty()) out += "\n  hint: " + hint;
  return out;
}

int Trouble(const Error& error, int exit_code) {
  std::cerr << "clearway: " << error.message;
  if (!error.reason.empty()) std::cerr << " (" << error.reason << ")";
  std::cerr << "\n";
  for (const auto& d : error.details) {
    std::cerr << "  " << d.field_path << ": " << d.reason << ": " << d.message << "\n";
  }
  return exit_code;
}

std::string FromEnv(const std::string& flag, const char* env, std::string_view fallback) {
  if (!flag.empty()) return flag;
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  return std::string(fallback);
}

Result<ledger::VerifierKey> VerifierKeyOf(const std::string& flag, std::string_view flag_name) {
  if (flag.empty()) {
    return Error::InvalidArgument(std::string(flag_name), "key-required",
                                  "give the log's verifier key with " + std::string(flag_name) +
                                      " (GET /v1/ledger/key)");
  }
  auto direct = ledger::ParseVerifierKey(flag);
  if (direct.ok() || !std::filesystem::exists(flag)) return direct;
  std::ifstream in(flag);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Error::NotFound("file-not-found", "cannot read " + flag);
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return ledger::ParseVerifierKey(line);
}

Result<app::StoreConfig> StoreConfigOfFlags(const std::string& data_dir, const std::string& url) {
  app::StoreConfig config;
  if (!data_dir.empty()) config.data_dir = data_dir;
  config.url = url;
  if (!app::ValidateStoreConfig(config).ok()) {
    return Error::InvalidArgument("--store", "unsupported-store",
                                  "--store must be sqlite:PATH or postgres://USER@HOST:PORT/DB");
  }
  return config;
}

}  // namespace clearway::cli
