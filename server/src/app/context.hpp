#pragma once
// What every connection of one server shares: configuration, the manifest, the origin, the tracker
// and the counters. Lives on the io thread; nothing here is locked.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "app/access_log.hpp"
#include "app/config.hpp"
#include "app/miss_ledger.hpp"
#include "app/possession_proof.hpp"
#include "assets/asset_set.hpp"
#include "cluster/crowd_mirror.hpp"
#include "core/memory_trim.hpp"
#include "core/token.hpp"
#include "manifest/store.hpp"
#include "metrics/recent_window.hpp"
#include "metrics/registry.hpp"
#include "net/cidr.hpp"
#include "net/tls_context.hpp"
#include "origin/static_handler.hpp"
#include "origin/upload_cap.hpp"
#include "signal/tracker.hpp"
#include "swarm/memory_directory.hpp"
#include "swarm/memory_ledger.hpp"
#include "swarm/served_record.hpp"
#include "ws/session.hpp"

namespace circlecdn::app {

struct origin_counters {
  std::uint64_t requests = 0, miss_tokens_valid = 0, miss_tokens_invalid = 0;
  std::uint64_t miss_tokens_reused = 0;
  std::uint64_t ws_refused_origin = 0;   // upgrades from a page of another site
  std::uint64_t ws_refused_full = 0;     // upgrades past the peer limit (descriptors kept back)
  std::uint64_t ws_refused_address = 0;  // upgrades past --peers-per-address
  std::uint64_t cookies_set = 0;
  std::uint64_t connections = 0, connections_open = 0;  // HTTP (and TLS) connections
};

struct context {
  explicit context(config c);

  config cfg;
  token_signer tokens;
  manifest::store manifest;
  origin::static_handler origin;
  origin::upload_cap origin_cap;
  swarm::memory_directory directory;
  swarm::memory_ledger ledger;  // the crowd's state, over `directory`
  swarm::served_record served;
  possession_proof proofs{manifest};  // the tracker's possession challenges read through it
  signal::tracker tracker;
  ws::session_hub ws_hub{{},
                         {cfg.limits.message_bytes, cfg.limits.write_queue_messages,
                          cfg.limits.ping_after, cfg.limits.close_timeout}};
  origin_counters counters;
  metrics::registry metrics;  // HTTP answers and the origin's bytes (the tracker counts the rest)
  assets::asset_set assets{cfg.client_dir};  // the embedded library and dashboard
  miss_ledger misses;
  std::unique_ptr<net::tls_context> tls;   // with --tls-cert/--tls-key: every connection is TLS
  std::vector<net::cidr> trusted_proxies;  // --trust-proxy
  std::unique_ptr<access_log> access;      // --access-log; null without one (reopened on SIGHUP)
  std::size_t http_in_flight = 0;          // requests read and not yet answered: the drain waits
  memory_trim trim;                        // returns freed heap to the system after a crowd leaves
  // The dashboard's p50/p99 time to resource by source: the tracker's histograms (which only
  // grow, for /metrics) over the last 5 minutes; sampled by the server's expiry loop.
  std::array<metrics::recent_window, signal::usage_source_count> recent_item_seconds;
  // Signaling peers admitted at most: --peers-max, or the descriptor limit less --fd-reserve.
  std::size_t peers_max = 0;
  // With --redis: this process's presence and holdings in the cluster's Redis; null alone.
  std::unique_ptr<cluster::crowd_mirror> cluster;
  bool stopping = false;
};

}  // namespace circlecdn::app
