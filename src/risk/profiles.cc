#include "risk/profiles.h"

#include <algorithm>
#include <set>

#include "common/json.h"

namespace clearway::risk {

namespace json = boost::json;

namespace {

struct ListMember {
  const char* name;
  std::vector<std::string> ProfileConditions::*list;
};
const ListMember kLists[] = {
    {"commodity_prefixes", &ProfileConditions::commodity_prefixes},
    {"origins", &ProfileConditions::origins},
    {"departures", &ProfileConditions::departures},
    {"importers", &ProfileConditions::importers},
    {"declarants", &ProfileConditions::declarants},
    {"sellers", &ProfileConditions::sellers},
    {"offices", &ProfileConditions::offices},
    {"procedures", &ProfileConditions::procedures},
};

Error Bad(const std::string& path, std::string reason, std::string message) {
  return Error::InvalidArgument(path, std::move(reason), std::move(message));
}

Result<double> Number(const json::value& v, const std::string& path) {
  if (v.is_double()) return v.as_double();
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return Bad(path, "bad-profile", "a number is expected");
}

Result<std::string> Text(const json::value& v, const std::string& path) {
  if (!v.is_string()) return Bad(path, "bad-profile", "a string is expected");
  return std::string(v.as_string());
}

Result<Date> DateAt(const json::value& v, const std::string& path) {
  CW_ASSIGN_OR_RETURN(std::string text, Text(v, path));
  auto d = ParseDate(text);
  if (!d.ok()) return Bad(path, "bad-date", "'" + text + "' is not YYYY-MM-DD");
  return *d;
}

Result<ProfileConditions> ParseConditions(const json::value& v, const std::string& path) {
  if (!v.is_object()) return Bad(path, "bad-profile", "conditions is an object");
  ProfileConditions c;
  bool any = false;
  for (const auto& [key, value] : v.as_object()) {
    std::string member_path = path + "." + std::string(key);
    auto list = std::find_if(std::begin(kLists), std::end(kLists),
                             [&](const ListMember& m) { return key == m.name; });
    if (list != std::end(kLists)) {
      if (!value.is_array() || value.as_array().empty()) {
        return Bad(member_path, "bad-profile", "a non-empty list of strings is expected");
      }
      for (size_t i = 0; i < value.as_array().size(); ++i) {
        CW_ASSIGN_OR_RETURN(std::string item,
                            Text(value.as_array()[i], member_path + "[" + std::to_string(i) + "]"));
        (c.*(list->list)).push_back(std::move(item));
      }
      any = true;
    } else if (key == "value_per_kg") {
      if (!value.is_object()) return Bad(member_path, "bad-profile", "{min, max} is expected");
      for (const auto& [bound, number] : value.as_object()) {
        CW_ASSIGN_OR_RETURN(double n, Number(number, member_path + "." + std::string(bound)));
        if (bound == "min") {
          c.min_value_per_kg = n;
        } else if (bound == "max") {
          c.max_value_per_kg = n;
        } else {
          return Bad(member_path + "." + std::string(bound), "bad-profile", "min or max");
        }
      }
      any = any || c.min_value_per_kg.has_value() || c.max_value_per_kg.has_value();
    } else {
      return Bad(member_path, "bad-profile", "unknown condition");
    }
  }
  if (!any) return Bad(path, "empty-profile", "a profile needs at least one condition");
  return c;
}

Result<RiskProfile> ParseOne(const json::value& v, const std::string& path) {
  if (!v.is_object()) return Bad(path, "bad-profile", "a profile is an object");
  RiskProfile p;
  bool has_conditions = false;
  for (const auto& [key, value] : v.as_object()) {
    std::string member = path.empty() ? std::string(key) : path + "." + std::string(key);
    if (key == "id") {
      CW_ASSIGN_OR_RETURN(p.id, Text(value, member));
    } else if (key == "description") {
      CW_ASSIGN_OR_RETURN(p.description, Text(value, member));
    } else if (key == "instructions") {
      CW_ASSIGN_OR_RETURN(p.instructions, Text(value, member));
    } else if (key == "status") {
      CW_ASSIGN_OR_RETURN(std::string s, Text(value, member));
      if (s == "draft") {
        p.status = ProfileStatus::kDraft;
      } else if (s == "active") {
        p.status = ProfileStatus::kActive;
      } else if (s == "retired") {
        p.status = ProfileStatus::kRetired;
      } else {
        return Bad(member, "bad-profile", "status is draft, active or retired");
      }
    } else if (key == "lane") {
      CW_ASSIGN_OR_RETURN(std::string s, Text(value, member));
      auto lane = ParseLane(s);
      if (!lane.ok()) return Bad(member, "unknown-lane", lane.error().message);
      p.lane = *lane;
    } else if (key == "weight") {
      CW_ASSIGN_OR_RETURN(p.weight, Number(value, member));
      if (!(p.weight >= 0 && p.weight <= 1))
        return Bad(member, "bad-weight", "weight is in [0, 1]");
    } else if (key == "valid_from") {
      CW_ASSIGN_OR_RETURN(p.valid_from, DateAt(value, member));
    } else if (key == "valid_to") {
      CW_ASSIGN_OR_RETURN(p.valid_to, DateAt(value, member));
    } else if (key == "conditions") {
      CW_ASSIGN_OR_RETURN(p.conditions, ParseConditions(value, member));
      has_conditions = true;
    } else {
      return Bad(member, "bad-profile", "unknown member");
    }
  }
  auto at = [&](const char* m) { return path.empty() ? std::string(m) : path + "." + m; };
  if (p.id.empty()) return Bad(at("id"), "bad-profile", "a profile needs an id");
  if (p.description.empty()) return Bad(at("description"), "bad-profile", "describe the profile");
  if (!has_conditions) return Bad(at("conditions"), "empty-profile", "no conditions");
  if (!p.lane.has_value() && p.weight == 0) {
    return Bad(at("lane"), "empty-profile", "a profile needs a lane or a weight");
  }
  if (p.valid_from && p.valid_to && *p.valid_to <= *p.valid_from) {
    return Bad(at("valid_to"), "bad-validity", "valid_to must be after valid_from");
  }
  return p;
}

bool AnyPrefix(const std::vector<std::string>& prefixes, const std::string& code) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return code.starts_with(p); });
}

