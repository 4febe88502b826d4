#pragma once
// `ring`: the original design. The server keeps peers on one ring (each peer has a serving and a
// served neighbour, joined by open DataChannels); a request travels successor by successor until
// a holder with a free upload slot answers, it comes back to its sender, or its deadline passes.
// The wanter then asks the origin with a miss token. The server only splices the ring on joins
// and leaves and brokers the holder-to-wanter connection.
#include "engine/big_vector.hpp"

#include "strategy/strategy.hpp"

namespace circlecdn::sim {

class ring final : public strategy {
 public:
  explicit ring(strategy_context ctx);
  const char* name() const override { return "ring"; }
  void grow(std::size_t slots) override;
  void on_join(peer_index p, double now) override;
  void on_leave(peer_index p, double now) override;
  lookup_result lookup(peer_index wanter, resource_index r, double now, double deadline_s) override;
  void on_stored(peer_index p, resource_index r, double available_s) override;

  peer_index successor(peer_index p) const { return slot_[p].ahead[0]; }
  peer_index predecessor(peer_index p) const { return slot_[p].pred; }
  double link_up_s(peer_index p) const { return slot_[p].link_up_s; }
  // The member i + 1 places after p, as p's record names it (for tests).
  peer_index ahead_of(peer_index p, unsigned i) const { return slot_[p].ahead[i]; }

  // Successors each record names: a lookup knows the next `lookahead` peers of its path and starts
  // their cache misses together instead of one after the other.
  static constexpr unsigned lookahead = 4;

 private:
  // One 64-byte record per slot holds everything a hop reads: the ring links, the link's state,
  // the filter of what the peer holds, and copies of its departure time and position (so a hop
  // costs one cache line, not one for the ring and one for the peer).
  struct alignas(64) ring_slot {
    double link_up_s;  // when the link to the successor carries messages
    double depart_s;   // copy of the population's
    // A 128-bit filter of what the peer holds (one bit per resource hash): most hops learn
    // "not here" without the holdings table. Cleared when the slot is reused.
    std::uint64_t held_filter[2];
    population::position at;  // copy of the population's
    peer_index pred;
    peer_index ahead[lookahead];  // ahead[i]: successor i + 1 places on (ahead[0] is the successor)
  };
  static_assert(sizeof(ring_slot) == 64);
  static std::uint64_t filter_bit(resource_index r) { return std::uint64_t{1} << (mix32(r) & 63); }
  static unsigned filter_word(resource_index r) { return (mix32(r) >> 6) & 1; }
  // Rewrites the `ahead` lists of the members up to `lookahead` places before `after`'s successor,
  // after a splice there (the successor links are already right; with `fresh_successor`, the
  // successor was just spliced in and its own list is written too).
  void refresh_ahead(peer_index after, bool fresh_successor);

  strategy_context ctx_;
  std::uint32_t max_hops_;
  big_vector<ring_slot> slot_;
  std::size_t members_ = 0;
};

}  // namespace circlecdn::sim
