#pragma once
// Fail fast: what the tracker remembers about peer paths that failed (docs/protocol.md, "Holder
// policy"). A wanter is not offered again a holder it could not reach (path_exclusions); a holder
// whose recent pairings mostly failed, as told by more than one wanter, is skipped for a while
// (holder_outcomes). Both are per connection and empty until the first outcome.
#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/peer_id.hpp"

namespace circlecdn::swarm {

namespace path_rules {
using namespace std::chrono_literals;
// A wanter skips a holder it failed with for this long: long enough to outlast a page's life, short
// enough that a NAT or firewall that changes gets another try.
constexpr auto exclusion_life = 10min;
// ...except after a `timeout`: the channel opened, so the holder is reachable, only slow or busy
// (WAN lab, loaded machine: a busy holder's channel was silent 3-6 s on a lossy path, and one such
// timeout kept a healthy holder from that wanter for the rest of its page). Short enough for the
// next items of the page, long enough that a silent holder costs a wanter one budget per minute.
constexpr auto timeout_exclusion_life = 1min;
// Holders one wanter excludes at once (oldest forgotten first): 24 bytes each.
constexpr std::size_t exclusions_per_wanter = 16;
// "Unreachable": among the holder's last `window` outcomes, at least `min_failures` failures from
// at least `min_failing_wanters` distinct wanters, and more failures than successes.
constexpr std::size_t window = 8;
constexpr std::uint32_t min_failures = 3;
constexpr std::uint32_t min_failing_wanters = 2;
constexpr auto unreachable_for = 5min;
}  // namespace path_rules

using path_clock = std::chrono::steady_clock;

// Holders one wanter is not offered again, each until its exclusion expires.
class path_exclusions {
 public:
  void add(const peer_id& holder, path_clock::time_point now,
           path_clock::duration life = path_rules::exclusion_life);
  bool contains(const peer_id& holder, path_clock::time_point now) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    peer_id holder;
    path_clock::time_point until;
  };
  std::vector<entry> entries_;  // no heap until the first failure
};

// The last outcomes of pairings with one holder, and whether it counts as unreachable.
class holder_outcomes {
 public:
  // Records the outcome of a pairing with `wanter`; returns true when this failure makes the holder
  // unreachable (it was not before).
  bool record(bool ok, const peer_id& wanter, path_clock::time_point now);
  bool unreachable(path_clock::time_point now) const { return unreachable_until_ > now; }

 private:
  struct outcome {
    peer_id wanter;
    bool failed = false;
  };
  std::array<outcome, path_rules::window> ring_{};
  std::uint8_t size_ = 0, next_ = 0;
  path_clock::time_point unreachable_until_{};
};

}  // namespace circlecdn::swarm
