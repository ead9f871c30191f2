// File: cli/client_commands.h
//
// The `clearway declare ...` commands: talk to a running server over HTTPS as one user.
//
// Who and where (flags, else environment, else demo defaults). Every command signs in with
// POST /v1/sessions and sends the session token as a bearer token:
//   --as USER     the demo credentials file's password and TOTP secret; the session is cached
//                 in DIR/sessions/USER (0600) beside the credentials file and reused;
//   --user USER   password in CLEARWAY_PASSWORD or on stdin, --totp CODE when MFA is on;
//   neither       CLEARWAY_TOKEN, else the token `clearway login` saved.
//   --url         CLEARWAY_URL          https://127.0.0.1:8443
//   --ca-cert     CLEARWAY_CA_CERT      var/tls/cert.pem when it exists
//   --as USER with the demo credentials file (--credentials / CLEARWAY_CREDENTIALS,
//     default var/demo-credentials.json), or --user USER with the password in
//     CLEARWAY_PASSWORD or on standard input (--password-stdin). Passwords are never flags:
//     flags show in `ps`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace CLI {
class App;
}  // namespace CLI

namespace clearway::cli {

struct Connection {
  std::string url;
  std::string ca_cert;
  std::string as_user;
  std::string credentials;
  std::string user;
  bool password_stdin = false;
  std::string totp;  // a code from the user's authenticator app (with --user)
};

struct ListFlags {
  std::string status, type, channel, office, cursor;
  std::string invoice_number, container;
  int limit = 0;
  bool json = false;
};

// Login() signs in (as above) and saves the token in $XDG_CONFIG_HOME/clearway/token (or
// ~/.config/clearway/token), mode 0600. Logout() revokes it and deletes the file.
int Login(const Connection& c);
int Logout(const Connection& c);

int DeclareExample();
int DeclareValidate(const std::string& file);
int DeclareSubmit(const Connection& c, const std::string& file, bool draft,
                  const std::string& idempotency_key);
int DeclareShow(const Connection& c, const std::string& id, std::optional<int> version);
int DeclareList(const Connection& c, const ListFlags& flags);
int DeclareAmend(const Connection& c, const std::string& id, const std::string& file,
                 std::optional<int> if_match);
// LedgerReceipt() fetches GET /v1/declarations/{id}/receipt and prints it, or saves it to
// `out` when given.
int LedgerReceipt(const Connection& c, const std::string& id, const std::string& out);
int DeclareAction(const Connection& c, const std::string& id, const std::string& path_action,
                  const std::string& decision, const std::string& reason);

// ApiCall() sends one request (`path` already URL-encoded, `body` JSON or empty) as the
// connection's user and prints the JSON answer, or the problem on stderr. Exit code 0, 3 for
// a 422, 1 otherwise (used by `clearway risk …`).
int ApiCall(const Connection& c, std::string_view method, const std::string& path,
            const std::string& body = "");

// AddConnectionFlags() adds the flags above (--url, --ca-cert, --as, --credentials, --user,
// --password-stdin, --totp) to `cmd`, filling `c`, which must outlive the parse.
void AddConnectionFlags(CLI::App* cmd, Connection& c);

// UrlEncode() percent-encodes a path segment or query value (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view text);

}  // namespace clearway::cli
