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

  peer_index successor(peer_index p) const { return slot_[p].succ; }
  peer_index predecessor(peer_index p) const { return slot_[p].pred; }
  double link_up_s(peer_index p) const { return slot_[p].link_up_s; }

 private:
  // One record per slot: a hop reads one cache line for the ring and one for the peer.
  struct ring_slot {
    peer_index succ;
    peer_index pred;
    double link_up_s;  // when the link to succ carries messages
    // A 128-bit filter of what the peer holds (one bit per resource hash): most hops learn
    // "not here" without the holdings table. Cleared when the slot is reused.
    std::uint64_t held_filter[2];
  };
  static std::uint64_t filter_bit(resource_index r) { return std::uint64_t{1} << (mix32(r) & 63); }
  static unsigned filter_word(resource_index r) { return (mix32(r) >> 6) & 1; }

  strategy_context ctx_;
  std::uint32_t max_hops_;
  big_vector<ring_slot> slot_;
};

}  // namespace circlecdn::sim
