#include "strategy/chord.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace circlecdn::sim {

namespace {
constexpr std::uint32_t none32 = ~std::uint32_t{0};
constexpr double join_messages = 2;         // hello + welcome naming a bootstrap peer
constexpr double stabilise_messages = 3;    // get-predecessor, its answer, notify
constexpr double peer_gone_messages = 2;    // connect request + "peer_gone"
constexpr double holder_busy_messages = 4;  // connect request relayed, refusal relayed back
constexpr unsigned max_candidates = 16;
constexpr unsigned max_route_steps = 256;

// x in (a, b) on the circle; (a, a) is everything but a.
bool in_open(std::uint32_t x, std::uint32_t a, std::uint32_t b) {
  if (a == b) return x != a;
  return x != a && x - a < b - a;
}
// x in (a, b]; (a, a] is the whole circle.
bool in_half_open(std::uint32_t x, std::uint32_t a, std::uint32_t b) {
  if (a == b) return true;
  return x != a && x - a <= b - a;
}

double expected_peak(const scenario& s) {
  return s.arrival == "flash" ? s.peers * s.flash_factor : s.peers;
}
}  // namespace

chord::chord(strategy_context ctx)
    : ctx_(std::move(ctx)),
      fingers_(std::min(32u, static_cast<unsigned>(std::bit_width(
                                 static_cast<std::uint64_t>(std::ceil(expected_peak(ctx_.cfg))))) +
                                 4u)),
      fix_s_(ctx_.cfg.chord_fix_period_s),
      stabilise_s_(ctx_.cfg.chord_stabilise_period_s),
      hop_timeout_s_(ctx_.cfg.hop_timeout_ms * 1e-3),
      republish_s_(ctx_.cfg.chord_republish_s),
      successors_(static_cast<unsigned>(ctx_.cfg.chord_successors)),
      records_returned_(
          std::min(max_candidates, static_cast<unsigned>(ctx_.cfg.chord_records_returned))),
      holder_tries_(static_cast<unsigned>(ctx_.cfg.chord_holder_tries)),
      // About four buckets per member on-line (departed members stay listed a while too): most
      // non-empty buckets then hold one member, which their record describes.
      ring_(std::clamp(static_cast<unsigned>(std::bit_width(
                           static_cast<std::uint64_t>(std::ceil(expected_peak(ctx_.cfg))))) +
                           2u,
                       4u, 24u)),
      records_(ctx_.site.count(), ctx_.cfg.chord_republish_s) {}

void chord::grow(std::size_t slots) {
  if (successor_table_.size() >= slots) return;
  ring_.grow(slots);
  fingers_table_.resize(slots * fingers_, finger_entry{no_peer, 0, none32});
  successor_table_.resize(slots, successor_entry{no_peer, 0, none32});
  probe_of_.resize(slots, none32);
}

double chord::keep_s() const {
  // A finger found at a peer's join is next refreshed up to two fix periods later (its phase
  // within the period, then a whole period): until then it may still name a departed member.
  return std::max(2 * fix_s_, stabilise_s_) + ctx_.cfg.lookup_deadline_ms * 1e-3 + 1.0;
}

std::uint32_t chord::epoch(peer_index p, double t, double period) const {
  const double e = (t - ctx_.peers.join_s(p)) / period;
  return e <= 0 ? 0u : static_cast<std::uint32_t>(e + 1e-9);
}

peer_index chord::finger(peer_index p, std::uint32_t idp, unsigned j, double t, double seen_s,
                         std::uint32_t& id_out) {
  finger_entry& f = fingers_table_[static_cast<std::size_t>(p) * fingers_ + j];
  // Finger j is refreshed at join, then at join + (j / fingers) * period + k * period.
  const double join = ctx_.peers.join_s(p);
  const double offset = fix_s_ * j / fingers_;
  const double x = (t - join - offset) / fix_s_;
  const std::uint32_t e = x < 1.0 ? 0u : static_cast<std::uint32_t>(x + 1e-9);
  if (f.epoch != e) {
    const double refreshed = e == 0 ? join : join + offset + e * fix_s_;
    const std::uint32_t start = idp + (std::uint32_t{1} << (32 - fingers_ + j));
    std::uint32_t id = 0;
    const peer_index q = ring_.successor_at(start, refreshed, id);
    // A refresh after `seen_s` (the lookup's start) is computed without the peers that joined
    // since, which the lookup does not see: that answer is the lookup's own, not the finger's.
    if (refreshed > seen_s) {
      id_out = id;
      return q;
    }
    f = finger_entry{q, id, e};
  }
  id_out = f.id;
  return f.slot;
}

