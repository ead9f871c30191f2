// File: risk/channels.h
//
// Channel selection under an inspection budget. Each customs office has an OfficePolicy: the
// expected share of declarations in the blue, yellow and red lanes (green takes the rest), a
// minimum random rate (declarations sent to red uniformly at random, on top of the scored
// ones: exploration that also yields unbiased labels), and a daily capacity of physical
// inspections. Two selectors use it:
//
//  * SelectBatch() allocates a day's scored declarations at once: random picks first
//    (exactly ceil(random_rate x n)), then the lanes filled by score from the top (red up to its
//    rate and the capacity left, then yellow, then blue). A profile's lane is a floor: a
//    declaration never gets a lighter lane than a profile in force demands, capacity or not.
//  * ThresholdSelector decides one declaration at a time, against score thresholds taken from
//    the quantiles of a reference score distribution, counting the day's red against capacity.
//
//   risk::OfficePolicy policy{.office = "30", .blue_rate = 0.05, .yellow_rate = 0.05,
//                             .red_rate = 0.03, .random_rate = 0.005, .daily_capacity = 40};
//   risk::SeededUniform rng(42);
//   auto lanes = risk::SelectBatch(items, policy, rng);   // lanes->at(i).lane
//
// Thread safety: SelectBatch() is pure but for the generator; a ThresholdSelector is not
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "risk/lane.h"

namespace clearway::risk {

struct OfficePolicy {
  std::string office;
  double blue_rate = 0.05;
  double yellow_rate = 0.05;
  double red_rate = 0.03;
  double random_rate = 0.005;
  size_t daily_capacity = 0;  // red inspections per day; 0 means unlimited
  // The lowest score each lane takes by score (ThresholdSelector): a threshold is the quantile
  // of the reference scores or this floor, whichever is higher, so a thin or tied reference
  // distribution (a new office, a model-less engine whose scores are mostly 0) cannot send
  // ordinary declarations to control. 0 keeps the quantiles alone.
  double min_blue_score = 0;
  double min_yellow_score = 0;
  double min_red_score = 0;
};

// ValidatePolicy(): each rate and score floor in [0, 1] and blue + yellow + red + random <= 1.
// Errors kInvalidArgument "bad-policy" with field_path naming the rate.
Status ValidatePolicy(const OfficePolicy& policy);

// UniformSource yields independent uniform numbers in [0, 1). Injected so tests are repeatable.
class UniformSource {
 public:
  virtual ~UniformSource() = default;
  virtual double Next() = 0;
};

// SeededUniform is a Mersenne Twister; not for secrets (who gets a random inspection must not
// be guessable in production: seed it from crypto::RandomBytes there).
class SeededUniform final : public UniformSource {
 public:
  explicit SeededUniform(uint64_t seed) : engine_(seed) {}
  double Next() override { return std::uniform_real_distribution<double>(0, 1)(engine_); }

 private:
  std::mt19937_64 engine_;
};

// ScoredItem is one declaration waiting for a lane.
struct ScoredItem {
  double score = 0;
  std::optional<Lane> profile_lane;  // the most severe lane of the profiles in force it hit
};

enum class LaneCause { kScore, kProfile, kRandom, kCapacity };

// LaneCauseName() gives "score", "profile", "random" or "capacity".
std::string_view LaneCauseName(LaneCause cause);

struct LaneDecision {
  Lane lane = Lane::kGreen;
  LaneCause cause = LaneCause::kScore;
};

// SelectBatch() decides the lanes of one day's declarations of one office (see the file
// comment). Errors as ValidatePolicy().
Result<std::vector<LaneDecision>> SelectBatch(const std::vector<ScoredItem>& items,
                                              const OfficePolicy& policy, UniformSource& random);

class ThresholdSelector {
 public:
  // Create() takes thresholds from `reference_scores` (e.g. the last period's scores): red is
  // the top red_rate of them, and so on. Errors: "bad-policy"; kInvalidArgument
  // "no-reference-scores" if the list is empty.
  static Result<ThresholdSelector> Create(const OfficePolicy& policy,
                                          std::vector<double> reference_scores,
                                          std::unique_ptr<UniformSource> random);

  // Select() decides one declaration lodged on `day`. A score-selected red beyond the day's
  // capacity goes to yellow (cause kCapacity); random and profile reds always stay red.
  LaneDecision Select(const ScoredItem& item, Date day);

  // Recalibrate() takes new thresholds from `reference_scores` (e.g. after the profiles
  // changed); the day's red count is kept. An empty list keeps the thresholds.
  void Recalibrate(std::vector<double> reference_scores);

  double red_threshold() const { return red_threshold_; }
  const OfficePolicy& policy() const { return policy_; }

 private:
  ThresholdSelector() = default;
  OfficePolicy policy_;
  double red_threshold_ = 1;
  double yellow_threshold_ = 1;
  double blue_threshold_ = 1;
  std::unique_ptr<UniformSource> random_;
  Date day_ = std::chrono::year{1970} / 1 / 1;
  size_t red_today_ = 0;
};

}  // namespace clearway::risk
