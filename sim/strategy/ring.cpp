#include "strategy/ring.hpp"

namespace circlecdn::sim {

namespace {
constexpr double join_messages = 2;    // hello + welcome naming the two neighbours
constexpr double splice_messages = 2;  // tell each neighbour of its new neighbour
constexpr double ttl_messages = 2;     // "not found" relayed to the wanter
}  // namespace

ring::ring(strategy_context ctx)
    : ctx_(std::move(ctx)), max_hops_(static_cast<std::uint32_t>(ctx_.cfg.ring_max_hops)) {}

void ring::grow(std::size_t slots) {
  if (slot_.size() < slots) slot_.resize(slots, ring_slot{no_peer, no_peer, 0, {0, 0}});
}

void ring::on_stored(peer_index p, resource_index r, double) {
  slot_[p].held_filter[filter_word(r)] |= filter_bit(r);
}

void ring::on_join(peer_index x, double now) {
  ctx_.stats.server(join_messages, now);
  slot_[x] = ring_slot{x, x, now, {0, 0}};
  if (ctx_.peers.online() < 2) return;
  // The server splices x in after a random on-line peer a (before b = a's successor).
  peer_index a = x;
  while (a == x) a = ctx_.peers.random_online(ctx_.random);
  const peer_index b = slot_[a].succ;
  slot_[a].succ = x;
  slot_[x].pred = a;
  slot_[x].succ = b;
  slot_[b].pred = x;
  const double per_connect = ctx_.links.server_messages_per_connect();
  ctx_.links.open(a, x);
  double setup_xb = 0;
  double messages = splice_messages + per_connect;
  if (b != a) {
    setup_xb = ctx_.links.open(x, b);
    messages += per_connect;
  }
  ctx_.stats.server(messages, now);
  // Approximation: the splice takes effect once both channels are open (setup_ab, setup_xb
  // later); until then the old link a->b carried the traffic. We splice at once with no gap and
  // charge the set-up in messages only.
  (void)setup_xb;
}

void ring::on_leave(peer_index x, double now) {
  const peer_index a = slot_[x].pred;
  const peer_index b = slot_[x].succ;
  slot_[x].succ = slot_[x].pred = x;
  if (a == x) return;
  slot_[a].succ = b;
  slot_[b].pred = a;
  if (a == b) {
    slot_[a].link_up_s = now;
    return;
  }
  // The server notices the departure (at once on a close, after the ping timeout otherwise),
  // then has a connect to b: until then a's messages have nowhere to go.
  const double noticed = now + ctx_.peers.detect_delay_s(x);
  const double setup = ctx_.links.connected(a, b) ? 0.0 : ctx_.links.open(a, b);
  ctx_.stats.server(splice_messages + (setup > 0 ? ctx_.links.server_messages_per_connect() : 0),
                    noticed);
  slot_[a].link_up_s = noticed + setup;
}

lookup_result ring::lookup(peer_index w, resource_index r, double now, double deadline_s) {
  const auto& peers = ctx_.peers;
  lookup_result result;
  const std::uint64_t bit = filter_bit(r);
  const unsigned word = filter_word(r);
  peer_index p = w;
  double t = now;
  for (;;) {
    if (max_hops_ != 0 && result.hops >= max_hops_) {
      // TTL spent at p: p tells the wanter through the server ("not found, ask the origin").
      ctx_.stats.server(ttl_messages, now);
      result.outcome = lookup_outcome::not_found;
      result.answered_s = t + 0.5 * (peers.rtt_server_s(p) + peers.rtt_server_s(w));
      if (result.answered_s > deadline_s) {
        result.outcome = lookup_outcome::failed_deadline;
        result.answered_s = deadline_s;
      }
      break;
    }
    const ring_slot& at = slot_[p];
    if (at.link_up_s > t) {  // link under repair: the message waits at p
      if (at.link_up_s > deadline_s) {
        result.outcome = lookup_outcome::failed_churn;
        result.answered_s = deadline_s;
        break;
      }
      t = at.link_up_s;
    }
    const peer_index q = at.succ;
    if (q == w) {  // back at the sender: the crowd does not have it
      t += peers.one_way_s(p, q);
      ++result.hops;
      if (t > deadline_s) {
        result.outcome = lookup_outcome::failed_deadline;
        result.answered_s = deadline_s;
      } else {
        result.outcome = lookup_outcome::not_found;
        result.answered_s = t;
      }
      break;
    }
    t += peers.one_way_s(p, q);
    if (t > deadline_s) {
      result.outcome = lookup_outcome::failed_deadline;
      result.answered_s = deadline_s;
      break;
    }
    if (peers.depart_s(q) <= t) {  // q left before the message arrived: it is lost
      result.outcome = lookup_outcome::failed_churn;
      result.answered_s = deadline_s;
      break;
    }
    ++result.hops;
    if ((slot_[q].held_filter[word] & bit) != 0 && ctx_.held.available(q, r, t) &&
        !ctx_.uploads.busy(q, t)) {
      result.outcome = lookup_outcome::found;
      result.holder = q;
      result.answered_s = t;  // q now connects to the wanter through the server
      break;
    }
    p = q;
  }
  ctx_.stats.peer_messages += result.hops;
  return result;
}

}  // namespace circlecdn::sim
