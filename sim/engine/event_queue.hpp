#pragma once
// The simulator's event queue: a 4-ary min-heap of compact 16-byte records.
//
// PeerSim (edsim/Heap.java) keeps its queue as parallel arrays to avoid one object per event. We
// keep the same "no object per event" rule but pack each event into one 16-byte record (time,
// then a tag holding sequence, kind and peer), so the four children a 4-ary heap compares sit in
// one 64-byte cache line. Ties in time are broken by the sequence number: first pushed, first
// popped, so a run is repeatable without drawing random bits.
#include <cstdint>
#include <vector>

#include "engine/big_vector.hpp"

namespace circlecdn::sim {

// One popped event. `kind` is the model's own enumeration; the engine does not interpret it.
struct event {
  double time_s = 0;
  std::uint8_t kind = 0;
  std::uint32_t peer = 0;
};

class event_queue {
 public:
  // kind must fit in 3 bits (0..7).
  void push(double time_s, std::uint8_t kind, std::uint32_t peer);
  event pop();
  double next_time_s() const { return heap_.front().time_s; }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void reserve(std::size_t n) { heap_.reserve(n); }

 private:
  // tag = sequence (29 bits, wraps; still deterministic) << 35 | kind << 32 | peer.
  struct node {
    double time_s;
    std::uint64_t tag;
  };
  static bool before(const node& a, const node& b) {
    return a.time_s < b.time_s || (a.time_s == b.time_s && a.tag < b.tag);
  }
  void sift_down(std::size_t i, node n);

  big_vector<node> heap_;
  std::uint64_t sequence_ = 0;
};

}  // namespace circlecdn::sim
