// `want`: choose a holder (swarm/holder_policy.hpp) among the ledger's sample of the hash's
// holders (and, in a cluster, the other processes' holders), and pair them (match + push), or
// answer `miss` with a reason and a miss token. A ring or Chord `connect` (handlers/connect.cpp)
// comes through here too, with its one holder as the sample.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

bool tracker::is_paired(const peer_state& a, const peer_id& b, std::uint8_t kinds) const {
  return std::any_of(a.paired.begin(), a.paired.end(),
                     [&](auto& x) { return x.id == b && (x.kinds & kinds); });
}

void tracker::add_pairing(peer_state& a, const peer_id& b, std::uint8_t kind,
                          const peer_id& process) {
  auto it = std::find_if(a.paired.begin(), a.paired.end(), [&](auto& x) { return x.id == b; });
  if (it != a.paired.end()) {
    it->kinds |= kind;
    return;
  }
  if (a.paired.size() >= lim_.pairs_per_peer) {
    // The oldest pairing a want made goes; a routing connection stays relayable while it is open
    // (routing pairings are capped well below pairs_per_peer).
    auto old = std::find_if(a.paired.begin(), a.paired.end(),
                            [](auto& x) { return !(x.kinds & pairing_kind::routing); });
    a.paired.erase(old == a.paired.end() ? a.paired.begin() : old);
  }
  a.paired.push_back({b, 0, kind, process});
}

void tracker::pair(peer_state& a, peer_state& b) {
  add_pairing(a, b.id, pairing_kind::transfer);
  add_pairing(b, a.id, pairing_kind::transfer);
}

bool tracker::is_penalised(const peer_id& id, clock::time_point now) const {
  return penalties_.penalised(id, now);
}

// A holder this wanter failed to reach, or one that looks unreachable to everyone, is treated as
// if it did not hold the hash.
bool tracker::skipped_holder(const peer_state& wanter, const peer_state& holder,
                             clock::time_point now) const {
  return ledger_.excluded(wanter.id, holder.id, now) || ledger_.unreachable(holder.id, now);
}

swarm::fetch_bounds tracker::fetch_bounds() const {
  return {lim_.fetch_claims_per_peer, lim_.wants_in_flight * 4, lim_.incoming_max};
}

void tracker::count_miss(miss_reason reason) {
  ++counters_.misses;
  ++counters_.misses_by_reason[static_cast<std::size_t>(reason)];
}

void tracker::send_miss(peer_state& p, std::uint32_t id, const content_hash& hash,
                        miss_reason reason) {
  count_miss(reason);
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("event=miss peer={} hash={} reason={}", p.id.str(), hash.hex(),
                  to_string(reason));
  auto token = tokens_.miss_token(p.id, hash, token_signer::clock::now() + lim_.miss_token_life);
  p.link->deliver(make_miss(id, hash, token, reason));
}

bool tracker::admit_want_id(peer_state& p, std::uint32_t id, std::string_view ref,
                            clock::time_point now) {
  // Miss tokens asked for with `miss_token` count among the wants in flight until the origin sees
  // them or the want timeout passes; so do wants waiting for the cluster's answer.
  std::size_t pending_misses = 0;
  bool pending =
      std::find(p.wants_pending.begin(), p.wants_pending.end(), id) != p.wants_pending.end();
  if (p.routing) {
    auto& misses = p.routing->pending_misses;
    std::erase_if(misses, [&](auto& x) { return x.until <= now; });
    pending |= std::any_of(misses.begin(), misses.end(), [&](auto& x) { return x.id == id; });
    pending_misses = misses.size();
  }
  if (pending || ledger_.find_transfer(p.id, id)) {
    send_error(p, error_code::duplicate_id, "a want with this id is in flight", ref, {}, id);
    return false;
  }
  if (ledger_.wants_of(p.id) + p.wants_pending.size() + pending_misses >= lim_.wants_in_flight) {
    send_error(p, error_code::too_many_wants,
               "over " + std::to_string(lim_.wants_in_flight) + " wants in flight", ref, {}, id);
    return false;
  }
  return true;
}

