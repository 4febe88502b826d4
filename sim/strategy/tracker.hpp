#pragma once
// `tracker` (the default): the server keeps the directory and answers "who has X" in one round
// trip. The choice among holders and the `fetching` rule are the server's own functions
// (swarm::choose_holder, swarm::answer_unheld in server/src/swarm/holder_policy.hpp), and the
// sample size, fetch grace and claim caps are the server's defaults (signal::limits): this
// strategy only gathers the facts they take from the simulated crowd.
#include <vector>

#include "engine/big_vector.hpp"
#include "strategy/holder_directory.hpp"
#include "strategy/strategy.hpp"
#include "swarm/holder_policy.hpp"

namespace circlecdn::sim {

class tracker final : public strategy {
 public:
  explicit tracker(strategy_context ctx);
  const char* name() const override { return "tracker"; }
  void grow(std::size_t slots) override;
  void on_join(peer_index p, double now) override;
  void on_leave(peer_index p, double now) override;
  lookup_result lookup(peer_index wanter, resource_index r, double now, double deadline_s) override;
  void on_stored(peer_index p, resource_index r, double available_s) override;
  void on_served(peer_index h, double end_s) override;

 private:
  // A peer told `no_holder` for r and fetching it from the origin (the server's `incoming_`).
  struct claim {
    peer_index fetcher = no_peer;
    std::uint32_t uid = 0;
    double until = 0;  // the grace's end, or the fetcher's announce if earlier
  };
  enum class answer : std::uint8_t { hit, miss, fetching };
  answer ask(peer_index w, resource_index r, double at_server, peer_index& holder);
  bool claim_live(const claim& c, double t) const;

  strategy_context ctx_;
  holder_directory directory_;
  std::uint32_t sample_;
  double retry_s_;
  big_vector<std::uint32_t> served_;  // uploads completed this session (done ok:true)
  std::vector<claim> claims_;         // per resource
  // Per peer slot, the resources it claimed (the server's peer_state::fetching), empty until used.
  std::vector<std::vector<resource_index>> claimed_;
  std::vector<swarm::candidate> candidates_;  // scratch reused across wants
  std::vector<peer_index> slots_;
};

}  // namespace circlecdn::sim
