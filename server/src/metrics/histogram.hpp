#pragma once
// A Prometheus-style histogram: fixed upper bounds chosen at construction, a count per bucket, the
// sum and the count. Single-threaded, like everything on the io thread.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace circlecdn::metrics {

// Seconds. Server-side decisions and HTTP answers take microseconds to a few seconds.
inline constexpr std::initializer_list<double> fast_buckets_s = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
// Seconds. Resources reach a visitor from its store in milliseconds, from peers and the origin in
// up to the path budgets (connect 4 s + first byte 4 s) and beyond.
inline constexpr std::initializer_list<double> item_buckets_s = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};

class histogram {
 public:
  explicit histogram(std::initializer_list<double> upper_bounds)
      : bounds_(upper_bounds), counts_(bounds_.size() + 1) {}

  void observe(double v) {
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    ++counts_[i];  // the last slot is +Inf
    sum_ += v;
    ++count_;
  }
  std::span<const double> bounds() const { return bounds_; }
  // Per bucket (not cumulative); one more than bounds(): the last is above every bound.
  std::span<const std::uint64_t> counts() const { return counts_; }
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

  // The q-quantile (0..1) by linear interpolation inside its bucket, as PromQL's
  // histogram_quantile does; 0 with no observations; the highest bound if it falls above it.
  double quantile(double q) const { return quantile_of(bounds_, counts_, q); }

  // The same for any per-bucket counts over these bounds (a window's: metrics/recent_window.hpp).
  static double quantile_of(std::span<const double> bounds, std::span<const std::uint64_t> counts,
                            double q) {
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    if (total == 0) return 0;
    double rank = q * static_cast<double>(total);
    std::uint64_t below = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (static_cast<double>(below + counts[i]) >= rank && counts[i] > 0) {
        if (i == bounds.size()) return bounds.empty() ? 0 : bounds.back();
        double lo = i == 0 ? 0 : bounds[i - 1];
        double share = (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
        return lo + (bounds[i] - lo) * share;
      }
      below += counts[i];
    }
    return bounds.empty() ? 0 : bounds.back();
  }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace circlecdn::metrics
