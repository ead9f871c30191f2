#include "cli/client_commands.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/client.h"
#include "cli/output.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "declaration/declaration.h"

namespace clearway::cli {

namespace {

constexpr std::string_view kDefaultUrl = "https://127.0.0.1:8443";
constexpr std::string_view kDefaultCredentials = "var/demo-credentials.json";
constexpr std::string_view kDefaultCaCert = "var/tls/cert.pem";

std::string FromEnv(const std::string& flag, const char* env, std::string_view fallback = {}) {
  if (!flag.empty()) return flag;
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  return std::string(fallback);
}

int Report(const Error& error) {
  std::cerr << "clearway: " << error.message;
  if (!error.reason.empty()) std::cerr << " (" << error.reason << ")";
  std::cerr << "\n";
  for (const auto& d : error.details) {
    std::cerr << "  " << d.field_path << ": " << d.reason << ": " << d.message << "\n";
  }
  return 1;
}

Result<std::string> ReadAll(const std::string& file) {
  if (file == "-") {
    std::stringstream in;
    in << std::cin.rdbuf();
    return in.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::NotFound("file-not-found", "cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The password of `user` from the demo credentials file.
Result<std::string> PasswordFromCredentials(const std::string& path, const std::string& user) {
  CW_ASSIGN_OR_RETURN(std::string text, ReadAll(path));
  CW_ASSIGN_OR_RETURN(boost::json::value parsed, ParseJson(text));
  if (parsed.is_array()) {
    for (const auto& entry : parsed.get_array()) {
      if (!entry.is_object()) continue;
      const auto* name = entry.get_object().if_contains("username");
      const auto* password = entry.get_object().if_contains("password");
      if (name != nullptr && password != nullptr && name->is_string() && password->is_string() &&
          name->get_string() == user) {
        return std::string(password->get_string());
      }
    }
  }
  return Error::NotFound("unknown-user", "no user '" + user + "' in " + path);
}

// Session is one authenticated HTTPS connection to the server.
struct Session {
  std::unique_ptr<api::HttpsClient> client;
  std::string base_path;
  std::string authorization;

  Result<api::ClientResponse> Send(std::string_view method, const std::string& path,
                                   std::string_view body = {},
                                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Authorization", authorization);
    return client->Request(method, base_path + path, body, headers);
  }
};

Result<Session> Connect(const Connection& c) {
  CW_ASSIGN_OR_RETURN(api::HttpsUrl url,
                      api::ParseHttpsUrl(FromEnv(c.url, "CLEARWAY_URL", kDefaultUrl)));
  api::ClientOptions options;
  options.host = url.host;
  options.port = url.port;
  options.ca_file = FromEnv(c.ca_cert, "CLEARWAY_CA_CERT");
  if (options.ca_file.empty() && std::filesystem::exists(std::string(kDefaultCaCert))) {
    options.ca_file = kDefaultCaCert;
  }
  std::string user, password;
  if (!c.as_user.empty()) {
    user = c.as_user;
    std::string path = FromEnv(c.credentials, "CLEARWAY_CREDENTIALS", kDefaultCredentials);
    CW_ASSIGN_OR_RETURN(password, PasswordFromCredentials(path, user));
  } else {
    user = FromEnv(c.user, "CLEARWAY_USER");
    if (user.empty()) {
      return Error::InvalidArgument("--as", "who-are-you",
                                    "say who you are: --as USER (demo credentials file) or "
                                    "--user USER with CLEARWAY_PASSWORD or --password-stdin");
    }
    if (c.password_stdin) {
      std::getline(std::cin, password);
    } else if (const char* env = std::getenv("CLEARWAY_PASSWORD")) {
      password = env;
    } else {
      return Error::InvalidArgument("--password-stdin", "no-password",
                                    "give the password in CLEARWAY_PASSWORD or on stdin");
    }
  }
  Session session;
  CW_ASSIGN_OR_RETURN(session.client, api::HttpsClient::Open(options));
  session.base_path = url.base_path;
  session.authorization = "Basic " + crypto::Base64Encode(user + ":" + password);
  return session;
}

// Print() shows a successful JSON answer, or the problem, and gives the exit code.
int Print(const Result<api::ClientResponse>& response) {
  if (!response.ok()) return Report(response.error());
  if (response->status >= 400) {
    std::cerr << DescribeProblem(response->status, response->body) << "\n";
    return response->status == 422 ? 3 : 1;
  }
  auto parsed = ParseJson(response->body);
  std::cout << (parsed.ok() ? PrettyJson(*parsed) : response->body) << "\n";
  return 0;
}

int WithSession(const Connection& c, const std::function<int(Session&)>& body) {
  auto session = Connect(c);
  if (!session.ok()) return Report(session.error());
  return body(*session);
}

std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto ch = static_cast<unsigned char>(c);
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string Field(const boost::json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->get_string());
  return boost::json::serialize(*v);
}

}  // namespace

int DeclareExample() {
  std::cout << declaration::ExampleDeclarationJson();
  return 0;
}

int DeclareValidate(const std::string& file) {
  auto text = ReadAll(file);
  if (!text.ok()) return Report(text.error());
  auto parsed = declaration::ParseDeclarationText(*text, SystemClock().Now());
  if (!parsed.ok()) {
    Report(parsed.error());
    return 3;
  }
  std::cout << "valid: " << parsed->goods_items.size() << " goods items, invoice total "
            << parsed->invoice.total.ToDecimalString() << " " << parsed->invoice.currency << "\n";
  return 0;
}

int DeclareSubmit(const Connection& c, const std::string& file, bool draft,
                  const std::string& idempotency_key) {
  auto text = ReadAll(file);
  if (!text.ok()) return Report(text.error());
  return WithSession(c, [&](Session& s) {
    // A fresh key per invocation makes the client's own reconnect-and-resend safe.
    std::string key = idempotency_key.empty() ? crypto::RandomToken(16) : idempotency_key;
    return Print(s.Send("POST", std::string("/v1/declarations") + (draft ? "?draft=true" : ""),
                        *text, {{"Idempotency-Key", key}}));
  });
}

int DeclareShow(const Connection& c, const std::string& id, std::optional<int> version) {
  return WithSession(c, [&](Session& s) {
    std::string path = "/v1/declarations/" + Encode(id);
    if (version) path += "?version=" + std::to_string(*version);
    return Print(s.Send("GET", path));
  });
}

int LedgerReceipt(const Connection& c, const std::string& id, const std::string& out) {
  return WithSession(c, [&](Session& s) {
    auto response = s.Send("GET", "/v1/declarations/" + Encode(id) + "/receipt");
    if (out.empty() || !response.ok() || response->status != 200) return Print(response);
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file << response->body;
    if (!file.flush()) {
      return Report(Error::Unavailable("write-failed", "cannot write " + out));
    }
    std::cout << "receipt of " << id << " saved to " << out
              << "; check it with: clearway ledger verify --key KEY --receipt " << out << "\n";
    return 0;
  });
}

int DeclareList(const Connection& c, const ListFlags& flags) {
  return WithSession(c, [&](Session& s) {
    std::string query;
    auto add = [&](std::string_view name, const std::string& value) {
      if (value.empty()) return;
      query += (query.empty() ? "?" : "&") + std::string(name) + "=" + Encode(value);
    };
    add("status", flags.status);
    add("type", flags.type);
    add("channel", flags.channel);
    add("office", flags.office);
    add("cursor", flags.cursor);
    if (flags.limit > 0) add("limit", std::to_string(flags.limit));
    auto response = s.Send("GET", "/v1/declarations" + query);
    if (flags.json || !response.ok() || response->status != 200) return Print(response);
    auto parsed = ParseJson(response->body);
    if (!parsed.ok() || !parsed->is_object()) return Print(response);
    const auto& page = parsed->get_object();
    std::printf("%-26s  %-3s  %-13s  %-7s  %-8s  %-6s  %s\n", "ID", "VER", "STATUS", "CHANNEL",
                "OFFICE", "TYPE", "CREATED");
    if (const auto* items = page.if_contains("items"); items != nullptr && items->is_array()) {
      for (const auto& item : items->get_array()) {
        if (!item.is_object()) continue;
        const auto& o = item.get_object();
        std::printf("%-26s  %-3s  %-13s  %-7s  %-8s  %-6s  %s\n", Field(o, "id").c_str(),
                    Field(o, "version").c_str(), Field(o, "status").c_str(),
                    Field(o, "channel").c_str(), Field(o, "office").c_str(),
                    Field(o, "type").c_str(), Field(o, "createdAt").c_str());
      }
    }
    if (std::string next = Field(page, "nextCursor"); next != "-") {
      std::printf("next page: --cursor %s\n", next.c_str());
    }
    return 0;
  });
}

int DeclareAmend(const Connection& c, const std::string& id, const std::string& file,
                 std::optional<int> if_match) {
  auto text = ReadAll(file);
  if (!text.ok()) return Report(text.error());
  return WithSession(c, [&](Session& s) {
    std::vector<std::pair<std::string, std::string>> headers{
        {"Idempotency-Key", crypto::RandomToken(16)}};
    if (if_match) headers.emplace_back("If-Match", "\"" + std::to_string(*if_match) + "\"");
    return Print(s.Send("PUT", "/v1/declarations/" + Encode(id), *text, headers));
  });
}

int DeclareAction(const Connection& c, const std::string& id, const std::string& path_action,
                  const std::string& decision, const std::string& reason) {
  return WithSession(c, [&](Session& s) {
    boost::json::object body;
    if (!decision.empty()) body["action"] = decision;
    if (!reason.empty()) body["reason"] = reason;
    return Print(s.Send("POST", "/v1/declarations/" + Encode(id) + "/" + path_action,
                        body.empty() ? std::string() : boost::json::serialize(body),
                        {{"Idempotency-Key", crypto::RandomToken(16)}}));
  });
}

}  // namespace clearway::cli
