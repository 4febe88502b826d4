#include "swarm/path_outcomes.hpp"

#include <algorithm>

namespace circlecdn::swarm {

void path_exclusions::add(const peer_id& holder, path_clock::time_point now,
                          path_clock::duration life) {
  auto until = now + life;
  std::erase_if(entries_, [&](const entry& e) { return e.until <= now || e.holder == holder; });
  if (entries_.size() >= path_rules::exclusions_per_wanter) entries_.erase(entries_.begin());
  entries_.push_back({holder, until});  // oldest first
}

bool path_exclusions::contains(const peer_id& holder, path_clock::time_point now) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const entry& e) { return e.holder == holder && e.until > now; });
}

bool holder_outcomes::record(bool ok, const peer_id& wanter, path_clock::time_point now) {
  ring_[next_] = {wanter, !ok};
  next_ = static_cast<std::uint8_t>((next_ + 1) % path_rules::window);
  if (size_ < path_rules::window) ++size_;
  if (ok || unreachable(now)) return false;
  std::uint32_t failures = 0;
  std::array<const peer_id*, path_rules::window> failing{};
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < size_; ++i) {
    if (!ring_[i].failed) continue;
    ++failures;
    auto* end = failing.begin() + distinct;
    if (std::find_if(failing.begin(), end, [&](auto* p) { return *p == ring_[i].wanter; }) == end)
      failing[distinct++] = &ring_[i].wanter;
  }
  auto successes = size_ - failures;
  if (failures < path_rules::min_failures || distinct < path_rules::min_failing_wanters ||
      failures <= successes)
    return false;
  unreachable_until_ = now + path_rules::unreachable_for;
  return true;
}

}  // namespace circlecdn::swarm
