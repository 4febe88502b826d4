#pragma once
// The recent past of a histogram that only grows (what /metrics exposes, for Prometheus to take
// rates of): the dashboard's p50/p99 must say how visitors fare now, not since the process
// started. Snapshots of the per-bucket counts every `every`, kept for `span`; the window is the
// counts now less the oldest snapshot still within the span. A young process's window is its
// whole life. Single-threaded, like the histogram.
#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

#include "metrics/histogram.hpp"

namespace circlecdn::metrics {

class recent_window {
 public:
  using clock = std::chrono::steady_clock;

  // The dashboard's: the last 5 minutes, a snapshot every 10 s (31 snapshots of ~16 counts).
  explicit recent_window(std::chrono::seconds span = std::chrono::minutes(5),
                         std::chrono::seconds every = std::chrono::seconds(10))
      : span_(span), every_(every) {}

  // Call often (each second, say): takes a snapshot when one is due, drops those past the span.
  void sample(const histogram& h, clock::time_point now) {
    if (!snapshots_.empty() && now - snapshots_.back().at < every_) return;
    auto counts = h.counts();
    snapshots_.push_back({now, {counts.begin(), counts.end()}});
    // Keep one snapshot at or before the window's start, so the window spans the whole `span`.
    while (snapshots_.size() > 1 && now - snapshots_[1].at >= span_) snapshots_.pop_front();
  }

  struct view {
    std::vector<std::uint64_t> counts;  // per bucket, observed within the window
    std::uint64_t count = 0;
    double seconds = 0;  // how far back the window reaches
  };
  view of(const histogram& h, clock::time_point now) const {
    view v;
    auto counts = h.counts();
    v.counts.assign(counts.begin(), counts.end());
    if (!snapshots_.empty()) {
      const auto& base = snapshots_.front();
      for (std::size_t i = 0; i < v.counts.size() && i < base.counts.size(); ++i)
        v.counts[i] -= base.counts[i];
      v.seconds = std::chrono::duration<double>(now - base.at).count();
    }
    for (auto c : v.counts) v.count += c;
    return v;
  }
  double quantile(const histogram& h, double q, clock::time_point now) const {
    return histogram::quantile_of(h.bounds(), of(h, now).counts, q);
  }

 private:
  struct snapshot {
    clock::time_point at;
    std::vector<std::uint64_t> counts;
  };
  std::chrono::seconds span_, every_;
  std::deque<snapshot> snapshots_;
};

}  // namespace circlecdn::metrics