peer_index chord::successor(peer_index p, std::uint32_t idp, double t, double seen_s,
                            std::uint32_t& id_out) {
  successor_entry& s = successor_table_[p];
  const std::uint32_t e = epoch(p, t, stabilise_s_);
  if (s.epoch != e) {
    const double refreshed = ctx_.peers.join_s(p) + e * stabilise_s_;
    std::uint32_t id = 0;
    const peer_index q = ring_.successor_at(idp + 1, refreshed, id);
    if (refreshed > seen_s) {  // as for a finger
      id_out = id;
      return q;
    }
    s = successor_entry{q, id, e};
  }
  id_out = s.id;
  return s.slot;
}

unsigned chord::successor_list(peer_index p, double t, peer_index* out) {
  const double refreshed = ctx_.peers.join_s(p) + epoch(p, t, stabilise_s_) * stabilise_s_;
  unsigned n = 0;
  ring_.walk(ring_.id(p) + 1, [&](peer_index q) {
    if (q == p) return false;
    if (ring_.alive_at(q, refreshed)) out[n++] = q;
    return n < successors_;
  });
  return n;
}

chord::hop_check chord::check_hop(peer_index from, peer_index to, double t) const {
  const auto& peers = ctx_.peers;
  const double gone = peers.depart_s(to);
  if (gone <= t) {
    // A clean close is seen at once on the channel; an abrupt one only after the detection
    // timeout, and until then each attempt waits out the hop timeout.
    return t >= peers.detected_s(to) ? hop_check::skip : hop_check::timeout;
  }
  if (gone < t + peers.one_way_s(from, to)) return hop_check::timeout;  // lost in flight
  return hop_check::usable;
}

void chord::route_begin(route_state& s, peer_index from, std::uint32_t key, double now,
                        double deadline_s) {
  s = route_state{};
  s.key = key;
  s.now = now;
  s.deadline_s = deadline_s;
  // The sender owns the key if it lies between its predecessor and itself.
  const double refreshed = ctx_.peers.join_s(from) + epoch(from, now, stabilise_s_) * stabilise_s_;
  if (ring_.successor_at(key, refreshed) == from) {
    s.res.outcome = lookup_outcome::found;
    s.res.owner = from;
    s.res.owner_s = s.res.answered_s = now;
    s.done = true;
    return;
  }
  s.p = from;
  s.idp = ring_.id(from);
  s.t = now;
  s.stage = route_stage::at_peer;
  // Start the misses of the first step (as each step does for the next).
  const int nj = first_finger(key - s.idp);
  if (nj >= 0) {
    __builtin_prefetch(
        &fingers_table_[static_cast<std::size_t>(from) * fingers_ + static_cast<unsigned>(nj)]);
    ring_.prefetch(s.idp + (std::uint32_t{1} << (32 - fingers_ + static_cast<unsigned>(nj))));
  } else {
    __builtin_prefetch(&successor_table_[from]);
    ring_.prefetch(s.idp + 1);
  }
}

void chord::route_fail(route_state& s) const {
  s.res.outcome =
      s.res.timeouts > 0 ? lookup_outcome::failed_churn : lookup_outcome::failed_deadline;
  s.res.answered_s = s.deadline_s;
  s.done = true;
}

void chord::route_arrive(route_state& s) const {
  s.res.owner = s.p;
  s.res.owner_s = s.t;
  s.res.answered_s = s.t + s.back;
  if (s.res.answered_s > s.deadline_s) return route_fail(s);
  s.res.outcome = lookup_outcome::found;
  s.done = true;
}

