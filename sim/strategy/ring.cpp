#include "strategy/ring.hpp"

namespace circlecdn::sim {

namespace {
constexpr double join_messages = 2;    // hello + welcome naming the two neighbours
constexpr double splice_messages = 2;  // tell each neighbour of its new neighbour
}  // namespace

ring::ring(strategy_context ctx)
    : ctx_(std::move(ctx)), max_hops_(static_cast<std::uint32_t>(ctx_.cfg.ring_max_hops)) {}

void ring::grow(std::size_t slots) {
  if (succ_.size() < slots) {
    succ_.resize(slots, no_peer);
    pred_.resize(slots, no_peer);
    link_up_s_.resize(slots, 0);
  }
}

void ring::on_join(peer_index x, double now) {
  ctx_.stats.server(join_messages, now);
  succ_[x] = pred_[x] = x;
  link_up_s_[x] = now;
  if (ctx_.peers.online() < 2) return;
  // The server splices x in after a random on-line peer a (before b = a's successor).
  peer_index a = x;
  while (a == x) a = ctx_.peers.random_online(ctx_.random);
  const peer_index b = succ_[a];
  succ_[a] = x;
  pred_[x] = a;
  succ_[x] = b;
  pred_[b] = x;
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
  const peer_index a = pred_[x];
  const peer_index b = succ_[x];
  succ_[x] = pred_[x] = x;
  if (a == x) return;
  succ_[a] = b;
  pred_[b] = a;
  if (a == b) {
    link_up_s_[a] = now;
    return;
  }
  // The server notices the departure (at once on a close, after the ping timeout otherwise),
  // then has a connect to b: until then a's messages have nowhere to go.
  const double noticed = now + ctx_.peers.detect_delay_s(x);
  const double setup = ctx_.links.connected(a, b) ? 0.0 : ctx_.links.open(a, b);
  ctx_.stats.server(splice_messages + (setup > 0 ? ctx_.links.server_messages_per_connect() : 0),
                    noticed);
  link_up_s_[a] = noticed + setup;
}

lookup_result ring::lookup(peer_index w, resource_index r, double now, double deadline_s) {
  const auto& peers = ctx_.peers;
  lookup_result result;
  peer_index p = w;
  double t = now;
  for (;;) {
    if (max_hops_ != 0 && result.hops >= max_hops_) {
      result.outcome = lookup_outcome::not_found;  // TTL spent: the wanter waits out its deadline
      result.answered_s = deadline_s;
      break;
    }
    if (link_up_s_[p] > t) {  // link under repair: the message waits at p
      if (link_up_s_[p] > deadline_s) {
        result.outcome = lookup_outcome::failed_churn;
        result.answered_s = deadline_s;
        break;
      }
      t = link_up_s_[p];
    }
    const peer_index q = succ_[p];
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
    if (ctx_.held.available(q, r, t) && !ctx_.uploads.busy(q, t)) {
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
