#pragma once
// When each peer's TURN credentials are renewed. Every peer's credentials live equally long, so
// renewals fall due in the order they were issued: a FIFO looked at only at its front costs nothing
// per idle peer per tick. An entry carries the serial of the issue it belongs to; one whose peer
// has left or was issued newer credentials since (a second welcome, a resumed id) is skipped when
// it comes up, and such stale entries are compacted away once they outnumber the live ones.
#include <chrono>
#include <cstdint>
#include <deque>

#include "core/peer_id.hpp"

namespace circlecdn::signal {

class ice_renewals {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  struct entry {
    time_point due;
    peer_id peer;
    std::uint64_t serial;
  };

  // `live`: how many entries can still be current (peers online). `is_stale(entry)` tells the
  // others.
  template <class IsStale>
  void push(const entry& e, std::size_t live, IsStale&& is_stale) {
    queue_.push_back(e);
    if (queue_.size() > 2 * live + compact_slack) std::erase_if(queue_, is_stale);
  }
  // Calls f(entry) for every entry due at `now`, oldest first; f may push (due later than now).
  template <class F>
  void pop_due(time_point now, F&& f) {
    while (!queue_.empty() && queue_.front().due <= now) {
      auto e = queue_.front();
      queue_.pop_front();
      f(e);
    }
  }
  std::size_t size() const { return queue_.size(); }

 private:
  static constexpr std::size_t compact_slack = 64;
  std::deque<entry> queue_;
};

}  // namespace circlecdn::signal
