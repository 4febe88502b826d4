#include "strategy/tracker.hpp"

namespace circlecdn::sim {

namespace {
// Server messages per exchange (docs/protocol.md): hello + welcome; want + match + push + done
// on a hit; want + miss on a miss; one announce per stored resource.
constexpr double join_messages = 2;
constexpr double hit_messages = 4;
constexpr double miss_messages = 2;
constexpr double announce_messages = 1;
}  // namespace

tracker::tracker(strategy_context ctx)
    : ctx_(std::move(ctx)),
      directory_(ctx_.site.count(), 0.0),
      sample_(static_cast<std::uint32_t>(ctx_.cfg.tracker_sample)) {}

void tracker::on_join(peer_index, double now) {
  ctx_.stats.server(join_messages, now);
}

void tracker::on_leave(peer_index p, double) {
  ctx_.held.for_each(p, [&](resource_index r) { directory_.holder_left(r); });
}

lookup_result tracker::lookup(peer_index w, resource_index r, double now, double deadline_s) {
  const double at_server = now + 0.5 * ctx_.peers.rtt_server_s(w);
  const auto& peers = ctx_.peers;
  // Holder policy: free upload slot, then fewest uploads in flight, then a peer already paired
  // with the wanter (channel reused), then the most recent holder.
  peer_index best = no_peer;
  std::uint32_t best_flight = 0;
  bool best_paired = false;
  float best_available = 0;
  directory_.sample(r, sample_, ctx_.random, [&](const holder_entry& e) {
    const peer_index h = e.slot;
    // The entry's own times decide (no cache miss on the holder): while its holder has not
    // left, the slot cannot have been handed to anyone else.
    if (static_cast<double>(e.available_s) > at_server ||
        static_cast<double>(e.depart_s) <= at_server || h == w) {
      return;
    }
    const std::uint32_t flight = ctx_.uploads.in_flight(h, at_server);
    if (flight >= ctx_.uploads.max_uploads()) return;
    const bool paired = ctx_.links.connected_uid(w, e.uid);
    const bool better =
        best == no_peer || flight < best_flight ||
        (flight == best_flight && paired && !best_paired) ||
        (flight == best_flight && paired == best_paired && e.available_s > best_available);
    if (better) {
      best = h;
      best_flight = flight;
      best_paired = paired;
      best_available = e.available_s;
    }
  });
  lookup_result result;
  result.answered_s = now + peers.rtt_server_s(w);
  if (best == no_peer) {
    ctx_.stats.server(miss_messages, now);
    result.outcome = lookup_outcome::not_found;
  } else {
    ctx_.stats.server(hit_messages, now);
    result.outcome = lookup_outcome::found;
    result.holder = best;
  }
  if (result.answered_s > deadline_s) {  // never with sane deadlines; kept for the invariant
    result.outcome = lookup_outcome::failed_deadline;
    result.holder = no_peer;
    result.answered_s = deadline_s;
  }
  return result;
}

void tracker::on_stored(peer_index p, resource_index r, double available_s) {
  directory_.add(r, holder_entry::make(p, ctx_.peers.uid(p), available_s, ctx_.peers.depart_s(p)),
                 available_s);
  ctx_.stats.server(announce_messages, available_s);
}

}  // namespace circlecdn::sim
