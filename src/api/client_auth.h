// File: api/client_auth.h
//
// Signing in from a client program (the CLI, the load generator, tests): POST /v1/sessions
// with a password and, for an account with a second factor, the current TOTP code computed
// from its secret (the demo's credentials file holds the secret for the users that must use
// MFA: a stand-in for the authenticator app). Also reads the demo credentials file.
//
//   CW_ASSIGN_OR_RETURN(DemoCredential who, ReadDemoCredential("var/demo-credentials.json",
//                                                             "officer.hamburg"));
//   CW_ASSIGN_OR_RETURN(std::string token, SignIn(*client, "", who));
//   headers.emplace_back("Authorization", "Bearer " + token);
#pragma once

#include <string>

#include "api/client.h"
#include "common/result.h"

namespace clearway::api {

struct DemoCredential {
  std::string username;
  std::string password;
  std::string totp_secret;  // Base32; "" when the account has no second factor
};

// ReadDemoCredential() finds `username` in a demo credentials file (a JSON array of
// {"username", "password", "totp_secret"?}). kNotFound "file-not-found", "unknown-user";
// kInvalidArgument "malformed-credentials".
Result<DemoCredential> ReadDemoCredential(const std::string& path, const std::string& username);

// CurrentTotp() is the TOTP code of a Base32 secret at the current time plus `steps_ahead`
// 30-second steps. kInvalidArgument "bad-base32" / "totp-bad-secret".
Result<std::string> CurrentTotp(const std::string& secret_base32, int steps_ahead = 0);

// SignIn() posts the credential to base_path + "/v1/sessions" and returns the session token.
// A TOTP code is accepted once: when the current one was used (by an earlier sign-in in the
// same 30 s) the next step's code, also in the server's window, is tried once. Errors: the
// client's; kUnauthenticated "sign-in-refused" with the server's problem in the message.
Result<std::string> SignIn(HttpsClient& client, const std::string& base_path,
                           const DemoCredential& credential);

}  // namespace clearway::api
