#pragma once
// The HTTP side's metric state: answers by status, response times, and the bytes the origin itself
// wrote, in total and per resource. The tracker keeps the signaling side (signal/tracker.hpp,
// tracker_counters) and the origin's token counters live in app/context.hpp; the exposition
// (app/operator_routes.cpp) reads all three, so every number has exactly one owner.
// Single-threaded: updated and read on the io thread.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "metrics/histogram.hpp"

namespace circlecdn::metrics {

// Resources remembered by name for the dashboard's top lists; further names add to `other`.
inline constexpr std::size_t resources_max = 10'000;

struct path_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class registry {
 public:
  // One answered request (written, or failed while writing), its status and the time from the end
  // of the request's head to the end of the answer.
  void http_answered(unsigned status, std::chrono::steady_clock::duration took);
  // Body bytes of a site file the origin wrote (counted at the writer, for 200 and 206).
  void origin_wrote(std::string_view path, std::uint64_t bytes);

  // Requests by status: index = status - 100 (100..599), the rest in `other`.
  const std::array<std::uint64_t, 500>& requests_by_status() const { return by_status_; }
  const histogram& http_seconds() const { return http_seconds_; }
  std::uint64_t origin_body_bytes() const { return origin_bytes_; }
  const std::unordered_map<std::string, std::uint64_t, path_hash, std::equal_to<>>&
  origin_bytes_by_path() const {
    return by_path_;
  }
  std::uint64_t origin_bytes_other() const { return by_path_other_; }

 private:
  std::array<std::uint64_t, 500> by_status_{};
  histogram http_seconds_{fast_buckets_s};
  std::uint64_t origin_bytes_ = 0;
  std::unordered_map<std::string, std::uint64_t, path_hash, std::equal_to<>> by_path_;
  std::uint64_t by_path_other_ = 0;
};

}  // namespace circlecdn::metrics
