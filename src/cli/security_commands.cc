#include "cli/security_commands.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/client_commands.h"

namespace clearway::cli {

namespace {

struct EventFlags {
  Connection conn;
  std::string type, actor, outcome, from, to, cursor;
  int limit = 0;
};

std::string QueryOf(const EventFlags& f) {
  std::string query;
  auto add = [&query](const char* name, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + UrlEncode(value);
  };
  add("type", f.type);
  add("actor", f.actor);
  add("outcome", f.outcome);
  add("from", f.from);
  add("to", f.to);
  add("cursor", f.cursor);
  if (f.limit > 0) add("limit", std::to_string(f.limit));
  return query;
}

}  // namespace

void AddSecurityCommands(CLI::App& app) {
  auto* security = app.add_subcommand("security", "The security event log (auditors, admins)");
  security->require_subcommand(1);
  auto flags = std::make_shared<EventFlags>();
  auto* events = security->add_subcommand("events", "List security events, newest first");
  events->add_option("--type", flags->type, "Event type, e.g. login-failed, permission-denied");
  events->add_option("--actor", flags->actor, "User id of who acted");
  events->add_option("--outcome", flags->outcome, "success, failure or denied");
  events->add_option("--from", flags->from, "RFC 3339 instant, inclusive");
  events->add_option("--to", flags->to, "RFC 3339 instant, exclusive");
  events->add_option("--limit", flags->limit, "Page size 1..500")->check(CLI::Range(1, 500));
  events->add_option("--cursor", flags->cursor, "nextCursor of the previous page");
  AddConnectionFlags(events, flags->conn);
  events->callback([flags] {
    // Like every Add…Commands command, the exit code (0 too) leaves through CLI11_PARSE.
    throw CLI::RuntimeError(ApiCall(flags->conn, "GET", "/v1/security/events" + QueryOf(*flags)));
  });
}

}  // namespace clearway::cli
