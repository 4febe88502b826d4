#include "engine/event_queue.hpp"

#include <bit>
#include <cmath>

namespace circlecdn::sim {

namespace {
constexpr std::uint64_t sequence_mask = (std::uint64_t{1} << 29) - 1;
constexpr double index_limit = 4.0e18;
}  // namespace

void event_queue::heap::push(node n) {
  std::size_t i = v_.size();
  v_.push_back(n);
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!before(n, v_[parent])) break;
    v_[i] = v_[parent];
    i = parent;
  }
  v_[i] = n;
}

event_queue::node event_queue::heap::pop() {
  const node top = v_.front();
  const node last = v_.back();
  v_.pop_back();
  if (!v_.empty()) sift_down(0, last);
  return top;
}

void event_queue::heap::adopt(std::vector<node>& b) {
  v_.swap(b);
  const std::size_t n = v_.size();
  if (n < 2) return;
  for (std::size_t i = (n - 2) / 4 + 1; i-- > 0;) sift_down(i, v_[i]);
}

void event_queue::heap::sift_down(std::size_t i, node n) {
  const std::size_t count = v_.size();
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= count) break;
    std::size_t best = first;
    const std::size_t end = first + 4 < count ? first + 4 : count;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(v_[c], v_[best])) best = c;
    }
    if (!before(v_[best], n)) break;
    v_[i] = v_[best];
    i = best;
  }
  v_[i] = n;
}

event_queue::event_queue(double bucket_s)
    : per_bucket_(1.0 / bucket_s), bucket_(calendar), nonempty_(calendar / 64, 0) {}

std::int64_t event_queue::index_of(double time_s) const {
  const double x = std::floor(time_s * per_bucket_);
  if (!(x < index_limit)) return static_cast<std::int64_t>(index_limit);  // also NaN
  if (x < -index_limit) return -static_cast<std::int64_t>(index_limit);
  return static_cast<std::int64_t>(x);
}

void event_queue::place(node n) {
  const std::int64_t i = index_of(n.time_s);
  if (i <= current_) {
    near_.push(n);
  } else if (i - current_ < static_cast<std::int64_t>(calendar)) {
    const std::size_t b = static_cast<std::size_t>(i) & (calendar - 1);
    bucket_[b].push_back(n);
    nonempty_[b >> 6] |= std::uint64_t{1} << (b & 63);
  } else {
    far_.push(n);
  }
}

void event_queue::push(double time_s, std::uint8_t kind, std::uint32_t peer) {
  place(node{time_s, ((sequence_++ & sequence_mask) << 35) |
                         (static_cast<std::uint64_t>(kind & 7u) << 32) | peer});
  ++count_;
  if (near_.empty()) advance();
}

event event_queue::pop() {
  const node top = near_.pop();
  --count_;
  if (near_.empty() && count_ > 0) advance();
  return event{top.time_s, static_cast<std::uint8_t>((top.tag >> 32) & 7u),
               static_cast<std::uint32_t>(top.tag)};
}

// near_ is empty: move to the first non-empty bucket (or the far heap's first event) and load
// it into near_.
void event_queue::advance() {
  // The calendar's buckets after current_, in order: slots current_+1 .. current_+calendar-1.
  std::int64_t next = -1;
  const std::size_t start = static_cast<std::size_t>(current_ + 1) & (calendar - 1);
  for (std::size_t scanned = 0; scanned < calendar - 1;) {
    const std::size_t b = (start + scanned) & (calendar - 1);
    const std::uint64_t bits = nonempty_[b >> 6] >> (b & 63);
    if (bits != 0) {
      const std::size_t skip = static_cast<std::size_t>(std::countr_zero(bits));
      if (scanned + skip < calendar - 1)
        next = current_ + 1 + static_cast<std::int64_t>(scanned + skip);
      break;
    }
    scanned += 64 - (b & 63);
  }
  if (next < 0) {
    if (far_.empty()) return;
    next = index_of(far_.top().time_s);
  }
  current_ = next;
  const std::size_t b = static_cast<std::size_t>(current_) & (calendar - 1);
  nonempty_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
  near_.adopt(bucket_[b]);
  while (!far_.empty() &&
         index_of(far_.top().time_s) - current_ < static_cast<std::int64_t>(calendar)) {
    place(far_.pop());
  }
}

}  // namespace circlecdn::sim