tracker::gathered tracker::gather_local(peer_state& p, const content_hash& hash,
                                        const peer_id* only, clock::time_point now) {
  if (only) {
    // The holder the crowd found: judged as if the sample held only it (it must have announced
    // the hash to the server).
    sample_.clear();
    if (ledger_.holds(*only, hash)) sample_.push_back(*only);
  } else {
    ledger_.sample_holders(hash, lim_.holder_sample, sample_);
  }
  auto& candidates = candidates_;  // scratch reused across wants: no allocation per want
  auto& states = candidate_states_;
  candidates.clear();
  states.clear();
  // Out of new-holder budget: only holders this wanter already knows (browsing inference).
  gathered g;
  g.may_discover = p.discovery.available(lim_.new_holders_per_min, now);
  for (auto& id : sample_) {
    auto* h = online(id);
    if (!h) continue;
    if (h->closing || skipped_holder(p, *h, now)) continue;
    if (!g.may_discover && !is_paired(p, h->id)) {
      g.held_by_strangers = true;
      continue;
    }
    auto standing = penalties_.standing_of(h->id, now);
    // Only a want's pairing has a channel the transfer reuses (connect:false).
    candidates.push_back({h->id, ledger_.uploads_of(h->id), h->max_uploads, standing.penalised,
                          is_paired(p, h->id, pairing_kind::transfer), h->uploads_completed,
                          penalties_.suspect(h->address, now), standing.accused});
    states.push_back(h);
  }
  return g;
}

void tracker::on_want(peer_state& p, const want_msg& m, clock::time_point now) {
  ++counters_.wants;
  if (!admit_want_id(p, m.id, "want", now)) return;
  answer_want(p, m.id, m.hash, nullptr, now);
}

void tracker::answer_want(peer_state& p, std::uint32_t id, const content_hash& hash,
                          const peer_id* only, clock::time_point now) {
  const want_msg m{id, hash};
  // A hash this process's manifest disagrees with another's on (cluster/crowd_manifest.cpp) is
  // never paired on: the origin serves it.
  bool disputed = remote_ && remote_->disputed(m.hash);
  if (!known_hash_(m.hash) || disputed) {
    if (disputed) ++counters_.disputed_refusals;
    send_miss(p, m.id, m.hash, disputed ? miss_reason::no_holder : miss_reason::unknown_hash);
    return counters_.want_seconds.observe(
        std::max(0.0, std::chrono::duration<double>(clock::now() - now).count()));
  }
  auto g = gather_local(p, m.hash, only, now);
  auto pick = swarm::choose_holder(candidates_, p.id, tie_seed_++);
  // In a cluster, a want with no idle holder here asks the other processes (one round trip) and
  // is decided when they answer; a holder here with nothing in flight is as good as any. A ring
  // or Chord transfer named its holder, a peer of this process (each keeps its own crowd's
  // routing).
  if (!only && remote_ && remote_->up() &&
      (!pick.index || candidates_[*pick.index].uploads_in_flight > 0 ||
       candidates_[*pick.index].suspect)) {
    ++counters_.remote_asks;
    p.wants_pending.push_back(m.id);
    remote_->sample_holders(
        m.hash, p.id, lim_.holder_sample,
        [this, wanter = p.id, m, now](auto found) { continue_want(wanter, m, found, now); });
    return;
  }
  decide(p, m, pick, g.held_by_strangers, now, now);
}

// The cluster answered (or not: `found` is then empty). The wanter may have left, and the local
// holders may have changed, while Redis answered: everything is looked at again.
void tracker::continue_want(const peer_id& wanter, const want_msg& m,
                            std::span<const swarm::remote_holder> found, clock::time_point asked) {
  auto* p = online(wanter);
  if (!p) return;
  auto pending = std::find(p->wants_pending.begin(), p->wants_pending.end(), m.id);
  if (pending == p->wants_pending.end()) return;
  p->wants_pending.erase(pending);
  if (p->closing) return;
  auto now = clock::now();
  auto g = gather_local(*p, m.hash, nullptr, now);
  remote_processes_.clear();
  for (const auto& r : found) {
    if (online(r.policy.id) || r.unreachable || ledger_.excluded(p->id, r.policy.id, now)) continue;
    bool paired = is_paired(*p, r.policy.id);
    if (!g.may_discover && !paired) {
      g.held_by_strangers = true;
      continue;
    }
    candidates_.push_back(r.policy);
    candidates_.back().paired_with_wanter = is_paired(*p, r.policy.id, pairing_kind::transfer);
    // Its process's view of its standing, and this one's: a report made here (its wanters are
    // this process's peers) penalises it here first.
    auto standing = penalties_.standing_of(r.policy.id, now);
    candidates_.back().penalised |= standing.penalised;
    candidates_.back().accused |= standing.accused;
    candidate_states_.push_back(nullptr);
    remote_processes_.push_back(r.process);
  }
  auto pick = swarm::choose_holder(candidates_, p->id, tie_seed_++);
  decide(*p, m, pick, g.held_by_strangers, asked, now);
}

