#pragma once
// Everything a run measures: counters, percentiles and a time series in fixed bins. Models write
// here; nothing here changes what the models do.
#include <cstdint>
#include <vector>

#include "observe/histogram.hpp"

namespace circlecdn::sim {

struct time_bin {
  double origin_bytes = 0;
  double peer_bytes = 0;
  double server_messages = 0;
  std::uint64_t requests = 0;
  std::uint64_t failed_lookups = 0;
  std::uint32_t online = 0;
};

struct metrics {
  metrics(double duration_s, double bin_s)
      : bin_s(bin_s), bins(static_cast<std::size_t>(duration_s / bin_s) + 1) {}

  time_bin& at(double t) {
    std::size_t i = t <= 0 ? 0 : static_cast<std::size_t>(t / bin_s);
    return bins[i < bins.size() ? i : bins.size() - 1];
  }
  void server(double messages, double t) {
    server_messages += messages;
    at(t).server_messages += messages;
  }

  // Visitors and requests.
  std::uint64_t sessions = 0;
  std::uint64_t page_views = 0;
  std::uint64_t requests = 0;      // lookups started (resource not already held)
  std::uint64_t cached_skips = 0;  // resource already held or on its way
  std::uint64_t completed = 0;
  std::uint64_t abandoned = 0;  // the wanter left before its bytes arrived

  // Lookup outcomes.
  std::uint64_t found = 0;
  std::uint64_t not_found = 0;           // nobody (reachable, free) held it
  std::uint64_t failed_churn = 0;        // lost to a departed peer or a broken link
  std::uint64_t failed_deadline = 0;     // ran out of time without a loss
  std::uint64_t hits_past_deadline = 0;  // must stay 0: a late answer is not a hit
  std::uint64_t hop_timeouts = 0;
  std::uint64_t fetching_answers = 0;  // tracker: wants answered `fetching` (each retry)

  // Bytes (exact integers, so conservation can be checked).
  std::uint64_t bytes_requested = 0;
  std::uint64_t bytes_peers = 0;
  std::uint64_t bytes_origin = 0;
  std::uint64_t bytes_abandoned = 0;
  std::uint64_t origin_requests = 0;
  std::uint64_t transfers_interrupted = 0;

  // Messages.
  double server_messages = 0;  // received + sent by the server (a relay counts twice)
  double peer_messages = 0;    // peer-to-peer control messages (lookups, maintenance)

  histogram lookup_hops;
  histogram lookup_latency_us;
  histogram time_to_resource_us;
  histogram connections_per_peer;  // over probe peers, at departure or at the end

  double bin_s;
  std::vector<time_bin> bins;
};

}  // namespace circlecdn::sim
