#pragma once
// What every connection of one server shares: configuration, the manifest, the origin, the tracker
// and the counters. Lives on the io thread; nothing here is locked.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "app/config.hpp"
#include "app/miss_ledger.hpp"
#include "core/token.hpp"
#include "manifest/store.hpp"
#include "net/cidr.hpp"
#include "net/tls_context.hpp"
#include "origin/static_handler.hpp"
#include "origin/upload_cap.hpp"
#include "signal/tracker.hpp"
#include "swarm/memory_directory.hpp"
#include "swarm/served_record.hpp"
#include "ws/session.hpp"

namespace circlecdn::app {

struct origin_counters {
  std::uint64_t requests = 0, miss_tokens_valid = 0, miss_tokens_invalid = 0;
  std::uint64_t miss_tokens_reused = 0;
  std::uint64_t ws_refused_origin = 0;  // upgrades from a page of another site
  std::uint64_t cookies_set = 0;
};

struct context {
  explicit context(config c);

  config cfg;
  token_signer tokens;
  manifest::store manifest;
  origin::static_handler origin;
  origin::upload_cap origin_cap;
  swarm::memory_directory directory;
  swarm::served_record served;
  signal::tracker tracker;
  ws::session_hub ws_hub{{},
                         {cfg.limits.message_bytes, cfg.limits.write_queue_messages,
                          cfg.limits.ping_after, cfg.limits.close_timeout}};
  origin_counters counters;
  miss_ledger misses;
  std::unique_ptr<net::tls_context> tls;   // with --tls-cert/--tls-key: every connection is TLS
  std::vector<net::cidr> trusted_proxies;  // --trust-proxy
  bool stopping = false;
};

}  // namespace circlecdn::app
