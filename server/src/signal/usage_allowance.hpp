#pragma once
// One peer's allowance for `usage` reports, which are untrusted: reports closer together than
// limits::usage_interval_min are refused, and the bytes its reports add are capped by a bucket that
// refills at usage_bytes_per_s up to usage_bytes_burst (docs/protocol.md, `usage`).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "signal/limits.hpp"
#include "signal/message.hpp"

namespace circlecdn::signal {

class usage_allowance {
 public:
  using clock = std::chrono::steady_clock;
  using per_source = std::array<std::uint64_t, usage_source_count>;

  // A new peer: a full bucket, and a first report allowed at once.
  void start(const limits& lim, clock::time_point now) {
    bytes_ = lim.usage_bytes_burst;
    last_ = now - lim.usage_interval_min;
  }

  // The bytes of a report at `now` that count, source by source in order until the bucket is
  // empty; nullopt when the report came too soon after the last accepted one.
  std::optional<per_source> take(const limits& lim, const per_source& reported,
                                 clock::time_point now) {
    if (now - last_ < lim.usage_interval_min) return std::nullopt;
    double elapsed_s = std::chrono::duration<double>(now - last_).count();
    bytes_ = std::min(lim.usage_bytes_burst, bytes_ + elapsed_s * lim.usage_bytes_per_s);
    last_ = now;
    per_source taken{};
    for (std::size_t i = 0; i < reported.size(); ++i) {
      taken[i] = std::min(reported[i], static_cast<std::uint64_t>(bytes_));
      bytes_ -= static_cast<double>(taken[i]);
    }
    return taken;
  }

 private:
  double bytes_ = 0;
  clock::time_point last_{};
};

}  // namespace circlecdn::signal
