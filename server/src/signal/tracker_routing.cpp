// The tracker's side of the routing strategies (docs/routing.md, "The server side"): ids drawn
// apart on the Chord circle, the ring of online peers kept whole as peers come and go (`ring`
// and `link` orders), and the routing pairings that let two peers relay signals.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "routing/chord_ids.hpp"
#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

namespace {
bool chord_mode(const limits& lim) {
  return lim.routing.strategy == routing::strategy::chord;
}
}  // namespace

peer_id tracker::draw_id() const {
  if (!chord_mode(lim_)) {
    peer_id id = peer_id::random();
    while (peers_.contains(id)) id = peer_id::random();
    return id;
  }
  // Two peers at one Chord position would split its keys unpredictably.
  return routing::draw_chord_id([&](std::uint32_t pos) { return chord_positions_.contains(pos); });
}

std::optional<peer_id> tracker::chord_bootstrap(const peer_id& self) {
  if (peers_.size() < 2) return std::nullopt;
  // A random bucket, then the next peer that is not the newcomer: any peer on the circle will do,
  // and a random one keeps a single peer from meeting every newcomer first.
  const auto buckets = peers_.bucket_count();
  const auto start = static_cast<std::size_t>(sample_rng_()) % buckets;
  for (std::size_t i = 0; i < buckets; ++i) {
    auto b = (start + i) % buckets;
    for (auto it = peers_.begin(b); it != peers_.end(b); ++it)
      if (it->first != self && !it->second->closing) return it->first;
  }
  return std::nullopt;
}

std::size_t tracker::routing_links(const peer_state& p, std::uint8_t kinds) const {
  return static_cast<std::size_t>(
      std::count_if(p.paired.begin(), p.paired.end(), [&](auto& x) { return x.kinds & kinds; }));
}

void tracker::unpair(peer_state& a, const peer_id& b, std::uint8_t kinds) {
  auto strip = [kinds](peer_state& x, const peer_id& y) {
    auto it = std::find_if(x.paired.begin(), x.paired.end(), [&](auto& q) { return q.id == y; });
    if (it == x.paired.end()) return;
    it->kinds &= static_cast<std::uint8_t>(~kinds);
    if (it->kinds == 0) x.paired.erase(it);
  };
  strip(a, b);
  if (auto* other = online(b)) strip(*other, a.id);
}

void tracker::order_link(peer_state& offerer, peer_state& answerer, std::uint8_t offerer_kind,
                         std::uint8_t answerer_kind, std::string_view reason) {
  for (auto [x, y, kind] : {std::tuple{&offerer, &answerer, offerer_kind},
                            std::tuple{&answerer, &offerer, answerer_kind}}) {
    bool had = is_paired(*x, y->id, pairing_kind::routing);
    add_pairing(*x, y->id, kind);
    // A new routing connection is a new offer, answer and candidates: its own signal allowance.
    if (!had)
      for (auto& q : x->paired)
        if (q.id == y->id) q.signals = 0;
  }
  counters_.links_ordered += 2;
  offerer.link->deliver(make_link(answerer.id, reason, true));
  answerer.link->deliver(make_link(offerer.id, reason, false));
}

void tracker::send_ring_orders(const routing::ring::change& c) {
  for (const auto& l : c.unlinked) {
    if (auto* a = online(l.offerer)) unpair(*a, l.answerer, pairing_kind::ring_link);
  }
  for (const auto& id : c.reordered) {
    auto* p = online(id);
    auto n = ring_.of(id);
    if (!p || !n) continue;
    ++counters_.ring_orders;
    p->link->deliver(make_ring(n->serving, n->served));
  }
  for (const auto& l : c.links) {
    auto* a = online(l.offerer);
    auto* b = online(l.answerer);
    if (a && b) order_link(*a, *b, pairing_kind::ring_link, pairing_kind::ring_link, "ring");
  }
}

void tracker::routing_join(peer_state& p) {
  switch (lim_.routing.strategy) {
    case routing::strategy::tracker:
      return;
    case routing::strategy::chord:
      chord_positions_.insert(routing::chord_position(p.id));
      return;
    case routing::strategy::ring:
      if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("event=ring_join peer={} members={}", p.id.str(), ring_.size() + 1);
      send_ring_orders(ring_.join(p.id, sample_rng_()));
      return;
  }
}

void tracker::routing_leave(peer_state& p) {
  if (chord_mode(lim_)) chord_positions_.erase(routing::chord_position(p.id));
  if (ring_.contains(p.id)) send_ring_orders(ring_.leave(p.id));
  // Its partners' routing pairings with it go: a Chord peer's count of connections is freed.
  for (std::size_t i = p.paired.size(); i-- > 0;) {
    if (!(p.paired[i].kinds & pairing_kind::routing)) continue;
    auto other = p.paired[i].id;
    unpair(p, other, pairing_kind::routing);
  }
}

void tracker::miss_token_used(const peer_id& peer, std::span<const std::uint8_t> hash_prefix) {
  auto* p = online(peer);
  if (!p || !p->routing) return;
  auto& pending = p->routing->pending_misses;
  auto it = std::find_if(pending.begin(), pending.end(), [&](auto& x) {
    return std::equal(hash_prefix.begin(), hash_prefix.end(), x.hash.bytes.begin());
  });
  if (it != pending.end()) pending.erase(it);
}

}  // namespace circlecdn::signal
