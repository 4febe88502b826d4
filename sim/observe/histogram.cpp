#include "observe/histogram.hpp"

#include <bit>
#include <cmath>

namespace circlecdn::sim {

std::size_t histogram::bucket_of(std::uint64_t v) {
  if (v < 64) return static_cast<std::size_t>(v);
  const unsigned e = static_cast<unsigned>(std::bit_width(v)) - 6;  // >= 1
  const std::uint64_t m = v >> e;                                   // in [32, 64)
  return static_cast<std::size_t>(32 * e + m);
}

double histogram::value_of(std::size_t bucket) {
  if (bucket < 64) return static_cast<double>(bucket);
  const unsigned e = static_cast<unsigned>(bucket / 32 - 1);
  const std::uint64_t m = bucket - 32 * e;
  return std::ldexp(static_cast<double>(m) + 0.5, static_cast<int>(e));
}

double histogram::quantile(double q) const {
  if (total_ == 0) return 0;
  // The smallest value with at least ceil(q * n) samples at or below it.
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    seen += counts_[b];
    if (seen >= rank) return value_of(b);
  }
  return static_cast<double>(max_);
}

void histogram::merge(const histogram& other) {
  for (std::size_t b = 0; b < buckets; ++b) counts_[b] += other.counts_[b];
  total_ += other.total_;
  sum_ += other.sum_;
  if (other.max_ > max_) max_ = other.max_;
}

}  // namespace circlecdn::sim
