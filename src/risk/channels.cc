#include "risk/channels.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace clearway::risk {

namespace {

size_t CountOf(double rate, size_t n) {
  return static_cast<size_t>(std::llround(rate * static_cast<double>(n)));
}

// Quantile() of sorted values: the value below which `share` of them lie.
double Quantile(const std::vector<double>& sorted, double share) {
  if (share <= 0) return sorted.front();
  if (share >= 1) return std::nextafter(sorted.back(), 2.0);  // above everything: no one
  auto at = static_cast<size_t>(std::floor(share * static_cast<double>(sorted.size())));
  return sorted[std::min(at, sorted.size() - 1)];
}

}  // namespace

std::string_view LaneCauseName(LaneCause cause) {
  switch (cause) {
    case LaneCause::kScore:
      return "score";
    case LaneCause::kProfile:
      return "profile";
    case LaneCause::kRandom:
      return "random";
    case LaneCause::kCapacity:
      return "capacity";
  }
  return "score";
}

Status ValidatePolicy(const OfficePolicy& p) {
  const std::pair<const char*, double> rates[] = {{"blue_rate", p.blue_rate},
                                                  {"yellow_rate", p.yellow_rate},
                                                  {"red_rate", p.red_rate},
                                                  {"random_rate", p.random_rate},
                                                  {"min_blue_score", p.min_blue_score},
                                                  {"min_yellow_score", p.min_yellow_score},
                                                  {"min_red_score", p.min_red_score}};
  for (const auto& [name, rate] : rates) {
    if (!(rate >= 0 && rate <= 1)) {
      return Error::InvalidArgument(name, "bad-policy", std::string(name) + " must be in [0, 1]");
    }
  }
  if (p.blue_rate + p.yellow_rate + p.red_rate + p.random_rate > 1 + 1e-9) {
    return Error::InvalidArgument("red_rate", "bad-policy", "the lane rates add up to more than 1");
  }
  return OkStatus();
}

Result<std::vector<LaneDecision>> SelectBatch(const std::vector<ScoredItem>& items,
                                              const OfficePolicy& policy, UniformSource& random) {
  CW_RETURN_IF_ERROR(ValidatePolicy(policy));
  const size_t n = items.size();
  std::vector<LaneDecision> out(n);
  std::vector<bool> decided(n, false);
  size_t capacity = policy.daily_capacity == 0 ? n : policy.daily_capacity;
  size_t red_used = 0;

  // Exploration first: a uniform sample (partial Fisher-Yates) of exactly ceil(rate x n).
  size_t random_count = static_cast<size_t>(std::ceil(policy.random_rate * static_cast<double>(n)));
  std::vector<size_t> pool(n);
  std::iota(pool.begin(), pool.end(), size_t{0});
  for (size_t k = 0; k < random_count && k < n; ++k) {
    size_t span = n - k;
    size_t pick =
        k + std::min(span - 1, static_cast<size_t>(random.Next() * static_cast<double>(span)));
    std::swap(pool[k], pool[pick]);
    out[pool[k]] = {Lane::kRed, LaneCause::kRandom};
    decided[pool[k]] = true;
    ++red_used;
  }
  // Profile floors: mandatory whatever the budget.
  size_t profile_red = 0;
  for (size_t i = 0; i < n; ++i) {
    if (decided[i] || !items[i].profile_lane) continue;
    out[i] = {*items[i].profile_lane, LaneCause::kProfile};
    if (*items[i].profile_lane == Lane::kRed) {
      decided[i] = true;
      ++profile_red;
    }
  }
  red_used += profile_red;

  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i) {
    if (!decided[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return items[a].score > items[b].score; });
  // Profile reds count towards the red rate; random picks are on top of it.
  size_t red_target = CountOf(policy.red_rate, n);
  size_t red_left = red_target > profile_red ? red_target - profile_red : 0;
  red_left = std::min(red_left, capacity > red_used ? capacity - red_used : 0);
  size_t yellow_left = CountOf(policy.yellow_rate, n);
  size_t blue_left = CountOf(policy.blue_rate, n);
  for (size_t i : order) {
    Lane by_score = Lane::kGreen;
    if (red_left > 0) {
      by_score = Lane::kRed;
      --red_left;
    } else if (yellow_left > 0) {
      by_score = Lane::kYellow;
      --yellow_left;
    } else if (blue_left > 0) {
      by_score = Lane::kBlue;
      --blue_left;
    }
    if (items[i].profile_lane && *items[i].profile_lane >= by_score) continue;  // floor holds
    out[i] = {by_score, LaneCause::kScore};
  }
  return out;
}

Result<ThresholdSelector> ThresholdSelector::Create(const OfficePolicy& policy,
                                                    std::vector<double> reference_scores,
                                                    std::unique_ptr<UniformSource> random) {
  CW_RETURN_IF_ERROR(ValidatePolicy(policy));
  if (reference_scores.empty()) {
    return Error::InvalidArgument("", "no-reference-scores",
                                  "thresholds need a reference score distribution");
  }
  ThresholdSelector s;
  s.policy_ = policy;
  s.Recalibrate(std::move(reference_scores));
  s.random_ = std::move(random);
  return s;
}

void ThresholdSelector::Recalibrate(std::vector<double> reference_scores) {
  if (reference_scores.empty()) return;
  std::sort(reference_scores.begin(), reference_scores.end());
  const OfficePolicy& p = policy_;
  red_threshold_ = std::max(Quantile(reference_scores, 1 - p.red_rate), p.min_red_score);
  yellow_threshold_ =
      std::max(Quantile(reference_scores, 1 - p.red_rate - p.yellow_rate), p.min_yellow_score);
  blue_threshold_ =
      std::max(Quantile(reference_scores, 1 - p.red_rate - p.yellow_rate - p.blue_rate),
               p.min_blue_score);
}

LaneDecision ThresholdSelector::Select(const ScoredItem& item, Date day) {
  if (day != day_) {
    day_ = day;
    red_today_ = 0;
  }
  LaneDecision d;
  if (random_ && random_->Next() < policy_.random_rate) {
    d = {Lane::kRed, LaneCause::kRandom};
  } else if (item.profile_lane == Lane::kRed) {
    d = {Lane::kRed, LaneCause::kProfile};
  } else {
    Lane by_score = item.score >= red_threshold_      ? Lane::kRed
                    : item.score >= yellow_threshold_ ? Lane::kYellow
                    : item.score >= blue_threshold_   ? Lane::kBlue
                                                      : Lane::kGreen;
    d = {by_score, LaneCause::kScore};
    bool full = policy_.daily_capacity != 0 && red_today_ >= policy_.daily_capacity;
    if (by_score == Lane::kRed && full) d = {Lane::kYellow, LaneCause::kCapacity};
    if (item.profile_lane && *item.profile_lane >= d.lane)
      d = {*item.profile_lane, LaneCause::kProfile};
  }
  if (d.lane == Lane::kRed) ++red_today_;
  return d;
}

}  // namespace clearway::risk
