#include "app/dashboard_data.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <unordered_map>

#include "app/metrics_page.hpp"

namespace circlecdn::app {

namespace {

struct resource_row {
  std::string_view path;
  std::uint64_t peer = 0, origin = 0;
};

// Peer bytes are counted per item hash (a file's, or one of its pieces') and origin bytes per
// path: both land on the file's path.
std::vector<resource_row> top_resources(context& ctx, const manifest::snapshot& snap) {
  std::unordered_map<content_hash, std::string_view> path_of;
  std::unordered_map<std::string_view, resource_row> rows;
  const auto& peer = ctx.tracker.counters().peer_bytes_by_hash;
  if (!peer.empty()) {
    for (const auto& [path, f] : snap.files) {
      if (!f.crowd) continue;
      path_of.emplace(f.sha256, path);
      for (const auto& piece : f.pieces) path_of.emplace(piece, path);
    }
    for (const auto& [hash, bytes] : peer)
      if (auto it = path_of.find(hash); it != path_of.end()) {
        auto& row = rows[it->second];
        row.path = it->second;
        row.peer += bytes;
      }
  }
  for (const auto& [path, bytes] : ctx.metrics.origin_bytes_by_path()) {
    auto& row = rows[path];
    row.path = path;
    row.origin += bytes;
  }
  std::vector<resource_row> out;
  out.reserve(rows.size());
  for (auto& [k, row] : rows) out.push_back(row);
  auto n = std::min(out.size(), dashboard_top_resources);
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(),
                    [](const resource_row& a, const resource_row& b) {
                      return a.peer + a.origin > b.peer + b.origin;
                    });
  out.resize(n);
  return out;
}

}  // namespace

std::string dashboard_json(context& ctx) {
  namespace json = boost::json;
  const auto& t = ctx.tracker.counters();
  auto snap = ctx.manifest.current();
  json::object o;
  o["t"] = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  o["peers_online"] = ctx.tracker.peers_online();
  const auto now = metrics::recent_window::clock::now();
  json::object reported;
  json::object latency;
  for (std::size_t i = 0; i < signal::usage_source_count; ++i) {
    auto name = signal::to_string(static_cast<signal::usage_source>(i));
    reported[name] = t.reported_bytes[i];
    const auto& h = t.reported_item_seconds[i];
    auto recent = ctx.recent_item_seconds[i].of(h, now);
    latency[name] = {{"p50", metrics::histogram::quantile_of(h.bounds(), recent.counts, 0.5)},
                     {"p99", metrics::histogram::quantile_of(h.bounds(), recent.counts, 0.99)},
                     {"count", recent.count},
                     {"window_s", recent.seconds}};
  }
  o["reported_bytes"] = std::move(reported);
  o["latency_s"] = std::move(latency);
  o["usage_reports"] = t.usage_reports;
  o["usage_clamped_bytes"] = t.usage_clamped_bytes;
  o["origin_served_bytes"] = ctx.metrics.origin_body_bytes();
  o["peer_transfer_bytes"] = t.peer_bytes_done;
  o["pairings"] = t.matches;
  o["wants"] = t.wants;
  o["misses"] = t.misses;
  o["paths_failed"] = {{"connect_failed", t.paths_failed_connect},
                       {"timeout", t.paths_failed_timeout},
                       {"closed", t.paths_failed_closed}};
  o["verification_failures"] = t.reports + t.reported_verify_failures;
  o["penalties"] = ctx.tracker.checks().penalties;
  o["penalised_now"] = ctx.tracker.penalised_now(signal::tracker::clock::now());
  o["generation"] = snap->generation;
  json::array top;
  for (const auto& r : top_resources(ctx, *snap))
    top.push_back({{"path", r.path}, {"peer", r.peer}, {"origin", r.origin}});
  o["top_resources"] = std::move(top);
  // With --redis: the cluster as this process sees it (the figures above are this process's).
  if (ctx.cluster) {
    auto f = ctx.cluster->figures();
    o["cluster"] = {{"redis_up", f.redis_up},
                    {"processes", f.processes},
                    {"peers_online", f.peers_online},
                    {"remote_pairings", t.remote_matches},
                    {"manifest_mismatch_paths", f.manifest_mismatches}};
  }
  return json::serialize(o);
}

}  // namespace circlecdn::app