void chord::route_step(route_state& s) {
  const std::uint32_t key = s.key;
  const double deadline_s = s.deadline_s;
  route_result& res = s.res;
  const int low_bits = static_cast<int>(32 - fingers_);
  for (;;) {
    switch (s.stage) {
      case route_stage::at_peer:
        // Arrived at s.p (or starting there).
        if (s.step == max_route_steps || s.t > deadline_s) return route_fail(s);
        if (key == s.idp) return route_arrive(s);
        // Closest preceding finger; only fingers starting before the key can precede it. A
        // finger strictly between p and the key means the key is not p's successor's (the
        // successor comes no later than any finger), so the successor is read only when no
        // finger precedes the key.
        s.j = first_finger(key - s.idp);
        s.rejected = no_peer;
        s.stage = route_stage::finger;
        [[fallthrough]];
      case route_stage::finger:
        for (; s.j >= 0; --s.j) {
          std::uint32_t fid;
          const peer_index f = finger(s.p, s.idp, static_cast<unsigned>(s.j), s.t, s.now, fid);
          if (f == s.p || f == s.rejected || !in_open(fid, s.idp, key)) continue;
          // A candidate: start the misses of checking it (f's record) and of the step after
          // it (f's finger entry and the id circle where that finger starts, or f's
          // successor), and let the other routes run while they land.
          ctx_.peers.prefetch(f);
          const int nj = first_finger(key - fid);
          if (nj >= 0) {
            __builtin_prefetch(&fingers_table_[static_cast<std::size_t>(f) * fingers_ +
                                               static_cast<unsigned>(nj)]);
            ring_.prefetch(fid + (std::uint32_t{1} << (low_bits + nj)));
          } else {
            __builtin_prefetch(&successor_table_[f]);
            ring_.prefetch(fid + 1);
          }
          s.next = f;
          s.idn = fid;
          s.stage = route_stage::check;
          return;
        }
        route_last(s);  // no usable finger precedes the key
        if (s.done) return;
        break;
      case route_stage::check: {
        const hop_check c = check_hop(s.p, s.next, s.t);
        if (c == hop_check::usable) {
          route_hop(s, false);
          if (s.done) return;
          break;
        }
        s.rejected = s.next;
        if (c == hop_check::timeout) {
          s.t += hop_timeout_s_;
          ++res.timeouts;
          if (s.t > deadline_s) return route_fail(s);
        }
        --s.j;
        s.stage = route_stage::finger;
        break;
      }
    }
  }
}

void chord::route_hop(route_state& s, bool final) {
  const double hop = ctx_.peers.one_way_s(s.p, s.next);
  s.t += hop;
  s.back += hop;
  ++s.res.hops;
  s.p = s.next;
  s.idp = s.idn;
  ++s.step;
  s.stage = route_stage::at_peer;
  if (final) route_arrive(s);
}

