#include "app/metrics_page.hpp"

#include <algorithm>
#include <array>

#include "core/heap_usage.hpp"
#include "metrics/exposition.hpp"
#include "metrics/process_stats.hpp"

namespace circlecdn::app {

namespace {

using metrics::exposition;
using metrics::family_type;

void signaling(exposition& e, context& ctx) {
  const auto& t = ctx.tracker.counters();
  e.gauge("circlecdn_peers_online", "Signaling connections joined to the tracker.",
          static_cast<double>(ctx.tracker.peers_online()));
  e.gauge("circlecdn_websocket_sessions", "Open WebSocket sessions (joined or closing).",
          static_cast<double>(ctx.ws_hub.sessions.size()));
  e.counter("circlecdn_websocket_refused_origin_total",
            "WebSocket upgrades refused with 403 because of their Origin.",
            static_cast<double>(ctx.counters.ws_refused_origin));
  e.counter("circlecdn_memory_trims_total",
            "Times freed heap was returned to the system after the peers online halved.",
            static_cast<double>(ctx.trim.trims()));
  e.counter("circlecdn_websocket_refused_full_total",
            "WebSocket upgrades refused with 503 at the peer limit (descriptors kept back).",
            static_cast<double>(ctx.counters.ws_refused_full));
  e.counter("circlecdn_websocket_refused_address_total",
            "WebSocket upgrades refused with 429 past the per-address cap.",
            static_cast<double>(ctx.counters.ws_refused_address));

  e.family("circlecdn_signal_messages_total", family_type::counter,
           "Valid signaling messages received, by type.");
  for (std::size_t i = 0; i < t.messages_by_type.size(); ++i)
    e.sample({{"type", std::string(signal::inbound_type_names[i])}},
             static_cast<double>(t.messages_by_type[i]));
  e.counter("circlecdn_signal_messages_refused_total",
            "Signaling messages refused before dispatch (rate-limited, malformed, unknown type).",
            static_cast<double>(t.messages_refused));
  e.family("circlecdn_signal_errors_total", family_type::counter,
           "Error messages sent to peers, by code.");
  for (std::size_t i = 0; i < t.errors_by_code.size(); ++i)
    e.sample({{"code", std::string(signal::to_string(static_cast<signal::error_code>(i)))}},
             static_cast<double>(t.errors_by_code[i]));
  e.counter("circlecdn_signal_disconnects_total",
            "Peers disconnected for sending too many bad messages.",
            static_cast<double>(t.disconnects_for_errors));
  e.counter("circlecdn_signals_relayed_total", "SDP and ICE signals relayed between paired peers.",
            static_cast<double>(t.signals_relayed));
  e.counter("circlecdn_ice_renewals_total", "TURN credentials renewed over `ice` messages.",
            static_cast<double>(t.ice_renewals));

  e.counter("circlecdn_wants_total", "Wants received.", static_cast<double>(t.wants));
  e.counter("circlecdn_pairings_total", "Wants matched with a holder (match + push).",
            static_cast<double>(t.matches));
  e.family("circlecdn_misses_total", family_type::counter,
           "Wants answered with a miss (go to the origin), by reason.");
  for (std::size_t i = 0; i < t.misses_by_reason.size(); ++i)
    e.sample({{"reason", std::string(signal::miss_reason_names[i])}},
             static_cast<double>(t.misses_by_reason[i]));
  e.counter("circlecdn_routing_connects_total",
            "`connect` messages answered: ring wants that named their holder, Chord routing "
            "connections.",
            static_cast<double>(t.routing_connects));
  e.counter("circlecdn_ring_orders_total", "`ring` orders sent (ring mode: new neighbours).",
            static_cast<double>(t.ring_orders));
  e.counter("circlecdn_routing_links_total",
            "`link` orders sent (two per routing connection ordered).",
            static_cast<double>(t.links_ordered));
  e.family("circlecdn_crowd_misses_total", family_type::counter,
           "Miss tokens issued for `miss_token`: lookups the crowd could not serve, by strategy "
           "and reason.");
  for (std::size_t i = 0; i < t.crowd_misses.size(); ++i) {
    auto reason = static_cast<routing::crowd_miss>(i);
    e.sample({{"strategy", std::string(routing::to_string(routing::strategy_of(reason)))},
              {"reason", std::string(routing::to_string(reason))}},
             static_cast<double>(t.crowd_misses[i]));
  }
  e.counter("circlecdn_wants_expired_total", "Matched wants that nobody finished in time.",
            static_cast<double>(t.wants_expired));
  e.family("circlecdn_peer_paths_failed_total", family_type::counter,
           "Peer paths that failed (done ok:false), by reason.");
  e.sample({{"reason", "connect_failed"}}, static_cast<double>(t.paths_failed_connect));
  e.sample({{"reason", "timeout"}}, static_cast<double>(t.paths_failed_timeout));
  e.sample({{"reason", "closed"}}, static_cast<double>(t.paths_failed_closed));
  e.counter("circlecdn_holders_unreachable_total",
            "Holders marked unreachable after failing several wanters.",
            static_cast<double>(t.holders_unreachable));

  e.family("circlecdn_verification_failures_total", family_type::counter,
           "Pieces from peers that failed SHA-256 verification: `report` messages that counted, "
           "and counts in `usage` reports (untrusted).");
  e.sample({{"source", "report"}}, static_cast<double>(t.reports));
  e.sample({{"source", "usage"}}, static_cast<double>(t.reported_verify_failures));
  e.counter("circlecdn_penalties_total", "Penalties given to holders.",
            static_cast<double>(ctx.tracker.checks().penalties));
  e.counter("circlecdn_penalties_lifted_total",
            "Penalties on one report lifted when the holder proved possession.",
            static_cast<double>(ctx.tracker.checks().penalties_lifted));
  e.gauge("circlecdn_penalised_peers", "Peers under a penalty now.",
          static_cast<double>(ctx.tracker.penalised_now(signal::tracker::clock::now())));

  e.family("circlecdn_want_decision_seconds", family_type::histogram,
           "Time from a want's arrival to its match or miss.");
  e.series({}, t.want_seconds);
  e.family("circlecdn_pairing_seconds", family_type::histogram,
           "Time from a match to the wanter's done ok:true.");
  e.series({}, t.pairing_seconds);
}

void bytes(exposition& e, context& ctx) {
  const auto& t = ctx.tracker.counters();
  e.family("circlecdn_reported_bytes_total", family_type::counter,
           "Bytes visitors say they loaded, by source (`usage` reports: untrusted, bounded per "
           "peer).");
  for (std::size_t i = 0; i < t.reported_bytes.size(); ++i)
    e.sample({{"source", std::string(signal::to_string(static_cast<signal::usage_source>(i)))}},
             static_cast<double>(t.reported_bytes[i]));
  e.counter("circlecdn_usage_reports_total", "`usage` reports accepted.",
            static_cast<double>(t.usage_reports));
  e.counter("circlecdn_usage_reports_refused_total", "`usage` reports refused as too frequent.",
            static_cast<double>(t.usage_refused));
  e.counter("circlecdn_usage_clamped_bytes_total",
            "Reported bytes over a peer's allowance, not added to circlecdn_reported_bytes_total.",
            static_cast<double>(t.usage_clamped_bytes));
  e.family("circlecdn_reported_resource_seconds", family_type::histogram,
           "Time to a resource as visitors report it, by source (untrusted).");
  for (std::size_t i = 0; i < t.reported_item_seconds.size(); ++i)
    e.series({{"source", std::string(signal::to_string(static_cast<signal::usage_source>(i)))}},
             t.reported_item_seconds[i]);
  e.counter("circlecdn_peer_transfer_bytes_total",
            "Bytes that completed pairings carried, as wanters' done messages say (clamped to one "
            "item each).",
            static_cast<double>(t.peer_bytes_done));
  e.counter("circlecdn_origin_bytes_total",
            "Body bytes of site files the server itself wrote (200 and 206), counted at the "
            "writer.",
            static_cast<double>(ctx.metrics.origin_body_bytes()));
}

void http_side(exposition& e, context& ctx) {
  e.counter("circlecdn_http_connections_total", "HTTP connections accepted.",
            static_cast<double>(ctx.counters.connections));
  e.gauge("circlecdn_http_connections_open",
          "HTTP connections open now (a WebSocket leaves this count once upgraded).",
          static_cast<double>(ctx.counters.connections_open));
  e.family("circlecdn_http_requests_total", family_type::counter, "HTTP answers, by status.");
  const auto& by_status = ctx.metrics.requests_by_status();
  // The statuses the server gives are always present (a series that appears later breaks rate());
  // any other shows once it happened.
  constexpr std::array<unsigned, 14> usual = {101, 200, 206, 301, 304, 400, 401,
                                              403, 404, 405, 413, 416, 431, 503};
  for (std::size_t i = 0; i < by_status.size(); ++i)
    if (by_status[i] > 0 || std::find(usual.begin(), usual.end(), i + 100) != usual.end())
      e.sample({{"code", std::to_string(i + 100)}}, static_cast<double>(by_status[i]));
  e.family("circlecdn_http_response_seconds", family_type::histogram,
           "Time from a request's head to the end of its answer.");
  e.series({}, ctx.metrics.http_seconds());
  e.family("circlecdn_miss_tokens_total", family_type::counter,
           "X-Circle-Miss tokens on origin requests, by verdict.");
  e.sample({{"verdict", "valid"}}, static_cast<double>(ctx.counters.miss_tokens_valid));
  e.sample({{"verdict", "invalid"}}, static_cast<double>(ctx.counters.miss_tokens_invalid));
  e.sample({{"verdict", "reused"}}, static_cast<double>(ctx.counters.miss_tokens_reused));
  e.counter("circlecdn_cookies_set_total", "Visitor cookies issued.",
            static_cast<double>(ctx.counters.cookies_set));
}

// With --redis: the cluster as this process sees it (docs/operations.md, "Running a cluster").
void cluster_state(exposition& e, const cluster::crowd_mirror& m,
                   const signal::tracker_counters& t) {
  auto f = m.figures();
  e.gauge("circlecdn_redis_up", "1 while this process is connected to the cluster's Redis.",
          f.redis_up ? 1 : 0);
  e.counter("circlecdn_redis_outages_total", "Times the connection to Redis was lost.",
            static_cast<double>(f.outages));
  e.counter("circlecdn_redis_resyncs_total",
            "Times this process (re)joined Redis and re-sent its holdings.",
            static_cast<double>(f.resyncs));
  e.counter("circlecdn_redis_commands_refused_total",
            "Redis updates not sent because Redis was down (re-sent in bulk on rejoining).",
            static_cast<double>(f.commands_refused));
  e.gauge("circlecdn_cluster_processes", "circlecdn processes present in Redis, this one included.",
          static_cast<double>(f.processes));
  e.gauge("circlecdn_cluster_peers_online",
          "Peers online in every process of the cluster (as of the last heartbeat).",
          static_cast<double>(f.peers_online));
  e.counter("circlecdn_cluster_processes_expired_total",
            "Processes whose presence expired (crashed) and whose entries this process removed.",
            static_cast<double>(f.expired_processes_cleaned));
  e.counter("circlecdn_cluster_holder_samples_total",
            "Wants that asked Redis for holders on other processes (one round trip each).",
            static_cast<double>(f.samples));
  e.counter("circlecdn_cluster_holder_samples_lost_total",
            "Of those, answers lost (Redis went down meanwhile): decided on local holders only.",
            static_cast<double>(f.samples_lost));
  e.counter("circlecdn_cluster_remote_matches_total",
            "Wants of this process's peers matched with a holder on another process.",
            static_cast<double>(t.remote_matches));
  e.counter("circlecdn_cluster_orders_sent_total",
            "Orders (push, refuse, cancel, done, signal, gone) published to other processes.",
            static_cast<double>(f.orders_sent));
  e.counter("circlecdn_cluster_orders_received_total", "Orders received on this process's channel.",
            static_cast<double>(f.orders_received));
  e.counter("circlecdn_cluster_orders_refused_total",
            "Orders dropped: malformed, or a signal for a pairing this process does not know.",
            static_cast<double>(t.orders_refused));
  e.counter("circlecdn_cluster_push_refused_total",
            "Push orders this process refused (the holder left or its slots filled meanwhile).",
            static_cast<double>(t.remote_refusals));
  e.counter("circlecdn_cluster_signals_relayed_total",
            "Signals of this process's peers relayed to a peer on another process.",
            static_cast<double>(t.signals_relayed_remote));
  e.gauge("circlecdn_cluster_manifest_mismatch_paths",
          "Paths whose content hash another process's manifest disagrees with, now.",
          static_cast<double>(f.manifest_mismatches));
  e.counter("circlecdn_cluster_manifest_mismatch_refusals_total",
            "Wants refused a pairing because the processes disagree on the hash's path.",
            static_cast<double>(t.disputed_refusals));
}

void state(exposition& e, context& ctx) {
  auto snap = ctx.manifest.current();
  auto totals = totals_of(*snap);
  e.gauge("circlecdn_manifest_generation", "Manifest generation (bumps when the site changes).",
          static_cast<double>(snap->generation));
  e.gauge("circlecdn_manifest_files", "Files the origin serves.",
          static_cast<double>(totals.files));
  e.gauge("circlecdn_manifest_bytes", "Bytes of all files the origin serves.",
          static_cast<double>(totals.bytes));
  e.gauge("circlecdn_manifest_crowd_files", "Files listed in the manifest for peers to carry.",
          static_cast<double>(totals.crowd_files));
  e.gauge("circlecdn_manifest_hashes", "File and piece hashes peers may announce.",
          static_cast<double>(totals.hashes));
  e.gauge("circlecdn_holdings", "Hash x peer entries in the tracker's directory.",
          static_cast<double>(ctx.directory.entries()));

  if (auto p = metrics::read_process_stats()) {
    e.gauge("circlecdn_process_resident_memory_bytes", "Resident memory (/proc/self/statm).",
            static_cast<double>(p->resident_bytes));
    e.gauge("circlecdn_process_open_fds", "Open file descriptors (/proc/self/fd).",
            static_cast<double>(p->open_fds));
    e.gauge("circlecdn_process_max_fds", "The descriptor limit (RLIMIT_NOFILE, soft).",
            static_cast<double>(p->max_fds));
    e.counter("circlecdn_process_cpu_seconds_total", "User and system CPU time.", p->cpu_seconds);
    e.gauge("circlecdn_process_start_time_seconds", "Start time, seconds since the Unix epoch.",
            p->start_time_s);
  }
  e.gauge("circlecdn_heap_bytes", "Bytes allocated on the heap and not freed.",
          static_cast<double>(heap_bytes_in_use()));
  if (ctx.cluster) cluster_state(e, *ctx.cluster, ctx.tracker.counters());
}

}  // namespace

// One sweep of the file table per call (the scrape and the dashboard ask once a second; a site
// of 100,000 files takes about a millisecond).
manifest_totals totals_of(const manifest::snapshot& snap) {
  manifest_totals t;
  for (const auto& [path, f] : snap.files) {
    ++t.files;
    t.bytes += f.size;
    if (f.crowd) ++t.crowd_files;
  }
  t.hashes = snap.hashes.size();
  return t;
}

std::string metrics_text(context& ctx) {
  exposition e;
  signaling(e, ctx);
  bytes(e, ctx);
  http_side(e, ctx);
  state(e, ctx);
  return e.text();
}

}  // namespace circlecdn::app
