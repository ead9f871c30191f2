#include "app/purge_register.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <boost/json.hpp>

#include "common/json.h"

namespace clearway::app {

namespace {

namespace json = boost::json;

Error RegisterIo(const std::string& path, const std::string& what) {
  return Error::Unavailable("purge-register-io",
                            "cannot " + what + " the purge register " + path + ": " +
                                std::strerror(errno));
}

std::string LineOf(const store::PurgeRow& purge) {
  json::array declarations;
  for (const store::PurgedDeclaration& declaration : purge.declarations) {
    declarations.push_back(json::object{{"id", declaration.declaration_id},
                                        {"closedAt", FormatTimestamp(declaration.closed_at)}});
  }
  json::array events;
  for (const std::string& id : purge.security_event_ids) events.push_back(json::value(id));
  json::object line{{"v", 1},
                    {"purge", purge.id},
                    {"at", FormatTimestamp(purge.purged_at)},
                    {"actor", purge.actor},
                    {"declarations", std::move(declarations)},
                    {"securityEvents", std::move(events)}};
  return CanonicalJson(line) + "\n";
}

Result<store::PurgeRow> ParseLine(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  const json::object* line = ec ? nullptr : value.if_object();
  if (line == nullptr || !line->contains("purge") || !line->at("purge").is_string() ||
      !line->contains("at") || !line->at("at").is_string() ||
      !line->contains("declarations") || !line->at("declarations").is_array() ||
      !line->contains("securityEvents") || !line->at("securityEvents").is_array()) {
    return Error::DataLoss("purge-register-corrupt", "not a purge register line");
  }
  store::PurgeRow purge;
  purge.id = std::string(line->at("purge").as_string());
  CW_ASSIGN_OR_RETURN(purge.purged_at, ParseTimestamp(line->at("at").as_string()));
  if (const json::value* actor = line->if_contains("actor"); actor && actor->is_string()) {
    purge.actor = std::string(actor->as_string());
  }
  for (const json::value& item : line->at("declarations").as_array()) {
    const json::object* declaration = item.if_object();
    if (declaration == nullptr || !declaration->contains("id") ||
        !declaration->at("id").is_string() || !declaration->contains("closedAt") ||
        !declaration->at("closedAt").is_string()) {
      return Error::DataLoss("purge-register-corrupt", "a bad declaration entry");
    }
    CW_ASSIGN_OR_RETURN(Timestamp closed_at, ParseTimestamp(declaration->at("closedAt").as_string()));
    purge.declarations.push_back(
        store::PurgedDeclaration{std::string(declaration->at("id").as_string()), closed_at});
  }
  for (const json::value& id : line->at("securityEvents").as_array()) {
    if (!id.is_string()) return Error::DataLoss("purge-register-corrupt", "a bad event id");
    purge.security_event_ids.push_back(std::string(id.as_string()));
  }
  return purge;
}

}  // namespace

std::string PurgeRegisterPathFor(const std::string& key_file_path) {
  std::filesystem::path dir = std::filesystem::path(key_file_path).parent_path();
  return (dir.empty() ? std::filesystem::path("purge-register") : dir / "purge-register")
      .string();
}

Status PurgeRegister::Append(const store::PurgeRow& purge) {
  std::scoped_lock lock(mu_);
  return AppendLocked(purge);
}

Status PurgeRegister::AppendLocked(const store::PurgeRow& purge) {
  const std::string line = LineOf(purge);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return RegisterIo(path_, "open");
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Error error = RegisterIo(path_, "write");
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Error error = RegisterIo(path_, "sync");
    ::close(fd);
    return error;
  }
  ::close(fd);
  return OkStatus();
}

Result<std::vector<store::PurgeRow>> PurgeRegister::Read() const {
  std::scoped_lock lock(mu_);
  std::vector<store::PurgeRow> purges;
  std::ifstream in(path_);
  if (!in) return purges;
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (text.empty()) continue;
    Result<store::PurgeRow> purge = ParseLine(text);
    if (!purge.ok()) {
      return Error::DataLoss("purge-register-corrupt", "line " + std::to_string(number) +
                                                           " of " + path_ +
                                                           " is not a purge register line");
    }
    purges.push_back(std::move(purge).value());
  }
  return purges;
}

Result<int> PurgeRegister::Sync(store::Store& store) {
  CW_ASSIGN_OR_RETURN(std::vector<store::PurgeRow> known, Read());
  std::set<std::string> ids;
  for (const store::PurgeRow& purge : known) ids.insert(purge.id);
  CW_ASSIGN_OR_RETURN(std::vector<store::PurgeRow> stored, store.ListPurges());
  std::scoped_lock lock(mu_);
  int added = 0;
  for (const store::PurgeRow& purge : stored) {
    if (ids.count(purge.id) > 0) continue;
    CW_RETURN_IF_ERROR(AppendLocked(purge));
    ++added;
  }
  return added;
}

}  // namespace clearway::app
