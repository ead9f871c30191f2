#include "risk/profiles.h"

#include <gtest/gtest.h>

#include "risk/generated_data.h"
#include "testing/matchers.h"

namespace clearway::risk {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

constexpr char kProfiles[] = R"({"profiles": [
  {"id": "TEX-XX-LOWVAL", "status": "active", "lane": "yellow", "weight": 0.2,
   "valid_from": "2024-01-01", "valid_to": "2024-07-01",
   "description": "Knitted garments from XX declared under 5 per kg",
   "instructions": "Compare the invoice with the sales contract and the payment proof.",
   "conditions": {"commodity_prefixes": ["6109", "6110"], "origins": ["XX"],
                  "value_per_kg": {"max": 5}}},
  {"id": "IMP-WATCH", "status": "active", "lane": "red",
   "description": "Importer under investigation",
   "instructions": "Physical inspection; count the packages.",
   "conditions": {"importers": ["BAD1"]}},
  {"id": "DRAFT-ONE", "status": "draft", "lane": "red", "description": "Not yet in force",
   "conditions": {"origins": ["XX"]}},
  {"id": "WEIGHT-ONLY", "status": "active", "weight": 0.5, "description": "Offices 10 and 11",
   "conditions": {"offices": ["10", "11"]}}
]})";

ProfileSubject Subject(const std::string& hs, const std::string& origin,
                       const std::string& importer, double value_per_kg) {
  ProfileSubject s;
  s.commodity_code = hs;
  s.origin = origin;
  s.importer = importer;
  s.office = "12";
  s.value_per_kg = value_per_kg;
  return s;
}

class ProfilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = ParseProfiles(kProfiles);
    ASSERT_THAT(parsed, IsOk());
    profiles_ = std::move(*parsed);
    ASSERT_EQ(profiles_.size(), 4u);
  }
  std::vector<RiskProfile> profiles_;
};

constexpr Date kMarch = std::chrono::year{2024} / 3 / 15;

TEST_F(ProfilesTest, ConditionsMustAllHold) {
  const RiskProfile& tex = profiles_[0];
  EXPECT_TRUE(Matches(tex, Subject("61091000", "XX", "I", 2.0)));
  EXPECT_TRUE(Matches(tex, Subject("611020", "XX", "I", 5.0)));      // bound included
  EXPECT_FALSE(Matches(tex, Subject("61091000", "CN", "I", 2.0)));   // origin
  EXPECT_FALSE(Matches(tex, Subject("62034200", "XX", "I", 2.0)));   // code prefix
  EXPECT_FALSE(Matches(tex, Subject("61091000", "XX", "I", 5.01)));  // value per kg
  ProfileSubject massless = Subject("61091000", "XX", "I", 1.0);
  massless.value_per_kg.reset();
  EXPECT_FALSE(Matches(tex, massless));
}

TEST_F(ProfilesTest, ValidityIsHalfOpenAndOnlyActiveProfilesApply) {
  ProfileSubject s = Subject("61091000", "XX", "IMP", 2.0);
  EXPECT_FALSE(IsInForce(profiles_[0], std::chrono::year{2023} / 12 / 31));
  EXPECT_TRUE(IsInForce(profiles_[0], std::chrono::year{2024} / 1 / 1));
  EXPECT_TRUE(IsInForce(profiles_[0], std::chrono::year{2024} / 6 / 30));
  EXPECT_FALSE(IsInForce(profiles_[0], std::chrono::year{2024} / 7 / 1));
  ProfileHits in_march = ApplyProfiles(profiles_, s, kMarch);
  EXPECT_EQ(in_march.ids, std::vector<std::string>{"TEX-XX-LOWVAL"});  // the draft does not apply
  EXPECT_EQ(in_march.lane, std::optional<Lane>(Lane::kYellow));
  ProfileHits in_july = ApplyProfiles(profiles_, s, std::chrono::year{2024} / 7 / 1);
  EXPECT_TRUE(in_july.ids.empty());
  EXPECT_FALSE(in_july.lane.has_value());
}

TEST_F(ProfilesTest, TheMostSevereLaneWinsAndWeightsAdd) {
  ProfileSubject s = Subject("61091000", "XX", "BAD1", 2.0);
  s.office = "10";
  ProfileHits hits = ApplyProfiles(profiles_, s, kMarch);
  EXPECT_EQ(hits.ids, (std::vector<std::string>{"TEX-XX-LOWVAL", "IMP-WATCH", "WEIGHT-ONLY"}));
  EXPECT_EQ(hits.lane, std::optional<Lane>(Lane::kRed));
  EXPECT_DOUBLE_EQ(hits.weight, 0.7);
}

