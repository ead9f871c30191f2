#include "app/profile_store.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "app/files.h"
#include "common/json.h"

namespace clearway::app {

namespace json = boost::json;

namespace {

constexpr size_t kMaxIdLength = 64;

Error BadStore(const std::string& path, const std::string& why) {
  return Error::DataLoss("bad-profile-store", path + ": " + why);
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

Error NotFound(const std::string& id) {
  return Error::NotFound("profile-not-found", "no risk profile '" + id.substr(0, 64) + "'");
}

}  // namespace

Result<std::unique_ptr<ProfileStore>> ProfileStore::Open(std::string path) {
  std::unique_ptr<ProfileStore> store(new ProfileStore(path));
  if (path.empty() || !std::filesystem::exists(path)) return store;
  CW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto parsed = ParseJson(text);
  if (!parsed.ok() || !parsed->is_object()) return BadStore(path, "not a JSON object");
  const json::object& doc = parsed->get_object();
  const json::value* profiles = doc.if_contains("profiles");
  if (profiles == nullptr || !profiles->is_array()) return BadStore(path, "no profiles list");
  auto read = risk::ParseProfiles(json::serialize(json::object{{"profiles", *profiles}}));
  if (!read.ok()) return BadStore(path, read.error().field_path + ": " + read.error().message);
  store->profiles_ = std::move(read).value();
  if (const json::value* changes = doc.if_contains("changes")) {
    if (!changes->is_array()) return BadStore(path, "changes is not a list");
    for (const json::value& entry : changes->get_array()) {
      const json::object* o = entry.if_object();
      if (o == nullptr) return BadStore(path, "a change is not an object");
      ProfileChange change;
      for (auto [key, target] : {std::pair{"profile", &change.profile},
                                 std::pair{"change", &change.change}, std::pair{"by", &change.by}}) {
        const json::value* v = o->if_contains(key);
        if (v == nullptr || !v->is_string()) return BadStore(path, "a change lacks " + std::string(key));
        *target = std::string(v->get_string());
      }
      const json::value* at = o->if_contains("at");
      if (at == nullptr || !at->is_string()) return BadStore(path, "a change lacks at");
      auto when = ParseTimestamp(at->get_string());
      if (!when.ok()) return BadStore(path, "a change has a bad time");
      change.at = *when;
      store->changes_.push_back(std::move(change));
    }
  }
  return store;
}

Status ProfileStore::Save(const std::vector<risk::RiskProfile>& profiles,
                          const std::vector<ProfileChange>& changes) {
  if (path_.empty()) return OkStatus();
  auto written = ParseJson(risk::ProfilesToJson(profiles));
  CW_CHECK(written.ok());  // ProfilesToJson() writes JSON
  json::object doc = written->get_object();
  json::array log;
  for (const ProfileChange& c : changes) {
    log.push_back(json::object{
        {"profile", c.profile}, {"change", c.change}, {"by", c.by}, {"at", FormatTimestamp(c.at)}});
  }
  doc["changes"] = std::move(log);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  return WriteFileAtomic(path_, json::serialize(doc) + "\n", 0600);
}

std::vector<risk::RiskProfile> ProfileStore::List() const {
  std::scoped_lock lock(mu_);
  return profiles_;
}

std::vector<risk::RiskProfile> ProfileStore::Active() const {
  std::scoped_lock lock(mu_);
  std::vector<risk::RiskProfile> out;
  for (const auto& p : profiles_) {
    if (p.status == risk::ProfileStatus::kActive) out.push_back(p);
  }
  return out;
}

Result<risk::RiskProfile> ProfileStore::Get(const std::string& id) const {
  std::scoped_lock lock(mu_);
  for (const auto& p : profiles_) {
    if (p.id == id) return p;
  }
  return NotFound(id);
}

std::vector<ProfileChange> ProfileStore::Changes() const {
  std::scoped_lock lock(mu_);
  return changes_;
}

Result<risk::RiskProfile> ProfileStore::Create(risk::RiskProfile profile, const std::string& by,
                                               Timestamp at) {
  if (!ValidId(profile.id)) {
    return Error::InvalidArgument("id", "bad-profile",
                                  "a profile id is 1 to 64 letters, digits, '-', '_' or '.'");
  }
  profile.status = risk::ProfileStatus::kDraft;
  std::scoped_lock lock(mu_);
  for (const auto& p : profiles_) {
    if (p.id == profile.id) {
      return Error::AlreadyExists("profile-exists",
                                  "a risk profile '" + profile.id + "' exists already");
    }
  }
  std::vector<risk::RiskProfile> profiles = profiles_;
  std::vector<ProfileChange> changes = changes_;
  profiles.push_back(profile);
  changes.push_back({profile.id, "created", by, at});
  // Written first, adopted after: a failed write changes nothing.
  CW_RETURN_IF_ERROR(Save(profiles, changes));
  profiles_ = std::move(profiles);
  changes_ = std::move(changes);
  return profile;
}

Result<risk::RiskProfile> ProfileStore::Change(const std::string& id, const std::string& by,
                                               Timestamp at, bool activate) {
  std::scoped_lock lock(mu_);
  std::vector<risk::RiskProfile> profiles = profiles_;
  auto it = std::find_if(profiles.begin(), profiles.end(),
                         [&](const risk::RiskProfile& p) { return p.id == id; });
  if (it == profiles.end()) return NotFound(id);
  CW_RETURN_IF_ERROR(activate ? risk::Activate(*it) : risk::Retire(*it));
  std::vector<ProfileChange> changes = changes_;
  changes.push_back({id, activate ? "activated" : "retired", by, at});
  CW_RETURN_IF_ERROR(Save(profiles, changes));
  risk::RiskProfile changed = *it;
  profiles_ = std::move(profiles);
  changes_ = std::move(changes);
  return changed;
}

Result<risk::RiskProfile> ProfileStore::Activate(const std::string& id, const std::string& by,
                                                 Timestamp at) {
  return Change(id, by, at, true);
}

Result<risk::RiskProfile> ProfileStore::Retire(const std::string& id, const std::string& by,
                                               Timestamp at) {
  return Change(id, by, at, false);
}

Result<bool> ProfileStore::CreateIfEmpty(const std::vector<risk::RiskProfile>& profiles,
                                         const std::string& by, Timestamp at) {
  std::scoped_lock lock(mu_);
  if (!profiles_.empty()) return false;
  std::vector<ProfileChange> changes;
  for (const auto& p : profiles) {
    changes.push_back({p.id, "created", by, at});
    if (p.status == risk::ProfileStatus::kActive) changes.push_back({p.id, "activated", by, at});
  }
  CW_RETURN_IF_ERROR(Save(profiles, changes));
  profiles_ = profiles;
  changes_ = std::move(changes);
  return true;
}

}  // namespace clearway::app
