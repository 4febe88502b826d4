#include "engine/event_queue.hpp"

namespace circlecdn::sim {

namespace {
constexpr std::uint64_t sequence_mask = (std::uint64_t{1} << 29) - 1;
}

void event_queue::push(double time_s, std::uint8_t kind, std::uint32_t peer) {
  const node n{time_s, ((sequence_++ & sequence_mask) << 35) |
                           (static_cast<std::uint64_t>(kind & 7u) << 32) | peer};
  std::size_t i = heap_.size();
  heap_.push_back(n);
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!before(n, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = n;
}

event event_queue::pop() {
  const node top = heap_.front();
  const node last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0, last);
  return event{top.time_s, static_cast<std::uint8_t>((top.tag >> 32) & 7u),
               static_cast<std::uint32_t>(top.tag)};
}

void event_queue::sift_down(std::size_t i, node n) {
  const std::size_t count = heap_.size();
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= count) break;
    std::size_t best = first;
    const std::size_t end = first + 4 < count ? first + 4 : count;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    if (!before(heap_[best], n)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = n;
}

}  // namespace circlecdn::sim