void chord::route_last(route_state& s) {
  const std::uint32_t key = s.key;
  const double deadline_s = s.deadline_s;
  route_result& res = s.res;
  const peer_index p = s.p;
  const std::uint32_t idp = s.idp;
  double t = s.t;
  peer_index next = no_peer;
  std::uint32_t idn = 0;
  {
    std::uint32_t ids;
    const peer_index sp = successor(p, idp, t, s.now, ids);
    if (sp == p) return route_arrive(s);  // alone on the circle: p owns every key
    if (!in_half_open(key, idp, ids)) {
      // No usable finger precedes the key but it lies past the successor: go one step.
      const hop_check c = check_hop(p, sp, t);
      if (c == hop_check::usable) {
        s.next = sp;
        s.idn = ids;
        return route_hop(s, false);
      }
    }
  }
  // The successor list as of p's last stabilisation, tried in order; a member is looked
  // at only if the ones before it were unusable. The first is found through the buckets
  // (no walk over member records); the walk goes on from it only if it is unusable.
  const double refreshed = ctx_.peers.join_s(p) + epoch(p, t, stabilise_s_) * stabilise_s_;
  unsigned listed = 0;
  bool late = false;
  auto try_member = [&](peer_index q) {
    if (q == p) return false;
    if (!ring_.alive_at(q, refreshed)) return true;
    ++listed;
    const hop_check c = check_hop(p, q, t);
    if (c == hop_check::usable) {
      next = q;
      return false;
    }
    if (c == hop_check::timeout) {
      t += hop_timeout_s_;
      ++res.timeouts;
      if (t > deadline_s) {
        late = true;
        return false;
      }
    }
    return listed < successors_;
  };
  std::uint32_t id1 = 0;
  const peer_index first = ring_.successor_at(idp + 1, refreshed, id1);
  if (first != no_peer && try_member(first)) ring_.walk(id1 + 1, try_member);
  s.t = t;
  if (late) return route_fail(s);
  if (next == no_peer) {
    res.timeouts += 1;  // every successor gone: the ring is broken here
    return route_fail(s);
  }
  idn = next == first ? id1 : ring_.id(next);
  s.next = next;
  s.idn = idn;
  route_hop(s, in_half_open(key, idp, idn));
}

chord::route_result chord::route(peer_index from, std::uint32_t key, double now,
                                 double deadline_s) {
  route_state s;
  route_begin(s, from, key, now, deadline_s);
  while (!s.done) route_step(s);
  return s.res;
}

void chord::route_together(const route_request* q, route_result* out, std::size_t n) {
  const auto& peers = ctx_.peers;
  for (std::size_t i = 0; i < n; ++i) {
    peers.prefetch(q[i].from);
    ring_.prefetch_member(q[i].from);
    ring_.prefetch(q[i].key);
  }
  for (std::size_t start = 0; start < n; start += max_interleaved) {
    const std::size_t m = std::min<std::size_t>(max_interleaved, n - start);
    route_state st[max_interleaved];
    for (std::size_t i = 0; i < m; ++i) {
      const route_request& l = q[start + i];
      route_begin(st[i], l.from, l.key, l.now, l.deadline_s);
    }
    // One step of each unfinished route in turn: each step starts the misses of its route's
    // next one, which then land while the other routes take theirs.
    for (std::size_t left = m; left > 0;) {
      left = 0;
      for (std::size_t i = 0; i < m; ++i) {
        if (st[i].done) continue;
        route_step(st[i]);
        if (!st[i].done) ++left;
      }
    }
    for (std::size_t i = 0; i < m; ++i) out[start + i] = st[i].res;
  }
}

void chord::route_ahead(const lookup_query* q, std::size_t n) {
  prepared_.clear();
  next_prepared_ = 0;
  requests_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    requests_.push_back(
        route_request{q[i].wanter, ctx_.site.key(q[i].r), q[i].now, q[i].deadline_s});
  }
  results_.resize(n);
  route_together(requests_.data(), results_.data(), n);
  for (std::size_t i = 0; i < n; ++i) {
    prepared_.push_back(prepared{q[i].wanter, q[i].r, q[i].now, q[i].deadline_s, results_[i]});
  }
}

chord::route_result chord::prepared_route(peer_index w, resource_index r, double now,
                                          double deadline_s) {
  // Lookups prepared by route_ahead come in the same order; the world may have dropped some
  // (the wanter got the resource meanwhile).
  while (next_prepared_ < prepared_.size()) {
    const prepared& pr = prepared_[next_prepared_++];
    if (pr.wanter == w && pr.r == r && pr.now == now && pr.deadline_s == deadline_s) {
      return pr.result;
    }
  }
  return route(w, ctx_.site.key(r), now, deadline_s);
}

