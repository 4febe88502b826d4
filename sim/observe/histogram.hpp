#pragma once
// A log-linear histogram of non-negative integers (microseconds, hops, connections): exact below
// 64, then 32 buckets per power of two (relative error under 3 %). Fixed size, no allocation
// while recording, so percentiles of a billion samples cost 16 KiB.
#include <array>
#include <cstdint>

namespace circlecdn::sim {

class histogram {
 public:
  static constexpr std::size_t buckets = 2048;
  void record(std::uint64_t v) {
    ++counts_[bucket_of(v)];
    ++total_;
    sum_ += static_cast<double>(v);
    if (v > max_) max_ = v;
  }
  std::uint64_t count() const { return total_; }
  double mean() const { return total_ ? sum_ / static_cast<double>(total_) : 0.0; }
  std::uint64_t max() const { return max_; }
  // The value at quantile q in [0, 1] (a bucket's midpoint; exact below 64). 0 if empty.
  double quantile(double q) const;
  void merge(const histogram& other);

  static std::size_t bucket_of(std::uint64_t v);
  static double value_of(std::size_t bucket);

 private:
  std::array<std::uint64_t, buckets> counts_{};
  std::uint64_t total_ = 0;
  double sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace circlecdn::sim
