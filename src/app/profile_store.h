// File: app/profile_store.h
//
// ProfileStore keeps the server's risk profiles (risk/profiles.h) in one JSON file,
// DATA_DIR/risk/profiles.json (mode 0600), replaced atomically on every change, with who made
// each change and when:
//
//   {"profiles": [<profile>, ...],                       the form risk::ProfilesToJson() writes
//    "changes": [{"profile": "MEAT-AR", "change": "created" | "activated" | "retired",
//                 "by": "risk.analyst", "at": "2026-11-24T10:00:00Z"}, ...]}
//
// Risk analysts write profiles as drafts, try them on past declarations, then activate and
// later retire them; profiles are never deleted, so a past decision can always name the
// profile it hit.
//
// Where the document is kept is a ProfileBackend: the file above (one node), or a row of the
// store's PostgreSQL database shared by every node (app/shared_risk.h). Every saved document
// has a generation; a change is saved only over the generation it was made from (another
// node's change in between is loaded and the change made again), and Refresh() loads the
// document when another node changed it, so every node sees every change.
//
//   CW_ASSIGN_OR_RETURN(auto store, app::ProfileStore::Open(data_dir + "/risk/profiles.json"));
//   CW_ASSIGN_OR_RETURN(bool changed, store->Refresh());   // another node's change, if any
//   CW_ASSIGN_OR_RETURN(auto created, store->Create(profile, "risk.analyst", now));
//   CW_ASSIGN_OR_RETURN(auto active, store->Activate("MEAT-AR", "risk.analyst", now));
//
// Thread safety: every method may be called from many threads; changes are serialised.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "risk/profiles.h"

namespace clearway::app {

// ProfileBackend keeps the profile document (the JSON above) and its generation.
// Implementations are thread-safe.
class ProfileBackend {
 public:
  virtual ~ProfileBackend() = default;
  struct Document {
    std::string text;  // "" when nothing was saved yet
    int64_t generation = 0;
  };
  // Load() gives the document and its generation.
  virtual Result<Document> Load() = 0;
  // Generation() gives the saved generation (cheap: ProfileStore asks before every read that
  // must see other nodes' changes).
  virtual Result<int64_t> Generation() = 0;
  // Save() replaces the document when it is still at `generation` and gives the new
  // generation; kAborted "profile-store-conflict" when another writer saved in between
  // (nothing is written); kUnavailable "write-failed".
  virtual Result<int64_t> Save(const std::string& text, int64_t generation) = 0;
};

// ProfileChange is one line of the file's change log.
struct ProfileChange {
  std::string profile;
  std::string change;  // "created", "activated", "retired"
  std::string by;      // user id
  Timestamp at{};
};

class ProfileStore {
 public:
  // Open() reads the file, or starts empty when it does not exist; an empty `path` keeps the
  // profiles in memory only (tests). kDataLoss "bad-profile-store" when the file exists but
  // cannot be read as the format above.
  static Result<std::unique_ptr<ProfileStore>> Open(std::string path);

  // Open() reads the document of `backend` (empty when none was saved). Errors of the backend;
  // "bad-profile-store" as above.
  static Result<std::unique_ptr<ProfileStore>> Open(std::unique_ptr<ProfileBackend> backend);

  ProfileStore(const ProfileStore&) = delete;
  ProfileStore& operator=(const ProfileStore&) = delete;
  ~ProfileStore();

  // Refresh() loads the document again when its saved generation is not the one read last
  // (another node changed it): true when it did. Errors of the backend (what was read before
  // stays).
  Result<bool> Refresh();

  // List() gives every profile, in creation order.
  std::vector<risk::RiskProfile> List() const;

  // Active() gives the profiles whose status is active (validity is checked when applied).
  std::vector<risk::RiskProfile> Active() const;

  // Get() gives one profile; kNotFound "profile-not-found".
  Result<risk::RiskProfile> Get(const std::string& id) const;

  // Changes() gives the change log, oldest first.
  std::vector<ProfileChange> Changes() const;

  // Create() stores a new profile as a draft (whatever status it was given). Errors:
  // kAlreadyExists "profile-exists" (the id is taken, also by a retired profile);
  // kInvalidArgument "bad-profile" (an id that is not 1..64 letters, digits, '-', '_', '.');
  // kUnavailable "write-failed" (nothing changes); kAborted "profile-store-conflict" when other
  // nodes kept changing the profiles meanwhile (nothing changes; try again).
  Result<risk::RiskProfile> Create(risk::RiskProfile profile, const std::string& by,
                                   Timestamp at);

  // Activate()/Retire() move a profile on (risk::Activate/Retire). Errors: "profile-not-found";
  // kFailedPrecondition "illegal-profile-transition"; "write-failed" (nothing changes).
  Result<risk::RiskProfile> Activate(const std::string& id, const std::string& by, Timestamp at);
  Result<risk::RiskProfile> Retire(const std::string& id, const std::string& by, Timestamp at);

  // CreateIfEmpty() stores `profiles` as they are (statuses kept) when the store holds none;
  // false when it held some already. For the demo's seed.
  Result<bool> CreateIfEmpty(const std::vector<risk::RiskProfile>& profiles,
                             const std::string& by, Timestamp at);

 private:
  // A change: from the profiles and log as read, the new ones (or an error: nothing changes).
  using Edit = std::function<Status(std::vector<risk::RiskProfile>& profiles,
                                    std::vector<ProfileChange>& changes)>;

  explicit ProfileStore(std::unique_ptr<ProfileBackend> backend);
  Status Load(const std::string& where);  // needs mu_; `where` names the document in errors
  // Apply() runs `edit` on the latest document and saves it over the generation it read,
  // again after another node's change.
  Status Apply(const Edit& edit);  // needs mu_
  Result<risk::RiskProfile> Change(const std::string& id, const std::string& by, Timestamp at,
                                   bool activate);

  const std::unique_ptr<ProfileBackend> backend_;
  mutable std::mutex mu_;
  std::vector<risk::RiskProfile> profiles_;  // guarded by mu_
  std::vector<ProfileChange> changes_;       // guarded by mu_
  int64_t generation_ = 0;                   // guarded by mu_: of the document read
};

}  // namespace clearway::app
