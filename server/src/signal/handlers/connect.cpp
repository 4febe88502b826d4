// `connect` and `unlink`: routing connections. With reason `ring` (ring mode) or `chord` (chord
// mode) a `connect` is a want that names the holder the lookup found (answered by the want's
// code: match + push or miss). With Chord's other reasons it asks for a routing connection with
// any online peer, within caps, since the server cannot check a Chord table: a peer must not use
// it to pair with the whole crowd.
#include <spdlog/spdlog.h>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

namespace {
std::string routed_by(const limits& lim) {
  return "the server routes by " + std::string(routing::to_string(lim.routing.strategy));
}
}  // namespace

void tracker::on_connect(peer_state& p, const connect_msg& m, clock::time_point now) {
  const auto strategy = lim_.routing.strategy;
  const bool transfer = is_transfer(m.reason);
  if (strategy !=
      (m.reason == connect_reason::ring ? routing::strategy::ring : routing::strategy::chord))
    return send_error(
        p, error_code::wrong_routing,
        "connect with reason " + std::string(to_string(m.reason)) + ": " + routed_by(lim_),
        "connect", {}, m.id);
  if (m.peer == p.id)
    return send_error(p, error_code::bad_message, "peer: yourself", "connect", {}, m.id);

  if (transfer) {
    // A want that chose its holder: the same id rules, checks and answers as `want`.
    ++counters_.routing_connects;
    if (!admit_want_id(p, m.id, "connect", now)) return;
    return answer_want(p, m.id, m.hash, &m.peer, now);
  }

  // Chord. The bucket first: every answer below costs the server a message or two.
  if (!p.routing) p.routing = std::make_unique<routing_state>();
  if (!p.routing->connects.available(lim_.routing.chord.connects_per_min, now))
    return send_error(
        p, error_code::rate_limited,
        "over " + std::to_string(lim_.routing.chord.connects_per_min) + " connects a minute",
        "connect");
  p.routing->connects.take();
  auto* other = online(m.peer);
  if (!other || other->closing)
    return send_error(p, error_code::peer_gone, "that peer is not online", "connect");
  const auto reason = to_string(m.reason);
  if (is_paired(p, m.peer, pairing_kind::chord)) {
    // Linked already (a library that lost the connection asks again): the orders again, counted
    // once.
    ++counters_.routing_connects;
    return order_link(p, *other, 0, 0, reason);
  }
  const auto& caps = lim_.routing.chord;
  if (routing_links(p, pairing_kind::chord_asked) >= caps.max_connections)
    return send_error(p, error_code::too_many_links,
                      "you hold " + std::to_string(caps.max_connections) +
                          " routing connections: unlink one first",
                      "connect");
  if (routing_links(p, pairing_kind::chord) >= caps.links_per_peer ||
      routing_links(*other, pairing_kind::chord) >= caps.links_per_peer)
    return send_error(
        p, error_code::too_many_links,
        (routing_links(p, pairing_kind::chord) >= caps.links_per_peer ? "you hold "
                                                                      : "that peer holds ") +
            std::to_string(caps.links_per_peer) + " routing connections",
        "connect");
  ++counters_.routing_connects;
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("event=routing_link peer={} other={} reason={}", p.id.str(), other->id.str(),
                  reason);
  order_link(p, *other, pairing_kind::chord_asked, pairing_kind::chord_asked_by, reason);
}

void tracker::on_unlink(peer_state& p, const unlink_msg& m) {
  if (lim_.routing.strategy != routing::strategy::chord)
    return send_error(p, error_code::wrong_routing, "unlink: " + routed_by(lim_), "unlink");
  if (!is_paired(p, m.peer, pairing_kind::chord))
    return send_error(p, error_code::not_paired, "no routing connection with that peer", "unlink");
  // Either side closing the connection frees the asker's count.
  unpair(p, m.peer, pairing_kind::chord);
}

}  // namespace circlecdn::signal