lookup_result chord::lookup(peer_index w, resource_index r, double now, double deadline_s) {
  const auto& peers = ctx_.peers;
  // The owner's records for r are read after the route: start those misses now.
  records_.prefetch(r, records_returned_, ctx_.random);
  const route_result rr = prepared_route(w, r, now, deadline_s);
  ctx_.stats.peer_messages += 2.0 * rr.hops;
  ctx_.stats.hop_timeouts += rr.timeouts;
  last_hops_ = rr.hops;
  lookup_result result;
  result.hops = rr.hops;
  if (rr.outcome != lookup_outcome::found) {
    result.outcome = rr.outcome;
    result.answered_s = deadline_s;
    return result;
  }
  // The owner answers with provider records it still keeps: a record outlives its holder until
  // the holder's next republish would have been due.
  holder_entry candidates[max_candidates];
  unsigned n = 0;
  const double at_owner = rr.owner_s;
  records_.sample(r, records_returned_, ctx_.random, [&](const holder_entry& e) {
    if (n == max_candidates || static_cast<double>(e.available_s) > at_owner) return;
    const double held_for = static_cast<double>(e.depart_s) - static_cast<double>(e.available_s);
    const double linger = republish_s_ - std::fmod(held_for > 0 ? held_for : 0.0, republish_s_);
    if (at_owner < static_cast<double>(e.depart_s) + linger) candidates[n++] = e;
  });
  // The wanter asks the server to connect it to each in turn.
  for (unsigned k = 0; k < n && k < holder_tries_ + 1; ++k) peers.prefetch(candidates[k].slot);
  double t = rr.answered_s;
  unsigned tries = 0;
  for (unsigned k = 0; k < n && tries < holder_tries_; ++k) {
    const holder_entry& e = candidates[k];
    const peer_index h = e.slot;
    if (h == w) continue;
    ++tries;
    if (peers.uid(h) != e.uid || peers.depart_s(h) <= t) {
      t += peers.rtt_server_s(w);
      ctx_.stats.server(peer_gone_messages, now);
      continue;
    }
    if (ctx_.uploads.busy(h, t)) {
      t += peers.rtt_server_s(w) + peers.rtt_server_s(h);
      ctx_.stats.server(holder_busy_messages, now);
      continue;
    }
    result.holder = h;
    break;
  }
  if (result.holder != no_peer && t <= deadline_s) {
    result.outcome = lookup_outcome::found;
    result.answered_s = t;
  } else if (result.holder != no_peer) {
    result.outcome = lookup_outcome::failed_deadline;
    result.holder = no_peer;
    result.answered_s = deadline_s;
  } else {
    result.outcome = lookup_outcome::not_found;
    result.answered_s = t;
  }
  return result;
}

void chord::on_stored(peer_index p, resource_index r, double available_s) {
  // The put travels the route the lookup just took.
  records_.add(r, holder_entry::make(p, ctx_.peers.uid(p), available_s, ctx_.peers.depart_s(p)),
               available_s);
  ctx_.stats.peer_messages += 2.0 * last_hops_;
}

void chord::on_join(peer_index p, double now) {
  std::uint32_t id;
  if (has_forced_id_) {
    id = forced_id_;
    has_forced_id_ = false;
  } else {
    do {
      id = static_cast<std::uint32_t>(ctx_.random.next() >> 32);
    } while (ring_.contains_id(id));
  }
  ring_.insert(p, id, ctx_.peers.join_s(p), ctx_.peers.depart_s(p));
  for (unsigned j = 0; j < fingers_; ++j) {
    fingers_table_[static_cast<std::size_t>(p) * fingers_ + j].epoch = none32;
  }
  successor_table_[p].epoch = none32;
  ctx_.stats.server(join_messages, now);
  if (ctx_.peers.probe(p)) {
    std::uint32_t idx;
    if (!free_probes_.empty()) {
      idx = free_probes_.back();
      free_probes_.pop_back();
    } else {
      idx = static_cast<std::uint32_t>(probes_.size());
      probes_.emplace_back();
    }
    probe& pr = probes_[idx];
    pr.uid = ctx_.peers.uid(p);
    pr.opened = 0;
    pr.targets.clear();
    probe_of_[p] = idx;
    probe_refresh(p, now);
    // The next refresh on the peer's own phase (a warm-start peer joined before t = 0).
    pr.next_s = ctx_.peers.join_s(p) + (epoch(p, now, fix_s_) + 1) * fix_s_;
    if (pr.next_s < ctx_.peers.depart_s(p)) ctx_.schedule_timer(p, pr.next_s);
  }
}

