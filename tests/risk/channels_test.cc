#include "risk/channels.h"

#include <map>

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::risk {
namespace {

using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

OfficePolicy Policy() {
  OfficePolicy p;
  p.office = "30";
  p.blue_rate = 0.10;
  p.yellow_rate = 0.05;
  p.red_rate = 0.03;
  p.random_rate = 0.01;
  p.daily_capacity = 0;
  return p;
}

std::vector<ScoredItem> Scores(size_t n, uint64_t seed) {
  SeededUniform u(seed);
  std::vector<ScoredItem> items(n);
  for (auto& item : items) item.score = u.Next();
  return items;
}

std::map<Lane, size_t> Count(const std::vector<LaneDecision>& decisions) {
  std::map<Lane, size_t> c;
  for (const auto& d : decisions) ++c[d.lane];
  return c;
}

TEST(SelectBatchTest, LaneRatesAreMetOverABatch) {
  SeededUniform random(1);
  auto decisions = SelectBatch(Scores(2000, 7), Policy(), random);
  ASSERT_THAT(decisions, IsOk());
  auto c = Count(*decisions);
  // Red = its rate plus the random rate on top; a random pick may land on a row the score
  // would have made red, hence the tolerance of the random count.
  EXPECT_NEAR(static_cast<double>(c[Lane::kRed]), 2000 * (0.03 + 0.01), 20);
  EXPECT_NEAR(static_cast<double>(c[Lane::kYellow]), 2000 * 0.05, 1);
  EXPECT_NEAR(static_cast<double>(c[Lane::kBlue]), 2000 * 0.10, 1);
  EXPECT_EQ(c[Lane::kRed] + c[Lane::kYellow] + c[Lane::kBlue] + c[Lane::kGreen], 2000u);
}

TEST(SelectBatchTest, TheHighestScoresGoRed) {
  SeededUniform random(1);
  OfficePolicy p = Policy();
  p.random_rate = 0;
  std::vector<ScoredItem> items = Scores(1000, 3);
  auto decisions = SelectBatch(items, p, random);
  ASSERT_THAT(decisions, IsOk());
  double lowest_red = 1;
  double highest_green = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if ((*decisions)[i].lane == Lane::kRed) lowest_red = std::min(lowest_red, items[i].score);
    if ((*decisions)[i].lane == Lane::kGreen)
      highest_green = std::max(highest_green, items[i].score);
  }
  EXPECT_GT(lowest_red, highest_green);
}

TEST(SelectBatchTest, RandomRateIsHonouredAndUniform) {
  OfficePolicy p = Policy();
  p.random_rate = 0.05;
  // Scores all zero: only exploration can pick; count the random picks over many batches and
  // check both the exact count per batch and that low positions are not favoured.
  std::vector<ScoredItem> items(200);
  SeededUniform random(99);
  size_t picks_first_half = 0;
  size_t total = 0;
  for (int batch = 0; batch < 200; ++batch) {
    auto decisions = SelectBatch(items, p, random);
    ASSERT_THAT(decisions, IsOk());
    size_t in_batch = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      if ((*decisions)[i].cause != LaneCause::kRandom) continue;
      EXPECT_EQ((*decisions)[i].lane, Lane::kRed);
      ++in_batch;
      if (i < items.size() / 2) ++picks_first_half;
    }
    EXPECT_EQ(in_batch, 10u);  // ceil(5 % of 200)
    total += in_batch;
  }
  EXPECT_NEAR(static_cast<double>(picks_first_half) / static_cast<double>(total), 0.5, 0.05);
}

TEST(SelectBatchTest, CapacityLimitsScoredRedButNotProfileRed) {
  OfficePolicy p = Policy();
  p.red_rate = 0.2;
  p.random_rate = 0;
  p.daily_capacity = 5;
  std::vector<ScoredItem> items = Scores(100, 4);
  for (size_t i = 0; i < 7; ++i) items[i].profile_lane = Lane::kRed;
  SeededUniform random(1);
  auto decisions = SelectBatch(items, p, random);
  ASSERT_THAT(decisions, IsOk());
  auto c = Count(*decisions);
  EXPECT_EQ(c[Lane::kRed], 7u);  // the 7 profile reds; capacity leaves no scored red
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ((*decisions)[i].cause, LaneCause::kProfile);
}

TEST(SelectBatchTest, AProfileLaneIsAFloorNotACeiling) {
  OfficePolicy p = Policy();
  p.random_rate = 0;
  std::vector<ScoredItem> items = Scores(100, 5);
  items[0].score = 2;  // the top score: red by score
  items[0].profile_lane = Lane::kBlue;
  items[1].score = -1;  // the lowest score: green by score
  items[1].profile_lane = Lane::kYellow;
  SeededUniform random(1);
  auto decisions = SelectBatch(items, p, random);
  ASSERT_THAT(decisions, IsOk());
  EXPECT_EQ((*decisions)[0].lane, Lane::kRed);
  EXPECT_EQ((*decisions)[1].lane, Lane::kYellow);
  EXPECT_EQ((*decisions)[1].cause, LaneCause::kProfile);
}

TEST(SelectBatchTest, BadPoliciesAreRefused) {
  SeededUniform random(1);
  OfficePolicy p = Policy();
  p.red_rate = 1.5;
  EXPECT_THAT(SelectBatch({}, p, random), HasDetail("red_rate", "bad-policy"));
  p = Policy();
  p.blue_rate = 0.5;
  p.yellow_rate = 0.5;
  EXPECT_THAT(ValidatePolicy(p), HasReason("bad-policy"));
  p.yellow_rate = -0.1;
  EXPECT_THAT(ValidatePolicy(p), HasDetail("yellow_rate", "bad-policy"));
}

