#pragma once
// The one narrow interface every routing strategy implements (PeerSim's "process this event at
// this node", specialised to what a CDN crowd does): peers join and leave, a peer looks up a
// resource, a peer stores one. A strategy counts its own server and peer messages.
#include <cstdint>
#include <functional>

#include "engine/rng.hpp"
#include "model/catalogue.hpp"
#include "model/connections.hpp"
#include "model/holdings.hpp"
#include "model/population.hpp"
#include "model/scenario.hpp"
#include "model/uplinks.hpp"
#include "observe/metrics.hpp"

namespace circlecdn::sim {

enum class lookup_outcome : std::uint8_t {
  found,            // `holder` will push the bytes
  not_found,        // nobody reachable and free holds it: the origin, with a miss token
  failed_churn,     // a message was lost to a departed peer or a link under repair
  failed_deadline,  // the answer would come after the deadline
};

struct lookup_result {
  lookup_outcome outcome = lookup_outcome::not_found;
  peer_index holder = no_peer;
  double answered_s = 0;   // when the wanter knows (for a failure: its deadline)
  std::uint32_t hops = 0;  // peer-to-peer hops of the lookup (0 for the tracker)
};

// A lookup about to be made (see strategy::route_ahead).
struct lookup_query {
  peer_index wanter;
  resource_index r;
  double now, deadline_s;
};

// What a strategy may read and write. All references outlive the strategy.
struct strategy_context {
  const scenario& cfg;
  const catalogue& site;
  population& peers;
  holdings& held;
  connections& links;
  uplinks& uploads;
  metrics& stats;
  rng& random;  // the strategy's own stream
  std::function<void(peer_index, double)> schedule_timer;
  double probe_weight = 1;  // 1 / fraction of peers that are probes
};

class strategy {
 public:
  virtual ~strategy() = default;
  virtual const char* name() const = 0;
  virtual void grow(std::size_t slots) = 0;
  virtual void on_join(peer_index p, double now) = 0;
  // Called while p's holdings are still listed.
  virtual void on_leave(peer_index p, double now) = 0;
  // The slot is about to be reused; forget it.
  virtual void on_release(peer_index) {}
  virtual void on_timer(peer_index, double) {}
  virtual lookup_result lookup(peer_index wanter, resource_index r, double now,
                               double deadline_s) = 0;
  // A strategy whose routes depend only on who is on-line when (not on what the other lookups
  // found) may be handed the next lookups before they are made, all issued while no peer
  // joined: it may route them together (their cache misses overlapped) and answer lookup() for
  // them from what it found. The world makes the same lookups afterwards, in the same order,
  // dropping some (the wanter got the resource meanwhile).
  virtual bool routes_ahead() const { return false; }
  virtual void route_ahead(const lookup_query*, std::size_t) {}
  // The lookup after the one about to be made: start its cache misses.
  virtual void prefetch_lookup(peer_index, resource_index) {}
  // The wanter will hold r from available_s on (its download completes then).
  virtual void on_stored(peer_index p, resource_index r, double available_s) = 0;
  // Holder h's push to a wanter was scheduled and will complete at end_s (the holder stays until
  // then): the tracker's policy ranks holders by uploads completed.
  virtual void on_served(peer_index /*h*/, double /*end_s*/) {}
  // How long a departed slot must stay readable (stale pointers to it may still be followed).
  virtual double keep_s() const { return 0; }
  // Connections a probe peer opened for routing (Chord fingers), besides data channels.
  virtual std::uint32_t routing_connections(peer_index) const { return 0; }
  // The warm-start crowd is in place (all of it joined before `now`): redo what was computed at
  // each join that should have seen the whole crowd; what the joins cost happened before t = 0
  // (the world forgets the messages counted so far).
  virtual void warm_start_placed(double /*now*/) {}
  // The run ends: account for peers still on-line.
  virtual void finish(double) {}
};

}  // namespace circlecdn::sim
