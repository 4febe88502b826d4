#pragma once
// `tracker` (the default): the server keeps the directory and answers "who has X" in one round
// trip, choosing a holder by the policy of docs/protocol.md.
#include "strategy/holder_directory.hpp"
#include "strategy/strategy.hpp"

namespace circlecdn::sim {

class tracker final : public strategy {
 public:
  explicit tracker(strategy_context ctx);
  const char* name() const override { return "tracker"; }
  void grow(std::size_t) override {}
  void on_join(peer_index p, double now) override;
  void on_leave(peer_index p, double now) override;
  lookup_result lookup(peer_index wanter, resource_index r, double now, double deadline_s) override;
  void on_stored(peer_index p, resource_index r, double available_s) override;

 private:
  strategy_context ctx_;
  holder_directory directory_;
  std::uint32_t sample_;
};

}  // namespace circlecdn::sim
