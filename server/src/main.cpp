// circlecdn: wires the command line to the server object. Nothing else lives here.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <cstdio>

#include "app/server.hpp"
#include "cli/ice_options.hpp"
#include "cli/origin_options.hpp"

int main(int argc, char** argv) {
  using namespace circlecdn;
  CLI::App cli{"circlecdn: a peer-assisted CDN origin and signaling tracker"};
  cli.require_subcommand(1);
  auto* serve = cli.add_subcommand("serve", "serve SITE_DIR as an origin with a peer tracker");

  app::config cfg;
  std::string listen = "127.0.0.1:8080";
  std::string log_level = "info";
  std::uint32_t uploads = cfg.limits.uploads_per_holder;
  double rate = cfg.limits.messages_per_s;
  unsigned grace_ms = static_cast<unsigned>(cfg.shutdown_grace.count());
  serve->add_option("site", cfg.site, "directory to serve")
      ->required()
      ->check(CLI::ExistingDirectory);
  serve->add_option("--listen", listen, "address:port (port 0 = any free port)");
  serve->add_option("--client-dir", cfg.client_dir,
                    "directory with circlecdn.js and circlecdn.iife.js");
  serve->add_option("--piece-size", cfg.piece_size_bytes, "bytes per piece of large files");
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error");
  serve->add_option("--secret", cfg.secret, "HMAC key for tokens (default: random per start)");
  serve->add_option("--allowed-origin", cfg.origins.allowed,
                    "a web origin (scheme://host[:port]) besides the site's own whose pages may "
                    "open the signaling socket (repeatable)");
  serve->add_flag("--require-origin", cfg.origins.require_origin,
                  "refuse signaling handshakes without an Origin header (non-browser clients)");
  serve->add_option("--crowd-include", cfg.crowd.include,
                    "glob over URL paths: only matching files are carried by peers (repeatable)");
  serve->add_option(
      "--crowd-exclude", cfg.crowd.exclude,
      "glob over URL paths: matching files are served by the origin only (repeatable)");
  serve->add_flag("--secure-cookies", cfg.secure_cookies, "mark cookies Secure (behind TLS)");
  serve->add_option("--uploads-per-holder", uploads, "uploads in flight per holder");
  serve->add_option("--messages-per-s", rate, "signaling messages per peer per second");
  serve->add_option("--holdings-max", cfg.limits.holdings_total,
                    "hashes held by all peers together that the tracker records (default 2000000)");
  serve->add_option("--origin-rate-limit", cfg.origin_rate_limit_bytes_per_s,
                    "cap on the origin's file upload, bytes/s, shared by all visitors (0 = none)");
  serve->add_option("--shutdown-grace-ms", grace_ms, "time for close frames before a hard stop");
  circlecdn::cli::ice_options ice_opts;  // --stun, --turn, --turn-secret(-file), budgets
  ice_opts.add(*serve, cfg.ice);
  circlecdn::cli::origin_options origin_opts;  // --cache-control, --hash-cache
  origin_opts.add(*serve);
  // TLS and reverse proxies (app/tls_config.hpp).
  serve->add_option("--tls-cert", cfg.tls.cert_file,
                    "PEM certificate chain: serve HTTPS and WSS (SIGHUP reloads it)");
  serve->add_option("--tls-key", cfg.tls.key_file, "PEM private key for --tls-cert");
  serve->add_option("--redirect-http", cfg.tls.redirect_http,
                    "ADDR:PORT of a plain listener that answers 301 to https");
  serve->add_option("--trust-proxy", cfg.tls.trust_proxy,
                    "CIDR of a reverse proxy whose X-Forwarded-Proto/-For count (repeatable)");
  // The config file belongs to the top-level app (CLI11 reads it there) and may be given after
  // `serve`; its keys are the long option names, under a [serve] table or as serve.KEY.
  cli.set_config("--config", "", "TOML file with any of these options ([serve] table)");
  serve->fallthrough();
  CLI11_PARSE(cli, argc, argv);

  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--listen: expected address:port, got %s\n", listen.c_str());
    return 2;
  }
  cfg.listen_address = listen.substr(0, colon);
  if (cfg.listen_address.size() > 2 && cfg.listen_address.front() == '[')
    cfg.listen_address = cfg.listen_address.substr(1, cfg.listen_address.size() - 2);
  try {
    cfg.listen_port = static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    std::fprintf(stderr, "--listen: bad port in %s\n", listen.c_str());
    return 2;
  }
  if (auto problem = origin_opts.finish(cfg)) {
    std::fprintf(stderr, "%s\n", problem->c_str());
    return 2;
  }
  if (auto problem = ice_opts.finish(cfg.ice)) {
    std::fprintf(stderr, "%s\n", problem->c_str());
    return 2;
  }
  cfg.limits.uploads_per_holder = uploads;
  cfg.limits.messages_per_s = rate;
  cfg.shutdown_grace = std::chrono::milliseconds(grace_ms);
  spdlog::set_level(spdlog::level::from_str(log_level));
  // Every peer is a socket: take all the file descriptors the hard limit allows.
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }

  try {
    app::server server(std::move(cfg));
    server.run_until_signal();
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}
