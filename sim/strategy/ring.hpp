#pragma once
// `ring`: the original design. The server keeps peers on one ring (each peer has a serving and a
// served neighbour, joined by open DataChannels); a request travels successor by successor until
// a holder with a free upload slot answers, it comes back to its sender, or its deadline passes.
// The wanter then asks the origin with a miss token. The server only splices the ring on joins
// and leaves and brokers the holder-to-wanter connection.
#include <vector>

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
  void on_stored(peer_index, resource_index, double) override {}

  peer_index successor(peer_index p) const { return succ_[p]; }
  peer_index predecessor(peer_index p) const { return pred_[p]; }
  double link_up_s(peer_index p) const { return link_up_s_[p]; }

 private:
  strategy_context ctx_;
  std::uint32_t max_hops_;
  std::vector<peer_index> succ_, pred_;
  std::vector<double> link_up_s_;  // when p's link to succ_[p] carries messages
};

}  // namespace circlecdn::sim
