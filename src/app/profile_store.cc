#include "app/profile_store.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

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


// The document: profiles and their change log as one JSON object.
Status ParseDocument(const std::string& where, const std::string& text,
                     std::vector<risk::RiskProfile>& profiles_out,
                     std::vector<ProfileChange>& changes_out) {
  auto parsed = ParseJson(text);
  if (!parsed.ok() || !parsed->is_object()) return BadStore(where, "not a JSON object");
  const json::object& doc = parsed->get_object();
  const json::value* profiles = doc.if_contains("profiles");
  if (profiles == nullptr || !profiles->is_array()) return BadStore(where, "no profiles list");
  auto read = risk::ParseProfiles(json::serialize(json::object{{"profiles", *profiles}}));
  if (!read.ok()) return BadStore(where, read.error().field_path + ": " + read.error().message);
  std::vector<ProfileChange> changes;
  if (const json::value* log = doc.if_contains("changes")) {
    if (!log->is_array()) return BadStore(where, "changes is not a list");
    for (const json::value& entry : log->get_array()) {
      const json::object* o = entry.if_object();
      if (o == nullptr) return BadStore(where, "a change is not an object");
      ProfileChange change;
      for (auto [key, target] : {std::pair{"profile", &change.profile},
                                 std::pair{"change", &change.change}, std::pair{"by", &change.by}}) {
        const json::value* v = o->if_contains(key);
        if (v == nullptr || !v->is_string()) return BadStore(where, "a change lacks " + std::string(key));
        *target = std::string(v->get_string());
      }
      const json::value* at = o->if_contains("at");
      if (at == nullptr || !at->is_string()) return BadStore(where, "a change lacks at");
      auto when = ParseTimestamp(at->get_string());
      if (!when.ok()) return BadStore(where, "a change has a bad time");
      change.at = *when;
      changes.push_back(std::move(change));
    }
  }
  profiles_out = std::move(read).value();
  changes_out = std::move(changes);
  return OkStatus();
}

std::string DocumentOf(const std::vector<risk::RiskProfile>& profiles,
                       const std::vector<ProfileChange>& changes) {
  auto written = ParseJson(risk::ProfilesToJson(profiles));
  CW_CHECK(written.ok());  // ProfilesToJson() writes JSON
  json::object doc = written->get_object();
  json::array log;
  for (const ProfileChange& c : changes) {
    log.push_back(json::object{
        {"profile", c.profile}, {"change", c.change}, {"by", c.by}, {"at", FormatTimestamp(c.at)}});
  }
  doc["changes"] = std::move(log);
  return json::serialize(doc) + "\n";
}

// The file DATA_DIR/risk/profiles.json (one node: only this process writes it), or nothing at
// all for an empty path. Its generation counts this process's saves.
class FileProfileBackend final : public ProfileBackend {
 public:
  explicit FileProfileBackend(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  Result<Document> Load() override {
    std::scoped_lock lock(mu_);
    Document doc;
    doc.generation = generation_;
    if (path_.empty() || !std::filesystem::exists(path_)) return doc;
    CW_ASSIGN_OR_RETURN(doc.text, ReadFile(path_));
    return doc;
  }

  Result<int64_t> Generation() override {
    std::scoped_lock lock(mu_);
    return generation_;
  }

  Result<int64_t> Save(const std::string& text, int64_t generation) override {
    std::scoped_lock lock(mu_);
    if (generation != generation_) {
      return Error::Aborted("profile-store-conflict", "the risk profiles changed meanwhile");
    }
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
      CW_RETURN_IF_ERROR(WriteFileAtomic(path_, text, 0600));
    }
    return ++generation_;
  }

 private:
  const std::string path_;
  std::mutex mu_;
  int64_t generation_ = 0;  // guarded by mu_
};

// A change lost to another node's save is made again on that node's document. Two nodes
// saving in a tight loop can starve one of them, so each retry first waits a random 0..2n ms
// (n = the attempt): the other node's burst ends and the loser gets through.
constexpr int kSaveAttempts = 20;

void BackOff(int attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());  // timing only, not a secret
  std::uniform_int_distribution<int> ms(0, 2 * attempt);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(jitter)));
}

}  // namespace

ProfileStore::ProfileStore(std::unique_ptr<ProfileBackend> backend)
    : backend_(std::move(backend)) {}
ProfileStore::~ProfileStore() = default;

Result<std::unique_ptr<ProfileStore>> ProfileStore::Open(std::string path) {
  auto backend = std::make_unique<FileProfileBackend>(path);
  std::unique_ptr<ProfileStore> store(new ProfileStore(std::move(backend)));
  std::scoped_lock lock(store->mu_);
  CW_RETURN_IF_ERROR(store->Load(path));
  return store;
}

