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
//   CW_ASSIGN_OR_RETURN(auto store, app::ProfileStore::Open(data_dir + "/risk/profiles.json"));
//   CW_ASSIGN_OR_RETURN(auto created, store->Create(profile, "risk.analyst", now));
//   CW_ASSIGN_OR_RETURN(auto active, store->Activate("MEAT-AR", "risk.analyst", now));
//
// Thread safety: every method may be called from many threads; changes are serialised.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "risk/profiles.h"

namespace clearway::app {

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
  // kUnavailable "write-failed" (nothing changes).
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
  explicit ProfileStore(std::string path) : path_(std::move(path)) {}
  Status Save(const std::vector<risk::RiskProfile>& profiles,
              const std::vector<ProfileChange>& changes);  // needs mu_
  Result<risk::RiskProfile> Change(const std::string& id, const std::string& by, Timestamp at,
                                   bool activate);

  const std::string path_;
  mutable std::mutex mu_;
  std::vector<risk::RiskProfile> profiles_;  // guarded by mu_
  std::vector<ProfileChange> changes_;       // guarded by mu_
};

}  // namespace clearway::app