bool InList(const std::vector<std::string>& values, const std::string& value) {
  return values.empty() || std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

ProfileSubject SubjectOf(const DeclarationRecord& r) {
  ProfileSubject s{r.hs6,    r.origin, r.departure, r.importer,  r.declarant,
                   r.seller, r.office, r.procedure, std::nullopt};
  if (r.net_mass_kg > 0) s.value_per_kg = r.item_price / r.net_mass_kg;
  return s;
}

std::string_view ProfileStatusName(ProfileStatus status) {
  switch (status) {
    case ProfileStatus::kDraft:
      return "draft";
    case ProfileStatus::kActive:
      return "active";
    case ProfileStatus::kRetired:
      return "retired";
  }
  return "draft";
}

Result<std::vector<RiskProfile>> ParseProfiles(std::string_view json_text) {
  CW_ASSIGN_OR_RETURN(json::value doc, ParseJson(json_text));
  std::vector<RiskProfile> out;
  if (doc.is_object() && doc.as_object().contains("profiles")) {
    const auto& list = doc.as_object().at("profiles");
    if (!list.is_array() || doc.as_object().size() != 1) {
      return Bad("profiles", "bad-profile", "{\"profiles\": [...]} is expected");
    }
    for (size_t i = 0; i < list.as_array().size(); ++i) {
      CW_ASSIGN_OR_RETURN(RiskProfile p,
                          ParseOne(list.as_array()[i], "profiles[" + std::to_string(i) + "]"));
      out.push_back(std::move(p));
    }
  } else {
    CW_ASSIGN_OR_RETURN(RiskProfile p, ParseOne(doc, ""));
    out.push_back(std::move(p));
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!ids.insert(out[i].id).second) {
      return Bad("profiles[" + std::to_string(i) + "].id", "duplicate-profile",
                 "profile id '" + out[i].id + "' appears twice");
    }
  }
  return out;
}

