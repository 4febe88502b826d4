// `want`: choose a holder (swarm/holder_policy.hpp) among the ledger's sample of the hash's
// holders, and pair them (match + push), or answer `miss` with a reason and a miss token. A ring
// `connect` (handlers/connect.cpp) comes through here too, with its one holder as the sample.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

bool tracker::is_paired(const peer_state& a, const peer_id& b, std::uint8_t kinds) const {
  return std::any_of(a.paired.begin(), a.paired.end(),
                     [&](auto& x) { return x.id == b && (x.kinds & kinds); });
}

void tracker::add_pairing(peer_state& a, const peer_id& b, std::uint8_t kind) {
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
  a.paired.push_back({b, 0, kind});
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
  // them or the want timeout passes.
  std::size_t pending_misses = 0;
  bool pending = false;
  if (p.routing) {
    auto& misses = p.routing->pending_misses;
    std::erase_if(misses, [&](auto& x) { return x.until <= now; });
    pending = std::any_of(misses.begin(), misses.end(), [&](auto& x) { return x.id == id; });
    pending_misses = misses.size();
  }
  if (pending || ledger_.find_transfer(p.id, id)) {
    send_error(p, error_code::duplicate_id, "a want with this id is in flight", ref, {}, id);
    return false;
  }
  if (ledger_.wants_of(p.id) + pending_misses >= lim_.wants_in_flight) {
    send_error(p, error_code::too_many_wants,
               "over " + std::to_string(lim_.wants_in_flight) + " wants in flight", ref, {}, id);
    return false;
  }
  return true;
}

void tracker::on_want(peer_state& p, const want_msg& m, clock::time_point now) {
  ++counters_.wants;
  if (!admit_want_id(p, m.id, "want", now)) return;
  answer_want(p, m.id, m.hash, nullptr, now);
}

void tracker::answer_want(peer_state& p, std::uint32_t want_id, const content_hash& hash,
                          const peer_id* only, clock::time_point now) {
  // The time from the frame's arrival to this want's answer.
  struct decision_timer {
    metrics::histogram& h;
    clock::time_point from;
    ~decision_timer() {
      h.observe(std::max(0.0, std::chrono::duration<double>(clock::now() - from).count()));
    }
  } timer{counters_.want_seconds, now};
  auto miss = [&](miss_reason reason) { send_miss(p, want_id, hash, reason); };
  if (!known_hash_(hash)) return miss(miss_reason::unknown_hash);

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
  bool may_discover = p.discovery.available(lim_.new_holders_per_min, now);
  bool held_by_strangers = false;
  for (auto& id : sample_) {
    auto* h = online(id);
    if (!h) continue;  // a shared directory may know peers of other processes
    if (h->closing || skipped_holder(p, *h, now)) continue;
    if (!may_discover && !is_paired(p, h->id)) {
      held_by_strangers = true;
      continue;
    }
    auto standing = penalties_.standing_of(h->id, now);
    // Only a want's pairing has a channel the transfer reuses (connect:false).
    candidates.push_back({h->id, ledger_.uploads_of(h->id), h->max_uploads, standing.penalised,
                          is_paired(p, h->id, pairing_kind::transfer), h->uploads_completed,
                          penalties_.suspect(h->address, now), standing.accused});
    states.push_back(h);
  }
  auto pick = swarm::choose_holder(candidates, p.id, tie_seed_++);
  if (!pick.index) {
    if (held_by_strangers) return miss(miss_reason::holder_rate);
    if (pick.miss != miss_reason::no_holder) return miss(pick.miss);
    // Nobody holds it: the fetching rule (swarm::answer_unheld, which the simulator calls too)
    // says whether to wait for another peer's origin fetch or to become the one fetching.
    swarm::unheld_facts facts;
    auto fetcher = ledger_.fetcher(hash, now);
    facts.fetched_by_other = fetcher && *fetcher != p.id && online(*fetcher);
    // A peer that uploads nothing (opted out, GPC, a hidden tab, its budget spent) will not serve
    // what it fetches: nobody should wait for it.
    facts.wanter_uploads = p.max_uploads > 0;
    auto claims = ledger_.fetch_claims_of(p.id, hash, now);
    facts.wanter_claimed_before = claims.claimed_before;
    facts.wanter_live_claims = claims.live;
    switch (swarm::answer_unheld(facts, lim_.fetch_claims_per_peer)) {
      case swarm::unheld_answer::fetching:
        return miss(miss_reason::fetching);
      case swarm::unheld_answer::no_holder_claim:
        ledger_.claim_fetch(p.id, hash, now, now + lim_.fetch_grace, fetch_bounds());
        return miss(miss_reason::no_holder);
      case swarm::unheld_answer::no_holder:
        return miss(miss_reason::no_holder);
    }
  }

  auto& holder = *states[*pick.index];
  bool connect = !candidates[*pick.index].paired_with_wanter;
  if (connect) p.discovery.take();
  pair(p, holder);
  if (!p.pairings) p.pairings = std::make_unique<pairing_log>();
  p.pairings->matched(holder.id, hash);
  ledger_.open_transfer({p.id, want_id, hash, holder.id, now + lim_.want_timeout});
  ++counters_.matches;
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("event=pairing wanter={} holder={} hash={} connect={}", p.id.str(),
                  holder.id.str(), hash.hex(), connect);
  p.link->deliver(make_match(want_id, hash, holder.id, connect));
  holder.link->deliver(make_push(want_id, hash, p.id, connect));
}

}  // namespace circlecdn::signal