TEST(ThresholdSelectorTest, RatesHoldOnAStreamLikeTheReference) {
  std::vector<double> reference;
  for (const auto& item : Scores(5000, 10)) reference.push_back(item.score);
  auto selector =
      ThresholdSelector::Create(Policy(), reference, std::make_unique<SeededUniform>(2));
  ASSERT_THAT(selector, IsOk());
  std::map<Lane, size_t> c;
  size_t random = 0;
  Date day = std::chrono::year{2024} / 1 / 1;
  for (const auto& item : Scores(5000, 11)) {
    LaneDecision d = selector->Select(item, day);
    ++c[d.lane];
    random += d.cause == LaneCause::kRandom ? 1u : 0u;
  }
  EXPECT_NEAR(static_cast<double>(random) / 5000, 0.01, 0.005);
  EXPECT_NEAR(static_cast<double>(c[Lane::kRed]) / 5000, 0.04, 0.012);
  EXPECT_NEAR(static_cast<double>(c[Lane::kYellow]) / 5000, 0.05, 0.012);
  EXPECT_NEAR(static_cast<double>(c[Lane::kBlue]) / 5000, 0.10, 0.015);
}

TEST(ThresholdSelectorTest, CapacityResetsEachDay) {
  OfficePolicy p = Policy();
  p.random_rate = 0;
  p.daily_capacity = 2;
  auto selector =
      ThresholdSelector::Create(p, {0.1, 0.2, 0.3, 0.4, 0.5}, std::make_unique<SeededUniform>(2));
  ASSERT_THAT(selector, IsOk());
  Date monday = std::chrono::year{2024} / 1 / 1;
  Date tuesday = std::chrono::year{2024} / 1 / 2;
  EXPECT_EQ(selector->Select({0.9, std::nullopt}, monday).lane, Lane::kRed);
  EXPECT_EQ(selector->Select({0.9, std::nullopt}, monday).lane, Lane::kRed);
  LaneDecision third = selector->Select({0.9, std::nullopt}, monday);
  EXPECT_EQ(third.lane, Lane::kYellow);
  EXPECT_EQ(third.cause, LaneCause::kCapacity);
  EXPECT_EQ(selector->Select({0.9, Lane::kRed}, monday).lane, Lane::kRed);  // profile: always
  EXPECT_EQ(selector->Select({0.9, std::nullopt}, tuesday).lane, Lane::kRed);
  EXPECT_THAT(ThresholdSelector::Create(p, {}, nullptr), HasReason("no-reference-scores"));
}

TEST(ThresholdSelectorTest, ScoreFloorsKeepAThinReferenceFromSendingEveryoneToControl) {
  OfficePolicy p = Policy();
  p.random_rate = 0;
  // One reference score of 0 (a new office, no model): every quantile is 0.
  auto bare = ThresholdSelector::Create(p, {0}, std::make_unique<SeededUniform>(2));
  ASSERT_THAT(bare, IsOk());
  EXPECT_EQ(bare->Select({0.0, std::nullopt}, std::chrono::year{2024} / 1 / 1).lane, Lane::kRed);
  p.min_blue_score = 0.1;
  p.min_yellow_score = 0.25;
  p.min_red_score = 0.5;
  auto floored = ThresholdSelector::Create(p, {0}, std::make_unique<SeededUniform>(2));
  ASSERT_THAT(floored, IsOk());
  Date day = std::chrono::year{2024} / 1 / 1;
  EXPECT_EQ(floored->Select({0.0, std::nullopt}, day).lane, Lane::kGreen);
  EXPECT_EQ(floored->Select({0.1, std::nullopt}, day).lane, Lane::kBlue);
  EXPECT_EQ(floored->Select({0.3, std::nullopt}, day).lane, Lane::kYellow);
  EXPECT_EQ(floored->Select({0.5, std::nullopt}, day).lane, Lane::kRed);
  EXPECT_DOUBLE_EQ(floored->red_threshold(), 0.5);
  p.min_red_score = 1.5;
  EXPECT_THAT(ValidatePolicy(p), HasDetail("min_red_score", "bad-policy"));
}

TEST(ThresholdSelectorTest, RecalibrationMovesThresholdsAndKeepsTheDaysCount) {
  OfficePolicy p = Policy();
  p.random_rate = 0;
  p.daily_capacity = 1;
  auto selector =
      ThresholdSelector::Create(p, {0.1, 0.2, 0.3, 0.4, 0.5}, std::make_unique<SeededUniform>(2));
  ASSERT_THAT(selector, IsOk());
  Date day = std::chrono::year{2024} / 1 / 1;
  EXPECT_EQ(selector->Select({0.9, std::nullopt}, day).lane, Lane::kRed);
  selector->Recalibrate({0.91, 0.92, 0.93, 0.94, 0.95});
  EXPECT_DOUBLE_EQ(selector->red_threshold(), 0.95);
  EXPECT_EQ(selector->Select({0.9, std::nullopt}, day).lane, Lane::kGreen);
  LaneDecision full = selector->Select({0.99, std::nullopt}, day);
  EXPECT_EQ(full.lane, Lane::kYellow);  // the day's one red is used, recalibration or not
  EXPECT_EQ(full.cause, LaneCause::kCapacity);
  selector->Recalibrate({});
  EXPECT_DOUBLE_EQ(selector->red_threshold(), 0.95);  // an empty list changes nothing
}

TEST(LaneCauseTest, Names) {
  EXPECT_EQ(LaneCauseName(LaneCause::kScore), "score");
  EXPECT_EQ(LaneCauseName(LaneCause::kProfile), "profile");
  EXPECT_EQ(LaneCauseName(LaneCause::kRandom), "random");
  EXPECT_EQ(LaneCauseName(LaneCause::kCapacity), "capacity");
}

}  // namespace
}  // namespace clearway::risk