void chord::probe_refresh(peer_index p, double t) {
  probe& pr = probes_[probe_of_[p]];
  std::vector<std::uint32_t> now_targets;
  now_targets.reserve(fingers_ + successors_);
  for (unsigned j = 0; j < fingers_; ++j) {
    std::uint32_t ignored;
    const peer_index f = finger(p, ring_.id(p), j, t, t, ignored);
    if (f != p) now_targets.push_back(ctx_.peers.uid(f));
  }
  peer_index list[16];
  const unsigned n = successor_list(p, t, list);
  for (unsigned k = 0; k < n; ++k) now_targets.push_back(ctx_.peers.uid(list[k]));
  std::sort(now_targets.begin(), now_targets.end());
  now_targets.erase(std::unique(now_targets.begin(), now_targets.end()), now_targets.end());
  std::uint32_t fresh = 0;
  for (std::uint32_t u : now_targets) {
    if (!std::binary_search(pr.targets.begin(), pr.targets.end(), u)) ++fresh;
  }
  pr.targets.swap(now_targets);
  pr.opened += fresh;
  ctx_.stats.server(fresh * ctx_.links.server_messages_per_connect() * ctx_.probe_weight, t);
  // Each refresh is one lookup per distinct finger (~log2 N / 2 hops, there and back).
  ctx_.stats.peer_messages +=
      ctx_.probe_weight * static_cast<double>(pr.targets.size()) *
      std::log2(std::max<double>(2.0, static_cast<double>(ctx_.peers.online())));
}

void chord::on_timer(peer_index p, double now) {
  const std::uint32_t idx = probe_of_[p];
  if (idx == none32) return;
  probe& pr = probes_[idx];
  if (pr.uid != ctx_.peers.uid(p) || pr.next_s != now) return;
  probe_refresh(p, now);
  pr.next_s = now + fix_s_;
  if (pr.next_s < ctx_.peers.depart_s(p)) ctx_.schedule_timer(p, pr.next_s);
}

void chord::maintenance_messages(peer_index p, double until) {
  const double alive = until - std::max(0.0, ctx_.peers.join_s(p));
  if (alive > 0) ctx_.stats.peer_messages += stabilise_messages * alive / stabilise_s_;
}

void chord::on_leave(peer_index p, double now) {
  ctx_.held.for_each(p, [&](resource_index r) { records_.holder_left(r); });
  ring_.set_depart(p, ctx_.peers.depart_s(p) < now ? ctx_.peers.depart_s(p) : now);
  maintenance_messages(p, now);
  if (probe_of_[p] != none32) {
    free_probes_.push_back(probe_of_[p]);
    probe_of_[p] = none32;
  }
}

void chord::warm_start_placed(double now) {
  // A probe's refresh at its join saw the circle only as far as the crowd had been placed, yet
  // the crowd stands for visitors who arrived over the minutes before t = 0, each refresh seeing
  // everyone who had arrived by then: recompute with every member placed. Routes fill other
  // peers' tables lazily, later, so only the probes' were filled.
  for (peer_index p = 0; p < probe_of_.size(); ++p) {
    if (probe_of_[p] == none32) continue;
    for (unsigned j = 0; j < fingers_; ++j) {
      fingers_table_[static_cast<std::size_t>(p) * fingers_ + j].epoch = none32;
    }
    successor_table_[p].epoch = none32;
    probes_[probe_of_[p]].targets.clear();
    probe_refresh(p, now);
  }
  for (auto& pr : probes_) pr.opened = 0;
}

std::uint32_t chord::routing_connections(peer_index p) const {
  return probe_of_[p] == none32 ? 0 : probes_[probe_of_[p]].opened;
}

void chord::finish(double end_s) {
  for (std::size_t i = 0; i < ctx_.peers.online(); ++i) {
    maintenance_messages(ctx_.peers.online_at(i), end_s);
  }
}

}  // namespace circlecdn::sim
