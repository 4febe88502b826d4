#include "swarm/holder_policy.hpp"

#include <tuple>

namespace circlecdn::swarm {

choice choose_holder(std::span<const candidate> candidates, const peer_id& wanter,
                     std::uint64_t random) {
  std::optional<std::size_t> best;
  std::uint64_t ties = 0;    // equally ranked holders seen so far (reservoir sampling)
  bool anyone_busy = false;  // only holders at their upload cap make a want worth retrying
  auto rank = [](const candidate& c) {
    // Smaller is better in every position.
    return std::tuple(c.suspect, c.uploads_in_flight, !c.paired_with_wanter,
                      -static_cast<std::int64_t>(c.uploads_completed));
  };
  auto next_random = [&random] {  // splitmix64: one seed gives every tie its own draw
    random += 0x9e3779b97f4a7c15ULL;
    auto z = random;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  auto eligible = [&](const candidate& c) {
    return c.id != wanter && !c.penalised && c.max_uploads != 0;
  };
  bool unaccused_exists = false;
  for (const auto& c : candidates) unaccused_exists |= eligible(c) && !c.accused;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    if (!eligible(c) || (c.accused && unaccused_exists)) continue;
    if (c.uploads_in_flight >= c.max_uploads) {
      anyone_busy = true;
      continue;
    }
    if (!best || rank(c) < rank(candidates[*best])) {
      best = i;
      ties = 1;
    } else if (rank(c) == rank(candidates[*best]) && next_random() % ++ties == 0) {
      best = i;  // the k-th equal replaces the choice with probability 1/k: uniform among equals
    }
  }
  if (best) return {best, {}};
  return {std::nullopt, anyone_busy ? miss_reason::all_busy : miss_reason::no_holder};
}

unheld_answer answer_unheld(const unheld_facts& facts, std::size_t claims_per_peer) {
  if (facts.fetched_by_other) return unheld_answer::fetching;
  // A claim is worth squatting on (one connection wanting every hash made honest visitors wait
  // 12 s per item), so it is bounded per peer, never extended and never made twice.
  if (!facts.wanter_uploads || facts.wanter_claimed_before ||
      facts.wanter_live_claims >= claims_per_peer)
    return unheld_answer::no_holder;
  return unheld_answer::no_holder_claim;
}

}  // namespace circlecdn::swarm
