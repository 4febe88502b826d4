#pragma once
// Everything an operator can set, with the defaults `circlecdn serve` uses.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "app/origin_policy.hpp"
#include "app/tls_config.hpp"
#include "manifest/crowd_filter.hpp"
#include "origin/cache_policy.hpp"
#include "signal/ice_config.hpp"
#include "signal/limits.hpp"

namespace circlecdn::app {

struct config {
  std::filesystem::path site;  // SITE_DIR
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 = any free port (printed at start)
  std::uint64_t piece_size_bytes = 256 * 1024;
  std::filesystem::path client_dir;  // holds circlecdn.js / circlecdn.iife.js; empty = 404
  bool secure_cookies = false;       // behind TLS: cookies get `Secure`
  tls_config tls;                    // HTTPS/WSS, the 301 listener, trusted proxies
  std::chrono::milliseconds shutdown_grace{3000};
  std::uint64_t origin_rate_limit_bytes_per_s = 0;  // 0 = uncapped (a cap for demos, benchmarks)
  std::size_t http_header_limit_bytes = 8 * 1024;
  std::chrono::seconds http_idle_timeout{30};
  std::size_t served_ids_max = 20'000;            // visitors whose served hashes are remembered
  std::size_t served_hashes_per_id = 64;          // hashes remembered per visitor (~40 MiB worst)
  std::string secret;                             // HMAC key for tokens; empty = random per process
  origin_policy origins;                          // who may open the signaling socket
  manifest::crowd_filter crowd;                   // which public files peers carry (default: all)
  std::vector<origin::cache_rule> cache_control;  // --cache-control GLOB=VALUE, first match wins
  // --hash-cache: where file hashes persist across restarts; empty = none (main picks the
  // default location, cli/origin_options.cpp).
  std::filesystem::path hash_cache;
  signal::limits limits;
  signal::ice_config ice;  // STUN/TURN servers, TURN secret, peer path budgets
};

}  // namespace circlecdn::app
