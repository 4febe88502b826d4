#pragma once
// The holder policy, as a pure function so it is tested on its own: which of a hash's holders
// serves a want. Filters: not the wanter, not opted out or at its upload cap, not penalised.
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
};

struct choice {
  std::optional<std::size_t> index;           // into the candidates
  miss_reason miss = miss_reason::no_holder;  // when no index: all_busy (retry later) or no_holder
};

// `random`: any random number; it breaks ties among equally ranked holders, uniformly.
choice choose_holder(std::span<const candidate> candidates, const peer_id& wanter,
                     std::uint64_t random);

}  // namespace circlecdn::swarm