Result<std::unique_ptr<ProfileStore>> ProfileStore::Open(std::unique_ptr<ProfileBackend> backend) {
  std::unique_ptr<ProfileStore> store(new ProfileStore(std::move(backend)));
  std::scoped_lock lock(store->mu_);
  CW_RETURN_IF_ERROR(store->Load("the shared risk profiles"));
  return store;
}

Status ProfileStore::Load(const std::string& where) {
  CW_ASSIGN_OR_RETURN(ProfileBackend::Document doc, backend_->Load());
  std::vector<risk::RiskProfile> profiles;
  std::vector<ProfileChange> changes;
  if (!doc.text.empty()) CW_RETURN_IF_ERROR(ParseDocument(where, doc.text, profiles, changes));
  profiles_ = std::move(profiles);
  changes_ = std::move(changes);
  generation_ = doc.generation;
  return OkStatus();
}

Result<bool> ProfileStore::Refresh() {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(int64_t saved, backend_->Generation());
  if (saved == generation_) return false;
  CW_RETURN_IF_ERROR(Load("the shared risk profiles"));
  return true;
}

Status ProfileStore::Apply(const Edit& edit) {
  for (int attempt = 1;; ++attempt) {
    std::vector<risk::RiskProfile> profiles = profiles_;
    std::vector<ProfileChange> changes = changes_;
    CW_RETURN_IF_ERROR(edit(profiles, changes));
    // Written first, adopted after: a failed write changes nothing.
    Result<int64_t> saved = backend_->Save(DocumentOf(profiles, changes), generation_);
    if (saved.ok()) {
      profiles_ = std::move(profiles);
      changes_ = std::move(changes);
      generation_ = *saved;
      return OkStatus();
    }
    if (saved.error().reason != "profile-store-conflict" || attempt == kSaveAttempts) {
      return std::move(saved).error();
    }
    // Another node saved in between: read its document and make this change again on it.
    BackOff(attempt);
    CW_RETURN_IF_ERROR(Load("the shared risk profiles"));
  }
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
  Status applied = Apply([&](std::vector<risk::RiskProfile>& profiles,
                            std::vector<ProfileChange>& changes) -> Status {
    for (const auto& p : profiles) {
      if (p.id == profile.id) {
        return Error::AlreadyExists("profile-exists",
                                    "a risk profile '" + profile.id + "' exists already");
      }
    }
    profiles.push_back(profile);
    changes.push_back({profile.id, "created", by, at});
    return OkStatus();
  });
  CW_RETURN_IF_ERROR(applied);
  return profile;
}

Result<risk::RiskProfile> ProfileStore::Change(const std::string& id, const std::string& by,
                                               Timestamp at, bool activate) {
  std::scoped_lock lock(mu_);
  risk::RiskProfile changed;
  Status applied = Apply([&](std::vector<risk::RiskProfile>& profiles,
                            std::vector<ProfileChange>& changes) -> Status {
    auto it = std::find_if(profiles.begin(), profiles.end(),
                           [&](const risk::RiskProfile& p) { return p.id == id; });
    if (it == profiles.end()) return NotFound(id);
    CW_RETURN_IF_ERROR(activate ? risk::Activate(*it) : risk::Retire(*it));
    changes.push_back({id, activate ? "activated" : "retired", by, at});
    changed = *it;
    return OkStatus();
  });
  CW_RETURN_IF_ERROR(applied);
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

Result<bool> ProfileStore::CreateIfEmpty(const std::vector<risk::RiskProfile>& seed,
                                         const std::string& by, Timestamp at) {
  std::scoped_lock lock(mu_);
  if (!profiles_.empty()) return false;
  Status seeded = Apply([&](std::vector<risk::RiskProfile>& profiles,
                            std::vector<ProfileChange>& changes) -> Status {
    // Another node may have seeded first: then this one keeps its profiles.
    if (!profiles.empty()) return Error::AlreadyExists("profiles-exist", "seeded already");
    for (const auto& p : seed) {
      changes.push_back({p.id, "created", by, at});
      if (p.status == risk::ProfileStatus::kActive) changes.push_back({p.id, "activated", by, at});
    }
    profiles = seed;
    return OkStatus();
  });
  if (!seeded.ok() && seeded.error().reason == "profiles-exist") return false;
  CW_RETURN_IF_ERROR(seeded);
  return true;
}

}  // namespace clearway::app
