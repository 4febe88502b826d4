#include "observe/report.hpp"

#include <cstdio>

namespace circlecdn::sim {

namespace {
constexpr double bits_per_byte = 8;

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
std::string fmt(std::uint64_t v) {
  return std::to_string(v);
}
}  // namespace

run_summary summarise(const scenario& s, const metrics& m, const offload_limit& limit,
                      std::uint64_t peak_online) {
  run_summary r;
  r.scenario_name = s.name;
  r.strategy = s.strategy;
  r.peers = s.peers;
  r.duration_s = s.duration_s;
  r.seed = s.seed;
  r.sessions = m.sessions;
  r.peak_online = peak_online;
  r.requests = m.requests;
  r.completed = m.completed;
  const double delivered = static_cast<double>(m.bytes_peers + m.bytes_origin);
  r.offload = ratio(static_cast<double>(m.bytes_peers), delivered);
  r.offload_limit = limit.ratio();
  const double req = static_cast<double>(m.requests);
  r.found_ratio = ratio(static_cast<double>(m.found), req);
  r.not_found_ratio = ratio(static_cast<double>(m.not_found), req);
  r.failed_churn_ratio = ratio(static_cast<double>(m.failed_churn), req);
  r.failed_deadline_ratio = ratio(static_cast<double>(m.failed_deadline), req);
  r.hops_mean = m.lookup_hops.mean();
  r.hops_p50 = m.lookup_hops.quantile(0.5);
  r.hops_p99 = m.lookup_hops.quantile(0.99);
  r.lookup_ms_p50 = m.lookup_latency_us.quantile(0.5) * 1e-3;
  r.lookup_ms_p99 = m.lookup_latency_us.quantile(0.99) * 1e-3;
  r.ttr_ms_p50 = m.time_to_resource_us.quantile(0.5) * 1e-3;
  r.ttr_ms_p99 = m.time_to_resource_us.quantile(0.99) * 1e-3;
  r.server_msgs_per_request = ratio(m.server_messages, req);
  r.server_msgs_per_s = m.server_messages / s.duration_s;
  double peak_msgs = 0;
  double peak_origin = 0;
  for (const auto& b : m.bins) {
    if (b.server_messages > peak_msgs) peak_msgs = b.server_messages;
    if (b.origin_bytes > peak_origin) peak_origin = b.origin_bytes;
  }
  r.server_msgs_per_s_peak = peak_msgs / m.bin_s;
  r.peer_msgs_per_request = ratio(m.peer_messages, req);
  r.connections_mean = m.connections_per_peer.mean();
  r.connections_p99 = m.connections_per_peer.quantile(0.99);
  r.origin_mbps_mean = static_cast<double>(m.bytes_origin) * bits_per_byte / s.duration_s / 1e6;
  r.origin_mbps_peak = peak_origin * bits_per_byte / m.bin_s / 1e6;
  r.bytes_requested = m.bytes_requested;
  r.bytes_peers = m.bytes_peers;
  r.bytes_origin = m.bytes_origin;
  r.bytes_abandoned = m.bytes_abandoned;
  r.hits_past_deadline = m.hits_past_deadline;
  r.transfers_interrupted = m.transfers_interrupted;
  r.hop_timeouts = m.hop_timeouts;
  r.fetching_answers = m.fetching_answers;
  return r;
}

std::string summary_csv_header() {
  return "scenario,strategy,peers,seed,duration_s,sessions,peak_online,requests,completed,"
         "offload,offload_limit,found,not_found,failed_churn,failed_deadline,hops_mean,hops_p50,"
         "hops_p99,lookup_ms_p50,lookup_ms_p99,ttr_ms_p50,ttr_ms_p99,server_msgs_per_request,"
         "server_msgs_per_s,server_msgs_per_s_peak,peer_msgs_per_request,connections_mean,"
         "connections_p99,origin_mbps_mean,origin_mbps_peak,bytes_requested,bytes_peers,"
         "bytes_origin,bytes_abandoned,hits_past_deadline,transfers_interrupted,hop_timeouts,"
         "fetching_answers\n";
}

std::string summary_csv_row(const run_summary& r) {
  std::string s;
  auto add = [&](const std::string& v) {
    if (!s.empty()) s += ',';
    s += v;
  };
  add(r.scenario_name);
  add(r.strategy);
  add(fmt(r.peers));
  add(fmt(r.seed));
  add(fmt(r.duration_s));
  add(fmt(r.sessions));
  add(fmt(r.peak_online));
  add(fmt(r.requests));
  add(fmt(r.completed));
  add(fmt(r.offload));
  add(fmt(r.offload_limit));
  add(fmt(r.found_ratio));
  add(fmt(r.not_found_ratio));
  add(fmt(r.failed_churn_ratio));
  add(fmt(r.failed_deadline_ratio));
  add(fmt(r.hops_mean));
  add(fmt(r.hops_p50));
  add(fmt(r.hops_p99));
  add(fmt(r.lookup_ms_p50));
  add(fmt(r.lookup_ms_p99));
  add(fmt(r.ttr_ms_p50));
  add(fmt(r.ttr_ms_p99));
  add(fmt(r.server_msgs_per_request));
  add(fmt(r.server_msgs_per_s));
  add(fmt(r.server_msgs_per_s_peak));
  add(fmt(r.peer_msgs_per_request));
  add(fmt(r.connections_mean));
  add(fmt(r.connections_p99));
  add(fmt(r.origin_mbps_mean));
  add(fmt(r.origin_mbps_peak));
  add(fmt(r.bytes_requested));
  add(fmt(r.bytes_peers));
  add(fmt(r.bytes_origin));
  add(fmt(r.bytes_abandoned));
  add(fmt(r.hits_past_deadline));
  add(fmt(r.transfers_interrupted));
  add(fmt(r.hop_timeouts));
  add(fmt(r.fetching_answers));
  return s + '\n';
}

std::string timeseries_csv(const metrics& m) {
  std::string s =
      "t_s,online,origin_mbps,peer_mbps,server_msgs_per_s,requests_per_s,failed_lookups\n";
  for (std::size_t i = 0; i < m.bins.size(); ++i) {
    const auto& b = m.bins[i];
    s += fmt(static_cast<double>(i) * m.bin_s) + ',' + fmt(std::uint64_t{b.online}) + ',' +
         fmt(b.origin_bytes * bits_per_byte / m.bin_s / 1e6) + ',' +
         fmt(b.peer_bytes * bits_per_byte / m.bin_s / 1e6) + ',' +
         fmt(b.server_messages / m.bin_s) + ',' + fmt(static_cast<double>(b.requests) / m.bin_s) +
         ',' + fmt(b.failed_lookups) + '\n';
  }
  return s;
}

std::string human_summary(const run_summary& r) {
  std::string s;
  auto line = [&](const char* k, const std::string& v) {
    s += k;
    s += ": ";
    s += v;
    s += '\n';
  };
  line("scenario", r.scenario_name + " (" + r.strategy + ", " + fmt(r.peers) + " peers, seed " +
                       fmt(r.seed) + ")");
  line("sessions / peak on-line", fmt(r.sessions) + " / " + fmt(r.peak_online));
  line("requests / completed", fmt(r.requests) + " / " + fmt(r.completed));
  line("offload (limit)", fmt(r.offload) + " (" + fmt(r.offload_limit) + ")");
  line("lookups found / not found / failed churn / failed deadline",
       fmt(r.found_ratio) + " / " + fmt(r.not_found_ratio) + " / " + fmt(r.failed_churn_ratio) +
           " / " + fmt(r.failed_deadline_ratio));
  line("lookup hops mean / p50 / p99",
       fmt(r.hops_mean) + " / " + fmt(r.hops_p50) + " / " + fmt(r.hops_p99));
  line("lookup ms p50 / p99", fmt(r.lookup_ms_p50) + " / " + fmt(r.lookup_ms_p99));
  line("time to resource ms p50 / p99", fmt(r.ttr_ms_p50) + " / " + fmt(r.ttr_ms_p99));
  line("server msgs per request / per s (peak)", fmt(r.server_msgs_per_request) + " / " +
                                                     fmt(r.server_msgs_per_s) + " (" +
                                                     fmt(r.server_msgs_per_s_peak) + ")");
  line("peer msgs per request", fmt(r.peer_msgs_per_request));
  line("connections per peer mean / p99", fmt(r.connections_mean) + " / " + fmt(r.connections_p99));
  line("origin Mbit/s mean / peak", fmt(r.origin_mbps_mean) + " / " + fmt(r.origin_mbps_peak));
  line("bytes requested = peers + origin + abandoned",
       fmt(r.bytes_requested) + " = " + fmt(r.bytes_peers) + " + " + fmt(r.bytes_origin) + " + " +
           fmt(r.bytes_abandoned));
  line("hits past deadline / interrupted pushes / hop timeouts", fmt(r.hits_past_deadline) + " / " +
                                                                     fmt(r.transfers_interrupted) +
                                                                     " / " + fmt(r.hop_timeouts));
  return s;
}

}  // namespace circlecdn::sim
