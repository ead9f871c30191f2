#include "app/witness_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/json.h"

namespace clearway::app {

namespace {

namespace json = boost::json;

Error Malformed(const std::string& path, const std::string& why) {
  return Error::DataLoss("state-malformed", path + " is not a witness state: " + why);
}

Result<std::string> StringField(const json::object& object, std::string_view key,
                                const std::string& path) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    return Malformed(path, "\"" + std::string(key) + "\" is missing");
  }
  return std::string(value->get_string());
}

}  // namespace

Result<WitnessState> LoadWitnessState(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return WitnessState{};
    return Error::Unavailable("read-failed", "cannot read " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode) || (info.st_mode & 077) != 0) {
    return Error::FailedPrecondition(
        "state-exposed", path + " must be a regular file only its owner can access (chmod 600)");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseJson(text.str());
  if (!parsed.ok() || !parsed->is_object()) return Malformed(path, "not a JSON object");
  const json::object& root = parsed->get_object();
  WitnessState state;
  if (const json::value* logs = root.if_contains("logs")) {
    if (!logs->is_array()) return Malformed(path, "\"logs\" is not an array");
    for (const json::value& item : logs->get_array()) {
      if (!item.is_object()) return Malformed(path, "a log is not an object");
      CW_ASSIGN_OR_RETURN(std::string origin, StringField(item.get_object(), "origin", path));
      CW_ASSIGN_OR_RETURN(std::string note, StringField(item.get_object(), "checkpoint", path));
      state.last_cosigned[origin] = std::move(note);
    }
  }
  if (const json::value* forks = root.if_contains("forks")) {
    if (!forks->is_array()) return Malformed(path, "\"forks\" is not an array");
    for (const json::value& item : forks->get_array()) {
      if (!item.is_object()) return Malformed(path, "a fork is not an object");
      const json::object& fork = item.get_object();
      ForkRecord record;
      CW_ASSIGN_OR_RETURN(record.origin, StringField(fork, "origin", path));
      CW_ASSIGN_OR_RETURN(record.cosigned_note, StringField(fork, "cosigned", path));
      CW_ASSIGN_OR_RETURN(record.refused_note, StringField(fork, "refused", path));
      CW_ASSIGN_OR_RETURN(std::string at, StringField(fork, "detected_at", path));
      auto when = ParseTimestamp(at);
      if (!when.ok()) return Malformed(path, "bad detected_at");
      record.detected_at = *when;
      state.forks.push_back(std::move(record));
    }
  }
  return state;
}

Status SaveWitnessState(const std::string& path, const WitnessState& state) {
  json::array logs;
  for (const auto& [origin, note] : state.last_cosigned) {
    logs.push_back(json::object{{"origin", origin}, {"checkpoint", note}});
  }
  json::array forks;
  for (const ForkRecord& fork : state.forks) {
    forks.push_back(json::object{{"origin", fork.origin},
                                 {"cosigned", fork.cosigned_note},
                                 {"refused", fork.refused_note},
                                 {"detected_at", FormatTimestamp(fork.detected_at)}});
  }
  const std::string text =
      json::serialize(json::object{{"logs", std::move(logs)}, {"forks", std::move(forks)}}) + "\n";
  const std::string temp = path + ".new." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Error::Unavailable("write-failed", "cannot write " + temp + ": " + std::strerror(errno));
  }
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Error::Unavailable("write-failed", "cannot replace " + path);
  }
  return OkStatus();
}

}  // namespace clearway::app
