#pragma once
// The best any strategy could do for the same requests: every resource comes from the origin
// exactly once (its first completed fetch), every later fetch from a peer.
#include <cstdint>
#include <vector>

namespace circlecdn::sim {

class offload_limit {
 public:
  explicit offload_limit(std::size_t resources) : seen_(resources, 0) {}
  void note(std::uint32_t resource, std::uint64_t bytes) {
    total_bytes_ += bytes;
    if (!seen_[resource]) {
      seen_[resource] = 1;
      origin_bytes_ += bytes;
    }
  }
  std::uint64_t total_bytes() const { return total_bytes_; }
  std::uint64_t origin_bytes() const { return origin_bytes_; }
  double ratio() const {
    return total_bytes_
               ? 1.0 - static_cast<double>(origin_bytes_) / static_cast<double>(total_bytes_)
               : 0.0;
  }

 private:
  std::vector<std::uint8_t> seen_;
  std::uint64_t total_bytes_ = 0;
  std::uint64_t origin_bytes_ = 0;
};

}  // namespace circlecdn::sim
