#include "swarm/holder_policy.hpp"

#include <tuple>

namespace circlecdn::swarm {

choice choose_holder(std::span<const candidate> candidates, const peer_id& wanter) {
  std::optional<std::size_t> best;
  bool anyone_busy = false;  // only holders at their upload cap make a want worth retrying
  auto rank = [](const candidate& c) {
    // Smaller is better in every position.
    return std::tuple(c.uploads_in_flight, !c.paired_with_wanter,
                      -c.last_active.time_since_epoch().count());
  };
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    if (c.id == wanter) continue;
    if (c.penalised || c.max_uploads == 0) continue;
    if (c.uploads_in_flight >= c.max_uploads) {
      anyone_busy = true;
      continue;
    }
    if (!best || rank(c) < rank(candidates[*best])) best = i;
  }
  if (best) return {best, {}};
  return {std::nullopt, anyone_busy ? "all_busy" : "no_holder"};
}

}  // namespace circlecdn::swarm
