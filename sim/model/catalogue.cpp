#include "model/catalogue.hpp"

#include <algorithm>
#include <cmath>

namespace circlecdn::sim {

catalogue::catalogue(const scenario& s, std::uint64_t seed)
    : popularity_(zipf_weights(static_cast<std::size_t>(s.catalogue), s.zipf_exponent)),
      size_bytes_(static_cast<std::size_t>(s.catalogue)) {
  rng sizes(seed, /*stream=*/11);
  for (auto& b : size_bytes_) {
    const double v = lognormal(sizes, s.size_median_bytes, s.size_sigma);
    b = static_cast<std::uint32_t>(std::clamp(std::round(v), s.size_min_bytes, s.size_max_bytes));
  }
}

}  // namespace circlecdn::sim