void tracker::decide(peer_state& p, const want_msg& m, const swarm::choice& pick,
                     bool held_by_strangers, clock::time_point asked, clock::time_point now) {
  // The time from the frame's arrival to this want's answer.
  struct decision_timer {
    metrics::histogram& h;
    clock::time_point from;
    ~decision_timer() {
      h.observe(std::max(0.0, std::chrono::duration<double>(clock::now() - from).count()));
    }
  } timer{counters_.want_seconds, asked};
  if (!pick.index) {
    if (held_by_strangers) return send_miss(p, m.id, m.hash, miss_reason::holder_rate);
    if (pick.miss != miss_reason::no_holder) return send_miss(p, m.id, m.hash, pick.miss);
    // Nobody holds it: the fetching rule (swarm::answer_unheld, which the simulator calls too)
    // says whether to wait for another peer's origin fetch or to become the one fetching.
    swarm::unheld_facts facts;
    auto fetcher = ledger_.fetcher(m.hash, now);
    facts.fetched_by_other = fetcher && *fetcher != p.id && online(*fetcher);
    // A peer that uploads nothing (opted out, GPC, a hidden tab, its budget spent) will not serve
    // what it fetches: nobody should wait for it.
    facts.wanter_uploads = p.max_uploads > 0;
    auto claims = ledger_.fetch_claims_of(p.id, m.hash, now);
    facts.wanter_claimed_before = claims.claimed_before;
    facts.wanter_live_claims = claims.live;
    switch (swarm::answer_unheld(facts, lim_.fetch_claims_per_peer)) {
      case swarm::unheld_answer::fetching:
        return send_miss(p, m.id, m.hash, miss_reason::fetching);
      case swarm::unheld_answer::no_holder_claim:
        ledger_.claim_fetch(p.id, m.hash, now, now + lim_.fetch_grace, fetch_bounds());
        return send_miss(p, m.id, m.hash, miss_reason::no_holder);
      case swarm::unheld_answer::no_holder:
        return send_miss(p, m.id, m.hash, miss_reason::no_holder);
    }
  }

  auto* chosen = candidate_states_[*pick.index];
  if (!chosen)
    return match_remote(
        p, m, candidates_[*pick.index],
        remote_processes_[*pick.index - (candidates_.size() - remote_processes_.size())], now);
  auto& holder = *chosen;
  bool connect = !candidates_[*pick.index].paired_with_wanter;
  if (connect) p.discovery.take();
  pair(p, holder);
  if (!p.pairings) p.pairings = std::make_unique<pairing_log>();
  p.pairings->matched(holder.id, m.hash);
  ledger_.open_transfer({p.id, m.id, m.hash, holder.id, now + lim_.want_timeout});
  note_holder(holder.id);
  ++counters_.matches;
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("event=pairing wanter={} holder={} hash={} connect={}", p.id.str(),
                  holder.id.str(), m.hash.hex(), connect);
  p.link->deliver(make_match(m.id, m.hash, holder.id, connect));
  holder.link->deliver(make_push(m.id, m.hash, p.id, connect));
}

// The holder is another process's peer: the wanter is told now, the holder's process is ordered
// to push. If it cannot (the holder left, or filled its slots meanwhile), it answers `refuse` and
// the wanter gets a `cancel` (handlers/orders.cpp).
void tracker::match_remote(peer_state& p, const want_msg& m, const swarm::candidate& c,
                           const peer_id& process, clock::time_point now) {
  bool connect = !c.paired_with_wanter;
  if (connect) p.discovery.take();
  add_pairing(p, c.id, pairing_kind::transfer, process);
  if (!p.pairings) p.pairings = std::make_unique<pairing_log>();
  p.pairings->matched(c.id, m.hash);
  ledger_.open_transfer({p.id, m.id, m.hash, c.id, now + lim_.want_timeout, process});
  ++counters_.matches;
  ++counters_.remote_matches;
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("event=pairing wanter={} holder={} hash={} connect={} process={}", p.id.str(),
                  c.id.str(), m.hash.hex(), connect, process.str());
  p.link->deliver(make_match(m.id, m.hash, c.id, connect));
  auto o = order_of(order_kind::push, p.id, c.id, m.id, m.hash, connect);
  if (send_order(process, o)) return;
  // Redis went away since the choice: the want ends at once, as if the holder had left.
  ledger_.close_transfer(p.id, m.id);
  release_remote(c.id);
  p.link->deliver(make_cancel(m.id, m.hash, c.id, "wanter", "peer_gone"));
}

}  // namespace circlecdn::signal