TEST_F(ProfilesTest, TestAgainstPastDeclarationsCountsHits) {
  auto records = testing::GeneratePlantedData(2000, 9);
  RiskProfile draft = profiles_[2];  // origin XX, a draft: testing ignores the state
  ProfileTest t = TestProfile(draft, records);
  size_t expected = 0;
  for (const auto& r : records) expected += r.origin == "XX" ? 1u : 0u;
  EXPECT_EQ(t.records, 2000u);
  EXPECT_EQ(t.hits, expected);
  EXPECT_EQ(t.labelled_hits, expected);
  ProfileTest tex = TestProfile(profiles_[0], records);
  EXPECT_GT(tex.hits, 0u);
  // The planted under-valued garments are 80 % fraud.
  EXPECT_GT(static_cast<double>(tex.fraud_hits) / static_cast<double>(tex.hits), 0.6);
}

TEST_F(ProfilesTest, ActivationAndRetirement) {
  RiskProfile draft = profiles_[2];
  ASSERT_THAT(Activate(draft), IsOk());
  EXPECT_EQ(draft.status, ProfileStatus::kActive);
  EXPECT_THAT(Activate(draft), HasReason("illegal-profile-transition"));
  ASSERT_THAT(Retire(draft), IsOk());
  EXPECT_THAT(Retire(draft), HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(Activate(draft), HasReason("illegal-profile-transition"));
  EXPECT_FALSE(IsInForce(draft, kMarch));
}

TEST_F(ProfilesTest, JsonRoundTrip) {
  auto again = ParseProfiles(ProfilesToJson(profiles_));
  ASSERT_THAT(again, IsOk());
  ASSERT_EQ(again->size(), profiles_.size());
  EXPECT_EQ((*again)[0].conditions.commodity_prefixes, profiles_[0].conditions.commodity_prefixes);
  EXPECT_EQ((*again)[0].valid_to, profiles_[0].valid_to);
  EXPECT_EQ((*again)[0].conditions.max_value_per_kg, std::optional<double>(5.0));
  EXPECT_EQ((*again)[1].lane, std::optional<Lane>(Lane::kRed));
  EXPECT_EQ((*again)[2].status, ProfileStatus::kDraft);
}

TEST(ProfileParseTest, RefusalsNameTheMember) {
  EXPECT_THAT(ParseProfiles("{"), HasReason("malformed-json"));
  EXPECT_THAT(ParseProfiles(R"({"id": "A", "description": "d", "lane": "purple",
                                "conditions": {"origins": ["CN"]}})"),
              HasDetail("lane", "unknown-lane"));
  EXPECT_THAT(ParseProfiles(R"({"id": "A", "description": "d", "lane": "red",
                                "conditions": {}})"),
              HasReason("empty-profile"));
  EXPECT_THAT(ParseProfiles(R"({"id": "A", "description": "d",
                                "conditions": {"origins": ["CN"]}})"),
              HasReason("empty-profile"));
  EXPECT_THAT(ParseProfiles(R"({"id": "A", "description": "d", "weight": 1.5,
                                "conditions": {"origins": ["CN"]}})"),
              HasDetail("weight", "bad-weight"));
  EXPECT_THAT(ParseProfiles(R"({"id": "A", "description": "d", "lane": "red",
                                "valid_from": "2024-05-01", "valid_to": "2024-05-01",
                                "conditions": {"origins": ["CN"]}})"),
              HasDetail("valid_to", "bad-validity"));
  EXPECT_THAT(ParseProfiles(R"({"id": "A", "description": "d", "lane": "red",
                                "valid_from": "2024-02-30", "conditions": {"origins": ["CN"]}})"),
              HasDetail("valid_from", "bad-date"));
  EXPECT_THAT(ParseProfiles(R"({"profiles": [{"id": "A", "description": "d", "lane": "red",
                                "conditions": {"origins": ["CN"], "colour": ["red"]}}]})"),
              HasDetail("profiles[0].conditions.colour", "bad-profile"));
  EXPECT_THAT(ParseProfiles(R"({"profiles": [
      {"id": "A", "description": "d", "lane": "red", "conditions": {"origins": ["CN"]}},
      {"id": "A", "description": "e", "lane": "red", "conditions": {"origins": ["VN"]}}]})"),
              HasDetail("profiles[1].id", "duplicate-profile"));
  EXPECT_THAT(ParseProfiles(R"({"description": "d", "lane": "red",
                                "conditions": {"origins": ["CN"]}})"),
              HasDetail("id", "bad-profile"));
  EXPECT_THAT(ParseProfiles(R"({"id": "A", "description": "d", "lane": "red",
                                "conditions": {"origins": "CN"}})"),
              HasDetail("conditions.origins", "bad-profile"));
}

}  // namespace
}  // namespace clearway::risk
