#pragma once
// The simulator's event queue: a calendar of one-second buckets in front of 4-ary min-heaps of
// compact 16-byte records.
//
// PeerSim (edsim/Heap.java) keeps its queue as parallel arrays to avoid one object per event. We
// keep the same "no object per event" rule but pack each event into one 16-byte record (time,
// then a tag holding sequence, kind and peer). Ties in time are broken by the sequence number:
// first pushed, first popped, so a run is repeatable without drawing random bits.
//
// A single heap of a million pending events misses the cache on every level of every pop. So
// only the events of the current bucket (`bucket_s` wide, a few thousand at a time) are kept in
// a heap; later ones wait unsorted in their bucket (an append), and events beyond the calendar's
// horizon in a second heap. Pops come out in exactly the order one heap would give: the order
// is (time, tag), total, whatever holds the events.
#include <cstdint>
#include <vector>

namespace circlecdn::sim {

// One popped event. `kind` is the model's own enumeration; the engine does not interpret it.
struct event {
  double time_s = 0;
  std::uint8_t kind = 0;
  std::uint32_t peer = 0;
};

class event_queue {
 public:
  explicit event_queue(double bucket_s = 1.0);
  // kind must fit in 3 bits (0..7).
  void push(double time_s, std::uint8_t kind, std::uint32_t peer);
  event pop();
  double next_time_s() const { return near_.top().time_s; }
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  void reserve(std::size_t n) { near_.reserve(n / 64 + 16); }

 private:
  // tag = sequence (29 bits, wraps; still deterministic) << 35 | kind << 32 | peer.
  struct node {
    double time_s;
    std::uint64_t tag;
  };
  static bool before(const node& a, const node& b) {
    return a.time_s < b.time_s || (a.time_s == b.time_s && a.tag < b.tag);
  }
  // A 4-ary min-heap: the four children a pop compares sit in one 64-byte cache line.
  class heap {
   public:
    void push(node n);
    node pop();
    const node& top() const { return v_.front(); }
    bool empty() const { return v_.empty(); }
    void reserve(std::size_t n) { v_.reserve(n); }
    // Takes b's nodes (this heap must be empty) and leaves b empty with this heap's storage.
    void adopt(std::vector<node>& b);

   private:
    void sift_down(std::size_t i, node n);
    std::vector<node> v_;
  };

  static constexpr std::size_t calendar = 8192;  // buckets; a power of two
  std::int64_t index_of(double time_s) const;
  void place(node n);
  void advance();

  double per_bucket_;  // 1 / bucket width
  std::int64_t current_ = 0;
  heap near_;                              // events of bucket `current_` (or earlier)
  std::vector<std::vector<node>> bucket_;  // bucket i holds index i mod calendar
  std::vector<std::uint64_t> nonempty_;
  heap far_;  // events at or past current_ + calendar
  std::size_t count_ = 0;
  std::uint64_t sequence_ = 0;
};

}  // namespace circlecdn::sim
