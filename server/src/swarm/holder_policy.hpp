#pragma once
// The holder policy, as a pure function so it is tested on its own: which of a hash's holders
// serves a want. Filters: not the wanter, not opted out or at its upload cap, not penalised.
// Order: fewest uploads in flight, then already paired with the wanter (its channel is reused),
// then most recently active.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/peer_id.hpp"

namespace circlecdn::swarm {

struct candidate {
  peer_id id;
  std::uint32_t uploads_in_flight = 0;
  std::uint32_t max_uploads = 0;  // 0 = opted out of uploading
  bool penalised = false;
  bool paired_with_wanter = false;
  std::chrono::steady_clock::time_point last_active{};
};

struct choice {
  std::optional<std::size_t> index;  // into the candidates
  std::string_view miss_reason;      // when no index: "all_busy" (retry later) or "no_holder"
};

choice choose_holder(std::span<const candidate> candidates, const peer_id& wanter);

}  // namespace circlecdn::swarm
