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
  if (slot_.size() < slots) {
    slot_.resize(slots,
                 ring_slot{0, 0, {0, 0}, {0, 0, 0}, no_peer, {no_peer, no_peer, no_peer, no_peer}});
  }
}

void ring::on_stored(peer_index p, resource_index r, double) {
  slot_[p].held_filter[filter_word(r)] |= filter_bit(r);
}

void ring::refresh_ahead(peer_index a, bool fresh_successor) {
  if (members_ <= 2 * lookahead + 2) {
    // A small ring: rewrite every member's list by walking it.
    peer_index v = a;
    do {
      peer_index u = v;
      for (unsigned i = 0; i < lookahead; ++i) {
        u = slot_[u].ahead[0];
        slot_[v].ahead[i] = u;
      }
      v = slot_[v].ahead[0];
    } while (v != a);
    return;
  }
  // The members from `lookahead` places before a's successor to `lookahead` places after it, all
  // distinct on a ring this large: seq = P_lookahead .. P_1 = a, then a's successors s_0 ..
  // s_lookahead.
  peer_index seq[2 * lookahead + 1];
  seq[lookahead - 1] = a;
  for (unsigned k = 1; k < lookahead; ++k) seq[lookahead - 1 - k] = slot_[seq[lookahead - k]].pred;
  const peer_index s0 = slot_[a].ahead[0];
  seq[lookahead] = s0;
  if (fresh_successor) {
    // s0 was just spliced in: its own list is written below from its successor's, which holds.
    const peer_index s1 = slot_[s0].ahead[0];
    seq[lookahead + 1] = s1;
    for (unsigned j = 2; j <= lookahead; ++j) seq[lookahead + j] = slot_[s1].ahead[j - 2];
    for (unsigned i = 0; i < lookahead; ++i) slot_[s0].ahead[i] = seq[lookahead + 1 + i];
  } else {
    for (unsigned j = 1; j <= lookahead; ++j) seq[lookahead + j] = slot_[s0].ahead[j - 1];
  }
  for (unsigned k = 0; k < lookahead; ++k) {
    ring_slot& pk = slot_[seq[lookahead - 1 - k]];
    for (unsigned i = 0; i < lookahead; ++i) pk.ahead[i] = seq[lookahead - k + i];
  }
}

void ring::on_join(peer_index x, double now) {
  ctx_.stats.server(join_messages, now);
  slot_[x] = ring_slot{now, ctx_.peers.depart_s(x), {0, 0}, ctx_.peers.where(x), x, {x, x, x, x}};
  ++members_;
  if (ctx_.peers.online() < 2) return;
  // The server splices x in after a random on-line peer a (before b = a's successor).
  peer_index a = x;
  while (a == x) a = ctx_.peers.random_online(ctx_.random);
  const peer_index b = slot_[a].ahead[0];
  slot_[a].ahead[0] = x;
  slot_[x].pred = a;
  slot_[x].ahead[0] = b;
  slot_[b].pred = x;
  refresh_ahead(a, /*fresh_successor=*/true);
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
  ring_slot& sx = slot_[x];
  const peer_index a = sx.pred;
  const peer_index b = sx.ahead[0];
  sx.pred = x;
  for (auto& n : sx.ahead) n = x;
  if (sx.depart_s > now) sx.depart_s = now;
  --members_;
  if (a == x) return;
  slot_[a].ahead[0] = b;
  slot_[b].pred = a;
  refresh_ahead(a, /*fresh_successor=*/false);
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
  lookup_result result;
  const std::uint64_t bit = filter_bit(r);
  const unsigned word = filter_word(r);
  // The first hops' records, all at once; then each hop asks for the one `lookahead` places on.
  for (peer_index n : slot_[w].ahead) __builtin_prefetch(&slot_[n]);
  const ring_slot* at = &slot_[w];
  peer_index p = w;
  double t = now;
  for (;;) {
    if (max_hops_ != 0 && result.hops >= max_hops_) {
      // TTL spent at p: p tells the wanter through the server ("not found, ask the origin").
      ctx_.stats.server(ttl_messages, now);
      result.outcome = lookup_outcome::not_found;
      result.answered_s =
          t + 0.5 * (ctx_.peers.rtt_server_s(at->at) + ctx_.peers.rtt_server_s(slot_[w].at));
      if (result.answered_s > deadline_s) {
        result.outcome = lookup_outcome::failed_deadline;
        result.answered_s = deadline_s;
      }
      break;
    }
    if (at->link_up_s > t) {  // link under repair: the message waits at p
      if (at->link_up_s > deadline_s) {
        result.outcome = lookup_outcome::failed_churn;
        result.answered_s = deadline_s;
        break;
      }
      t = at->link_up_s;
    }
    __builtin_prefetch(&slot_[at->ahead[lookahead - 1]]);
    const peer_index q = at->ahead[0];
    const ring_slot& sq = slot_[q];
    if (q == w) {  // back at the sender: the crowd does not have it
      t += population::one_way_s(at->at, sq.at);
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
    t += population::one_way_s(at->at, sq.at);
    if (t > deadline_s) {
      result.outcome = lookup_outcome::failed_deadline;
      result.answered_s = deadline_s;
      break;
    }
    if (sq.depart_s <= t) {  // q left before the message arrived: it is lost
      result.outcome = lookup_outcome::failed_churn;
      result.answered_s = deadline_s;
      break;
    }
    ++result.hops;
    if ((sq.held_filter[word] & bit) != 0 && ctx_.held.available(q, r, t) &&
        !ctx_.uploads.busy(q, t)) {
      result.outcome = lookup_outcome::found;
      result.holder = q;
      result.answered_s = t;  // q now connects to the wanter through the server
      break;
    }
    p = q;
    at = &sq;
  }
  (void)p;
  ctx_.stats.peer_messages += result.hops;
  return result;
}

}  // namespace circlecdn::sim
