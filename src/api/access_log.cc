// The access log line; see access_log.h.
#include "api/access_log.h"

#include <iterator>

#include <fmt/format.h>

#include "api/http_util.h"

namespace clearway::api::internal {

std::string AccessLogLine(const AccessLogEntry& entry) {
  std::string line;
  line.reserve(256);
  line += R"({"event":"http_request","method":)";
  AppendJsonString(line, entry.method);
  line += R"(,"route":)";
  AppendJsonString(line, entry.route);
  line += R"(,"path":)";
  AppendJsonString(line, entry.path.substr(0, kMaxLoggedPath));
  fmt::format_to(std::back_inserter(line), R"(,"status":{},"duration_ms":{:.3f},"request_id":)",
                 entry.status, entry.duration_ms);
  AppendJsonString(line, entry.request_id);
  line += R"(,"remote":)";
  AppendJsonString(line, entry.remote);
  fmt::format_to(std::back_inserter(line), R"(,"bytes_in":{},"bytes_out":{}}})", entry.bytes_in,
                 entry.bytes_out);
  return line;
}

}  // namespace clearway::api::internal
