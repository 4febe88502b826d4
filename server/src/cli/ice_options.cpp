#include "cli/ice_options.hpp"

namespace circlecdn::cli {

void ice_options::add(CLI::App& serve, signal::ice_config& ice) {
  ttl_s_ = ice.turn_ttl.count();
  connect_ms_ = ice.connect_timeout.count();
  first_byte_ms_ = ice.first_byte_timeout.count();
  // One URL per occurrence, so `--stun URL SITE_DIR` cannot swallow the site directory.
  serve
      .add_option("--stun", ice.stun_urls,
                  "STUN server for browsers: stun:HOST[:PORT] (repeatable)")
      ->allow_extra_args(false);
  serve
      .add_option("--turn", ice.turn_urls,
                  "TURN server for browsers: turn:HOST[:PORT][?transport=udp|tcp] or turns:... "
                  "(repeatable; needs a TURN secret)")
      ->allow_extra_args(false);
  auto* secret = serve.add_option("--turn-secret", ice.turn_secret,
                                  "coturn's static-auth-secret (visible in ps: prefer the file)");
  serve.add_option("--turn-secret-file", secret_file_, "file holding coturn's static-auth-secret")
      ->excludes(secret);
  serve.add_option("--turn-ttl", ttl_s_, "seconds a peer's TURN credentials stay valid (>= 60)");
  serve.add_flag("--ice-relay-only", ice.relay_only,
                 "browsers use TURN relays only: no peer learns another's address");
  serve.add_option("--connect-timeout", connect_ms_,
                   "ms from match to an open DataChannel before the wanter gives up on the peer");
  serve.add_option("--first-byte-timeout", first_byte_ms_,
                   "ms from an open channel to the first chunk before the wanter gives up");
}

std::optional<std::string> ice_options::finish(signal::ice_config& ice) const {
  if (!secret_file_.empty()) {
    std::string problem;
    auto secret = signal::read_secret_file(secret_file_, problem);
    if (!secret) return problem;
    ice.turn_secret = std::move(*secret);
  }
  ice.turn_ttl = std::chrono::seconds(ttl_s_);
  ice.connect_timeout = std::chrono::milliseconds(connect_ms_);
  ice.first_byte_timeout = std::chrono::milliseconds(first_byte_ms_);
  return signal::ice_config_problem(ice);
}

}  // namespace circlecdn::cli
