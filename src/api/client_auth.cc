#include "api/client_auth.h"

#include <fstream>
#include <sstream>

#include "common/json.h"
#include "identity/totp.h"

namespace clearway::api {

namespace json = boost::json;

Result<DemoCredential> ReadDemoCredential(const std::string& path, const std::string& username) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("file-not-found", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseJson(text.str());
  if (!parsed.ok() || !parsed->is_array()) {
    return Error::InvalidArgument("", "malformed-credentials", path + " is not a JSON array");
  }
  for (const json::value& entry : parsed->get_array()) {
    if (!entry.is_object()) continue;
    const json::object& obj = entry.get_object();
    const json::value* name = obj.if_contains("username");
    const json::value* password = obj.if_contains("password");
    if (name == nullptr || password == nullptr || !name->is_string() || !password->is_string() ||
        name->get_string() != username) {
      continue;
    }
    DemoCredential credential{username, std::string(password->get_string()), ""};
    if (const json::value* totp = obj.if_contains("totp_secret"); totp && totp->is_string()) {
      credential.totp_secret = std::string(totp->get_string());
    }
    return credential;
  }
  return Error::NotFound("unknown-user", "no user '" + username + "' in " + path);
}

Result<std::string> CurrentTotp(const std::string& secret_base32, int steps_ahead) {
  CW_ASSIGN_OR_RETURN(std::vector<uint8_t> secret, identity::Base32Decode(secret_base32));
  CW_ASSIGN_OR_RETURN(identity::Totp totp, identity::Totp::New(std::move(secret), {}));
  return totp.Generate(identity::TotpStepAt(SystemClock().Now()) + steps_ahead);
}

Result<std::string> SignIn(HttpsClient& client, const std::string& base_path,
                           const DemoCredential& credential) {
  const int attempts = credential.totp_secret.empty() ? 1 : 2;
  std::string last_problem;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    json::object body{{"username", credential.username}, {"password", credential.password}};
    if (!credential.totp_secret.empty()) {
      CW_ASSIGN_OR_RETURN(body["totp"], CurrentTotp(credential.totp_secret, attempt));
    }
    CW_ASSIGN_OR_RETURN(ClientResponse response,
                        client.Request("POST", base_path + "/v1/sessions", json::serialize(body)));
    if (response.status == 201) {
      auto parsed = ParseJson(response.body);
      if (parsed.ok() && parsed->is_object()) {
        if (const json::value* token = parsed->get_object().if_contains("token");
            token != nullptr && token->is_string()) {
          return std::string(token->get_string());
        }
      }
      return Error::Unauthenticated("sign-in-refused", "the server's answer has no token");
    }
    last_problem = "HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 300);
    if (response.body.find("mfa-invalid") == std::string::npos) break;
  }
  return Error::Unauthenticated("sign-in-refused", "sign-in refused: " + last_problem);
}

}  // namespace clearway::api
