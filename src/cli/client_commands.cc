#include "cli/client_commands.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "api/client.h"
#include "api/client_auth.h"
#include "cli/output.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "declaration/declaration.h"

namespace clearway::cli {

namespace {

constexpr std::string_view kDefaultUrl = "https://127.0.0.1:8443";
constexpr std::string_view kDefaultCredentials = "var/demo-credentials.json";
constexpr std::string_view kDefaultCaCert = "var/tls/cert.pem";


int Report(const Error& error) { return Trouble(error, 1); }

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

// Where `clearway login` keeps the token: $XDG_CONFIG_HOME/clearway/token, else
// ~/.config/clearway/token (mode 0600).
std::string LoginTokenPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/clearway/token";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.config/clearway/token";
}

// The session cache of `--as USER`: DIR(credentials)/sessions/USER, mode 0600.
std::string CachedTokenPath(const std::string& credentials, const std::string& user) {
  std::filesystem::path dir = std::filesystem::path(credentials).parent_path();
  return (dir.empty() ? std::filesystem::path(".") : dir).string() + "/sessions/" + user;
}

Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) {
    return Error::NotFound("no-token", "no saved token at " + path);
  }
  return token;
}

Status WriteToken(const std::string& path, const std::string& token) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::filesystem::permissions(std::filesystem::path(path).parent_path(),
                               std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  const std::string temp = path + ".new";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return Error::Unavailable("write-failed", "cannot write " + temp);
    std::filesystem::permissions(temp, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, ec);
    out << token << "\n";
    if (!out.flush()) return Error::Unavailable("write-failed", "cannot write " + temp);
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) return Error::Unavailable("write-failed", "cannot replace " + path);
  return OkStatus();
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

// Valid() asks the server whether a saved token still works.
bool Valid(Session& session) {
  auto answer = session.Send("GET", "/v1/sessions/current");
  return answer.ok() && answer->status == 200;
}

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
  Session session;
  CW_ASSIGN_OR_RETURN(session.client, api::HttpsClient::Open(options));
  session.base_path = url.base_path;

  api::DemoCredential credential;
  std::string cache;
  if (!c.as_user.empty()) {
    std::string path = FromEnv(c.credentials, "CLEARWAY_CREDENTIALS", kDefaultCredentials);
    CW_ASSIGN_OR_RETURN(credential, api::ReadDemoCredential(path, c.as_user));
    cache = CachedTokenPath(path, c.as_user);
  } else if (std::string user = FromEnv(c.user, "CLEARWAY_USER"); !user.empty()) {
    credential.username = user;
    if (c.password_stdin) {
      std::getline(std::cin, credential.password);
    } else if (const char* env = std::getenv("CLEARWAY_PASSWORD")) {
      credential.password = env;
    } else {
      return Error::InvalidArgument("--password-stdin", "no-password",
                                    "give the password in CLEARWAY_PASSWORD or on stdin");
    }
  } else {
    // A token: CLEARWAY_TOKEN, else the one `clearway login` saved.
    std::string token = FromEnv("", "CLEARWAY_TOKEN");
    if (token.empty()) {
      auto saved = ReadToken(LoginTokenPath());
      if (!saved.ok()) {
        return Error::InvalidArgument("--as", "who-are-you",
                                      "say who you are: clearway login, or --as USER (demo "
                                      "credentials file), or --user USER with CLEARWAY_PASSWORD");
      }
      token = *saved;
    }
    session.authorization = "Bearer " + token;
    return session;
  }
  if (!cache.empty()) {
    if (auto saved = ReadToken(cache); saved.ok()) {
      session.authorization = "Bearer " + *saved;
      if (Valid(session)) return session;
    }
  }
  if (!c.totp.empty()) credential.totp_secret.clear();
  api::DemoCredential asked = credential;
  std::string token;
  if (!c.totp.empty()) {
    // A code typed by the user: send it as it is.
    boost::json::object body{{"username", credential.username},
                             {"password", credential.password},
                             {"totp", c.totp}};
    CW_ASSIGN_OR_RETURN(api::ClientResponse answer,
                        session.client->Request("POST", session.base_path + "/v1/sessions",
                                                boost::json::serialize(body)));
    if (answer.status != 201) {
      return Error::Unauthenticated("sign-in-refused", DescribeProblem(answer.status, answer.body));
    }
    CW_ASSIGN_OR_RETURN(boost::json::value parsed, ParseJson(answer.body));
    token = std::string(parsed.at("token").as_string());
  } else {
    CW_ASSIGN_OR_RETURN(token, api::SignIn(*session.client, session.base_path, asked));
  }
  session.authorization = "Bearer " + token;
  if (!cache.empty()) (void)WriteToken(cache, token);
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

int Login(const Connection& c) {
  auto session = Connect(c);
  if (!session.ok()) return Report(session.error());
  auto who = session->Send("GET", "/v1/sessions/current");
  if (!who.ok() || who->status != 200) return Print(who);
  const std::string token = session->authorization.substr(std::string("Bearer ").size());
  const std::string path = LoginTokenPath();
  if (Status saved = WriteToken(path, token); !saved.ok()) return Report(saved.error());
  std::cout << "signed in; the token is saved in " << path
            << " (mode 0600) and used by clearway commands without --as/--user\n";
  return 0;
}

int Logout(const Connection& c) {
  return WithSession(c, [&](Session& s) {
    auto answer = s.Send("DELETE", "/v1/sessions/current");
    std::error_code ec;
    std::filesystem::remove(LoginTokenPath(), ec);
    if (!answer.ok()) return Report(answer.error());
    if (answer->status != 204) return Print(answer);
    std::cout << "signed out: the token is revoked\n";
    return 0;
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
    add("invoiceNumber", flags.invoice_number);
    add("container", flags.container);
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

int ApiCall(const Connection& c, std::string_view method, const std::string& path,
            const std::string& body) {
  return WithSession(c, [&](Session& s) { return Print(s.Send(method, path, body)); });
}

void AddConnectionFlags(CLI::App* cmd, Connection& c) {
  cmd->add_option("--url", c.url, "Server URL (env CLEARWAY_URL)");
  cmd->add_option("--ca-cert", c.ca_cert, "CA certificate to trust (env CLEARWAY_CA_CERT)");
  cmd->add_option("--as", c.as_user, "Act as this user of the credentials file");
  cmd->add_option("--credentials", c.credentials,
                  "Credentials file (env CLEARWAY_CREDENTIALS; default var/demo-credentials.json)");
  cmd->add_option("--user", c.user, "Username (password from CLEARWAY_PASSWORD or stdin)");
  cmd->add_flag("--password-stdin", c.password_stdin, "Read the password from standard input");
  cmd->add_option("--totp", c.totp, "The current code of your authenticator app");
}

std::string UrlEncode(std::string_view text) { return Encode(text); }

}  // namespace clearway::cli
