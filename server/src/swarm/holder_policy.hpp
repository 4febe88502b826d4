#pragma once
// The holder policy, as a pure function so it is tested on its own: which of a hash's holders
// serves a want. Filters: not the wanter, not opted out or at its upload cap, not penalised, not
// accused while an unaccused holder exists.
// Order: not a suspect, fewest uploads in flight, then already paired with the wanter (its channel
// is reused), then most uploads completed, then a random choice among equals. Completed uploads,
// not recent activity: any message refreshed activity, so 5 fake holders among 55 took 67 of 100
// matches by chatting; a completed upload needs the wanter's `done ok:true`.
#include <cstdint>
#include <optional>
#include <span>

#include "core/peer_id.hpp"
#include "swarm/miss_reason.hpp"

namespace circlecdn::swarm {

struct candidate {
  peer_id id;
  std::uint32_t uploads_in_flight = 0;
  std::uint32_t max_uploads = 0;  // 0 = opted out of uploading
  bool penalised = false;
  bool paired_with_wanter = false;
  std::uint32_t uploads_completed = 0;  // wants it served that ended in done ok:true
  // Connected from an address where a peer was penalised (swarm/penalties.hpp): chosen only when
  // no other holder is free, never excluded (many honest visitors can share one address).
  bool suspect = false;
  // Reported by a wanter and not penalised (the report was contradicted by a proof, so it may be
  // a Sybil's, or the holder lies on the wire while holding the bytes): offered only when no
  // unaccused holder has the hash at all, free or busy. A busy honest holder is worth a retry; an
  // accused one costs the wanter an item when it does lie.
  bool accused = false;
};

struct choice {
  std::optional<std::size_t> index;           // into the candidates
  miss_reason miss = miss_reason::no_holder;  // when no index: all_busy (retry later) or no_holder
};

// `random`: any random number; it breaks ties among equally ranked holders, uniformly.
choice choose_holder(std::span<const candidate> candidates, const peer_id& wanter,
                     std::uint64_t random);

// The `fetching` rule (docs/protocol.md, "Holder policy"), for a want that choose_holder answered
// `no_holder`: wait for another peer's origin fetch, or fetch from the origin and (maybe) become
// the hash's fetcher so later wanters wait for this one. The facts are the caller's (the server
// and the simulator keep claims in their own structures); the decision is this one function.
struct unheld_facts {
  // Another peer, on-line, claimed the hash less than the fetch grace (10 s) ago and has not
  // announced it yet. A claim of the wanter's own never makes it wait.
  bool fetched_by_other = false;
  bool wanter_uploads = true;  // max_uploads > 0: a peer that will not serve it never claims
  bool wanter_claimed_before = false;  // a claim is never extended nor made twice
  std::size_t wanter_live_claims = 0;  // its claims not yet expired nor announced
};
enum class unheld_answer : std::uint8_t {
  fetching,         // miss "fetching": ask again shortly
  no_holder_claim,  // miss "no_holder", and the wanter is now the hash's fetcher
  no_holder,        // miss "no_holder", nothing claimed
};
unheld_answer answer_unheld(const unheld_facts& facts, std::size_t claims_per_peer);

}  // namespace circlecdn::swarm
