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

// Logging (`--log-level`, `--access-log`, `--access-log-format`); all of it changes on SIGHUP.
struct logging_config {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  std::string access_log;      // "" = no access log, "-" = stderr, else a file (appended to)
  std::string access_log_format = "combined";  // combined | json
};

// Many processes sharing one crowd (docs/operations.md, "Running a cluster").
struct cluster_config {
  std::string redis;  // --redis redis://HOST:PORT[/DB]; empty = this process alone (the default)
};

struct config {
  std::filesystem::path site;  // SITE_DIR
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 = any free port (printed at start)
  bool reuse_port = false;           // --reuse-port: SO_REUSEPORT, several processes on one port
  std::uint64_t piece_size_bytes = 256 * 1024;
  std::filesystem::path client_dir;  // holds circlecdn.js / circlecdn.iife.js; empty = 404
  // --service-worker: "on" serves the carrying worker at /.circlecdn/sw.js, "off" (the kill
  // switch) one that steps aside and unregisters itself (docs/operations.md).
  std::string service_worker = "on";
  bool secure_cookies = false;  // behind TLS: cookies get `Secure`
  tls_config tls;               // HTTPS/WSS, the 301 listener, trusted proxies
  std::chrono::milliseconds shutdown_grace{3000};
  std::uint64_t origin_rate_limit_bytes_per_s = 0;  // 0 = uncapped (a cap for demos, benchmarks)
  std::size_t http_header_limit_bytes = 8 * 1024;
  std::chrono::seconds http_idle_timeout{30};
  std::size_t served_ids_max = 20'000;    // visitors whose served hashes are remembered
  std::size_t served_hashes_per_id = 64;  // hashes remembered per visitor (~40 MiB worst)
  // Admission of signaling peers (docs/security.md, "Exhaustion"): past either cap the upgrade is
  // refused, the origin keeps answering. Many visitors share an address behind a NAT (an office, a
  // carrier's CGNAT), so the per-address cap is generous.
  std::size_t peers_per_address = 500;
  std::size_t peers_max = 0;      // 0 = the open-file limit less fd_reserve
  std::size_t fd_reserve = 1024;  // descriptors kept for the origin, files and the listener
  std::string secret;             // HMAC key for tokens; empty = random per process
  std::filesystem::path token_secret_file;  // --token-secret-file: read into `secret` at start
  // Bearer token for /metrics, /.circlecdn/stats and the dashboard; empty = they answer 404.
  std::string operator_token;
  std::filesystem::path operator_token_file;  // --operator-token-file: re-read on SIGHUP
  logging_config logging;
  cluster_config cluster;
  origin_policy origins;                          // who may open the signaling socket
  manifest::crowd_filter crowd;                   // which public files peers carry (default: all)
  std::vector<origin::cache_rule> cache_control;  // --cache-control GLOB=VALUE, first match wins
  // --hash-cache: where file hashes persist across restarts; empty = none (the option table picks
  // the default location).
  std::filesystem::path hash_cache;
  std::vector<std::string> cache_control_text;  // the --cache-control values as given
  std::string hash_cache_option;                // the --hash-cache value as given ("" = default)
  signal::limits limits;
  signal::ice_config ice;                  // STUN/TURN servers, TURN secret, peer path budgets
  std::filesystem::path turn_secret_file;  // read into ice.turn_secret at start and on SIGHUP
};

}  // namespace circlecdn::app