std::string ProfilesToJson(const std::vector<RiskProfile>& profiles) {
  json::array list;
  for (const auto& p : profiles) {
    json::object conditions;
    for (const auto& member : kLists) {
      const auto& values = p.conditions.*(member.list);
      if (values.empty()) continue;
      json::array a;
      for (const auto& v : values) a.emplace_back(v);
      conditions[member.name] = std::move(a);
    }
    json::object range;
    if (p.conditions.min_value_per_kg) range["min"] = *p.conditions.min_value_per_kg;
    if (p.conditions.max_value_per_kg) range["max"] = *p.conditions.max_value_per_kg;
    if (!range.empty()) conditions["value_per_kg"] = std::move(range);
    json::object o{{"id", p.id},
                   {"description", p.description},
                   {"instructions", p.instructions},
                   {"status", ProfileStatusName(p.status)},
                   {"weight", p.weight},
                   {"conditions", std::move(conditions)}};
    if (p.lane) o["lane"] = LaneName(*p.lane);
    if (p.valid_from) o["valid_from"] = FormatDate(*p.valid_from);
    if (p.valid_to) o["valid_to"] = FormatDate(*p.valid_to);
    list.push_back(std::move(o));
  }
  return json::serialize(json::object{{"profiles", std::move(list)}});
}

bool Matches(const RiskProfile& profile, const ProfileSubject& s) {
  const ProfileConditions& c = profile.conditions;
  if (!c.commodity_prefixes.empty() && !AnyPrefix(c.commodity_prefixes, s.commodity_code)) {
    return false;
  }
  if (!InList(c.origins, s.origin) || !InList(c.departures, s.departure) ||
      !InList(c.importers, s.importer) || !InList(c.declarants, s.declarant) ||
      !InList(c.sellers, s.seller) || !InList(c.offices, s.office) ||
      !InList(c.procedures, s.procedure)) {
    return false;
  }
  if (c.min_value_per_kg || c.max_value_per_kg) {
    if (!s.value_per_kg) return false;
    if (c.min_value_per_kg && *s.value_per_kg < *c.min_value_per_kg) return false;
    if (c.max_value_per_kg && *s.value_per_kg > *c.max_value_per_kg) return false;
  }
  return true;
}

bool IsInForce(const RiskProfile& profile, Date day) {
  if (profile.status != ProfileStatus::kActive) return false;
  if (profile.valid_from && day < *profile.valid_from) return false;
  if (profile.valid_to && day >= *profile.valid_to) return false;
  return true;
}

ProfileHits ApplyProfiles(const std::vector<RiskProfile>& profiles, const ProfileSubject& subject,
                          Date day) {
  ProfileHits hits;
  for (const auto& p : profiles) {
    if (!IsInForce(p, day) || !Matches(p, subject)) continue;
    hits.ids.push_back(p.id);
    if (p.lane && (!hits.lane || *p.lane > *hits.lane)) hits.lane = p.lane;
    hits.weight = std::min(1.0, hits.weight + p.weight);
  }
  return hits;
}

ProfileTest TestProfile(const RiskProfile& profile, const std::vector<DeclarationRecord>& records) {
  ProfileTest t;
  t.records = records.size();
  for (const auto& r : records) {
    if (!Matches(profile, SubjectOf(r))) continue;
    ++t.hits;
    if (r.fraud.has_value()) {
      ++t.labelled_hits;
      if (*r.fraud) ++t.fraud_hits;
    }
  }
  return t;
}

Status Activate(RiskProfile& profile) {
  if (profile.status != ProfileStatus::kDraft) {
    return Error::FailedPrecondition("illegal-profile-transition",
                                     "only a draft profile can be activated; '" + profile.id +
                                         "' is " + std::string(ProfileStatusName(profile.status)));
  }
  profile.status = ProfileStatus::kActive;
  return OkStatus();
}

Status Retire(RiskProfile& profile) {
  if (profile.status == ProfileStatus::kRetired) {
    return Error::FailedPrecondition("illegal-profile-transition",
                                     "profile '" + profile.id + "' is already retired");
  }
  profile.status = ProfileStatus::kRetired;
  return OkStatus();
}

}  // namespace clearway::risk
