// File: risk/profiles.h
//
// Risk profiles: selectivity criteria written by risk analysts. A profile is a JSON document
// (format in docs/risk.md) with conditions over declaration fields, a lane and/or a score
// weight, validity dates [valid_from, valid_to), a plain-language description, instructions
// for the examining officer, and a state (draft -> active -> retired).
//
//   {"id": "TEX-CN-LOWVAL", "status": "active", "lane": "yellow", "weight": 0.2,
//    "valid_from": "2026-01-01", "valid_to": "2027-01-01",
//    "description": "Knitted garments from CN declared under 3 per kg",
//    "instructions": "Compare the invoice with the sales contract and payment proof.",
//    "conditions": {"commodity_prefixes": ["6109", "6110"], "origins": ["CN"],
//                   "value_per_kg": {"max": 3}}}
//
//   auto profiles = risk::ParseProfiles(text);          // one profile or {"profiles": [...]}
//   bool hit = risk::Matches((*profiles)[0], subject);  // conditions only
//   auto lane = risk::ApplyProfiles(*profiles, subject, date);   // active + valid ones
//   auto test = risk::TestProfile((*profiles)[0], past_records);  // test->hits
//
// Conditions: every listed condition must hold; within one list any value may match. Code
// prefixes match the start of the commodity code. Thread safety: plain values, pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "risk/dataset.h"
#include "risk/lane.h"

namespace clearway::risk {

enum class ProfileStatus { kDraft, kActive, kRetired };

struct ProfileConditions {
  std::vector<std::string> commodity_prefixes;
  std::vector<std::string> origins;
  std::vector<std::string> departures;
  std::vector<std::string> importers;
  std::vector<std::string> declarants;
  std::vector<std::string> sellers;
  std::vector<std::string> offices;
  std::vector<std::string> procedures;
  std::optional<double> min_value_per_kg;
  std::optional<double> max_value_per_kg;
};

struct RiskProfile {
  std::string id;
  std::string description;
  std::string instructions;
  ProfileStatus status = ProfileStatus::kDraft;
  std::optional<Date> valid_from;
  std::optional<Date> valid_to;  // exclusive
  std::optional<Lane> lane;      // at least this lane when hit
  double weight = 0;             // added to the score when hit, in [0, 1]
  ProfileConditions conditions;
};

// ProfileSubject is what a profile looks at: one goods line and its declaration.
struct ProfileSubject {
  std::string commodity_code;
  std::string origin;
  std::string departure;
  std::string importer;
  std::string declarant;
  std::string seller;
  std::string office;
  std::string procedure;
  std::optional<double> value_per_kg;  // absent when the mass is zero
};

// SubjectOf() makes the subject of a past declaration line.
ProfileSubject SubjectOf(const DeclarationRecord& record);

std::string_view ProfileStatusName(ProfileStatus status);

// ParseProfiles() reads one profile object or {"profiles": [...]}. Errors (kInvalidArgument,
// field_path like "profiles[1].lane"): "malformed-json"; "bad-profile" (a member of the wrong
// type, an unknown member, a missing id/description); "unknown-lane"; "bad-date";
// "empty-profile" (no condition at all, or neither lane nor weight); "bad-weight" (outside
// [0, 1]); "bad-validity" (valid_to not after valid_from); "duplicate-profile" (same id twice).
Result<std::vector<RiskProfile>> ParseProfiles(std::string_view json_text);

// ProfilesToJson() writes {"profiles": [...]} that ParseProfiles() reads back.
std::string ProfilesToJson(const std::vector<RiskProfile>& profiles);

// Matches() is true when every condition of the profile holds for the subject (state and
// validity are not looked at).
bool Matches(const RiskProfile& profile, const ProfileSubject& subject);

// IsInForce() is true for an active profile whose validity contains `day`.
bool IsInForce(const RiskProfile& profile, Date day);

// ProfileHits is what the profiles in force say about one subject.
struct ProfileHits {
  std::vector<std::string> ids;  // the profiles hit, in the given order
  std::optional<Lane> lane;      // the most severe lane among them (red > yellow > blue)
  double weight = 0;             // sum of weights, capped at 1
};
ProfileHits ApplyProfiles(const std::vector<RiskProfile>& profiles, const ProfileSubject& subject,
                          Date day);

// ProfileTest is the outcome of trying a profile on past declarations.
struct ProfileTest {
  size_t records = 0;
  size_t hits = 0;
  size_t labelled_hits = 0;
  size_t fraud_hits = 0;  // hits whose label is fraud
};

// TestProfile() counts the records the profile's conditions match, whatever its state and
// validity (so a draft can be tried before it is activated).
ProfileTest TestProfile(const RiskProfile& profile, const std::vector<DeclarationRecord>& records);

// Activate()/Retire() move a profile on: draft -> active, draft|active -> retired. Errors:
// kFailedPrecondition "illegal-profile-transition" (activating an active or retired one,
// retiring a retired one).
Status Activate(RiskProfile& profile);
Status Retire(RiskProfile& profile);

}  // namespace clearway::risk
