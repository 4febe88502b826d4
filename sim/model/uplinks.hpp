#pragma once
// Each peer's upload link: pushes are served first come, first served at the holder's upload
// rate (or the wanter's download rate if lower); at most `max_uploads` are in flight, as the
// tracker's holder policy allows (docs/protocol.md).
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/big_vector.hpp"
#include "model/population.hpp"

namespace circlecdn::sim {

class uplinks {
 public:
  explicit uplinks(std::uint32_t max_uploads) : max_(max_uploads) {}
  void grow(std::size_t slots) {
    if (free_at_.size() < slots) {
      free_at_.resize(slots, 0);
      ends_.resize(slots * max_, 0);
    }
  }
  void reset(peer_index p) {
    free_at_[p] = 0;
    for (std::uint32_t i = 0; i < max_; ++i) ends_[p * max_ + i] = 0;
  }
  std::uint32_t in_flight(peer_index p, double t) const {
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < max_; ++i) n += ends_[p * max_ + i] > t ? 1u : 0u;
    return n;
  }
  bool busy(peer_index p, double t) const { return in_flight(p, t) >= max_; }
  // Queue a push of `seconds` at full rate, ready to start at `ready_s`; returns (start, end).
  std::pair<double, double> schedule(peer_index p, double ready_s, double seconds) {
    const double start = ready_s > free_at_[p] ? ready_s : free_at_[p];
    const double end = start + seconds;
    free_at_[p] = end;
    std::uint32_t oldest = 0;
    for (std::uint32_t i = 1; i < max_; ++i) {
      if (ends_[p * max_ + i] < ends_[p * max_ + oldest]) oldest = i;
    }
    ends_[p * max_ + oldest] = static_cast<float>(end);
    return {start, end};
  }
  std::uint32_t max_uploads() const { return max_; }

 private:
  std::uint32_t max_;
  big_vector<double> free_at_;
  big_vector<float> ends_;
};

}  // namespace circlecdn::sim
