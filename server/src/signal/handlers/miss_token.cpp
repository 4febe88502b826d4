// `miss_token`: a ring or Chord lookup found nobody (the crowd's reason, routing/crowd_miss.hpp):
// the library asks for the miss token the origin counts, since no `want` was made. Bounded like
// wants: a want id, counted among the wants in flight until the origin sees the token or the want
// timeout passes.
#include <spdlog/spdlog.h>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

void tracker::on_miss_token(peer_state& p, const miss_token_msg& m, clock::time_point now) {
  if (routing::strategy_of(m.reason) != lim_.routing.strategy)
    return send_error(p, error_code::wrong_routing,
                      "reason " + std::string(routing::to_string(m.reason)) +
                          ": the server routes by " +
                          std::string(routing::to_string(lim_.routing.strategy)),
                      "miss_token", {}, m.id);
  if (!admit_want_id(p, m.id, "miss_token", now)) return;
  if (!known_hash_(m.hash))  // the origin would not count it: the tracker's own answer
    return send_miss(p, m.id, m.hash, miss_reason::unknown_hash);
  ++counters_.crowd_misses[static_cast<std::size_t>(m.reason)];
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("event=crowd_miss peer={} hash={} reason={}", p.id.str(), m.hash.hex(),
                  routing::to_string(m.reason));
  if (!p.routing) p.routing = std::make_unique<routing_state>();
  p.routing->pending_misses.push_back({m.id, m.hash, now + lim_.want_timeout});
  auto token = tokens_.miss_token(p.id, m.hash, token_signer::clock::now() + lim_.miss_token_life);
  p.link->deliver(make_miss(m.id, m.hash, token, routing::to_string(m.reason)));
}

}  // namespace circlecdn::signal
