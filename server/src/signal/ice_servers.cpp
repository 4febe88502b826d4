#include "signal/ice_servers.hpp"

#include "core/turn_credentials.hpp"
#include "signal/json_text.hpp"

namespace circlecdn::signal {

namespace {

void append_urls(std::string& out, const std::vector<std::string>& urls) {
  out += R"({"urls":[)";
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (i) out += ',';
    out += json_quoted(urls[i]);  // the operator's text, but still escaped
  }
  out += ']';
}

}  // namespace

std::string ice_members(const ice_config& cfg, const peer_id& peer,
                        std::chrono::system_clock::time_point now) {
  std::string s = R"("ice_servers":[)";
  if (!cfg.stun_urls.empty()) {
    append_urls(s, cfg.stun_urls);
    s += '}';
  }
  std::int64_t expires = 0;
  // Browsers refuse a TURN server without credentials, so without a secret TURN is left out
  // (ice_config_problem refuses that configuration at start anyway).
  if (cfg.issues_credentials()) {
    if (!cfg.stun_urls.empty()) s += ',';
    expires = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() +
              cfg.turn_ttl.count();
    auto username = turn_username(expires, peer);
    append_urls(s, cfg.turn_urls);
    s += R"(,"username":)" + json_quoted(username) + R"(,"credential":)" +
         json_quoted(turn_credential(cfg.turn_secret, username)) + '}';
  }
  s += R"(],"ice_transport_policy":)";
  s += cfg.relay_only ? R"("relay")" : R"("all")";
  if (expires != 0) s += R"(,"ice_expires":)" + std::to_string(expires);
  return s;
}

}  // namespace circlecdn::signal
