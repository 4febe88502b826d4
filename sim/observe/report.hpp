#pragma once
// Turns a finished run's metrics into the outputs: one CSV row per run (the tables and the
// crowd-size plots), a time-series CSV (origin bandwidth over time), and a readable summary.
// Numbers are printed with a fixed format so one seed gives byte-identical files.
#include <cstdint>
#include <string>

#include "model/scenario.hpp"
#include "observe/metrics.hpp"
#include "observe/offload_limit.hpp"

namespace circlecdn::sim {

struct run_summary {
  std::string scenario_name, strategy;
  double peers = 0, duration_s = 0;
  std::uint64_t seed = 0, sessions = 0, peak_online = 0, requests = 0, completed = 0;
  double offload = 0, offload_limit = 0;
  double found_ratio = 0, not_found_ratio = 0, failed_churn_ratio = 0, failed_deadline_ratio = 0;
  double hops_mean = 0, hops_p50 = 0, hops_p99 = 0;
  double lookup_ms_p50 = 0, lookup_ms_p99 = 0, ttr_ms_p50 = 0, ttr_ms_p99 = 0;
  double server_msgs_per_request = 0, server_msgs_per_s = 0, server_msgs_per_s_peak = 0;
  double peer_msgs_per_request = 0;
  double connections_mean = 0, connections_p99 = 0;
  double origin_mbps_mean = 0, origin_mbps_peak = 0;
  std::uint64_t bytes_requested = 0, bytes_peers = 0, bytes_origin = 0, bytes_abandoned = 0;
  std::uint64_t hits_past_deadline = 0, transfers_interrupted = 0, hop_timeouts = 0;
  std::uint64_t fetching_answers = 0;
};

run_summary summarise(const scenario& s, const metrics& m, const offload_limit& limit,
                      std::uint64_t peak_online);
std::string summary_csv_header();
std::string summary_csv_row(const run_summary& r);
std::string timeseries_csv(const metrics& m);
std::string human_summary(const run_summary& r);

}  // namespace circlecdn::sim
