#pragma once
// `chord`: peers sit on a Chord ring (Stoica et al. 2001) joined by DataChannels to their
// fingers and successors; a resource's provider records live at the successor of its hash; a
// lookup is routed recursively through fingers in O(log N) hops and the reply retraces the path.
// The server only bootstraps joins and brokers connections (fingers and holder channels).
//
// Maintenance is modelled exactly but lazily: every peer refreshes its fingers once per
// `chord_fix_period_s` and its successor list once per `chord_stabilise_period_s`, each refresh
// returning the true successor as of that instant. A finger is computed only when a lookup needs
// it, from the id circle as it was at the peer's last scheduled refresh (departed members stay on
// the circle until their slot is released), so routing sees exactly the stale and dead pointers a
// real run would. What a refresh costs (connections, server and peer messages) is measured on a
// sample of probe peers that refresh eagerly, and scaled.
#include <bit>
#include <vector>

#include "strategy/holder_directory.hpp"
#include "strategy/id_ring.hpp"
#include "strategy/strategy.hpp"

namespace circlecdn::sim {

class chord final : public strategy {
 public:
  struct route_result {
    lookup_outcome outcome = lookup_outcome::failed_churn;
    peer_index owner = no_peer;
    double owner_s = 0;     // the request reaches the owner
    double answered_s = 0;  // the reply reaches the sender (for a failure: the deadline)
    std::uint32_t hops = 0;
    std::uint32_t timeouts = 0;
  };

  explicit chord(strategy_context ctx);
  const char* name() const override { return "chord"; }
  void grow(std::size_t slots) override;
  void on_join(peer_index p, double now) override;
  void on_leave(peer_index p, double now) override;
  void on_release(peer_index p) override { ring_.erase(p); }
  void on_timer(peer_index p, double now) override;
  lookup_result lookup(peer_index wanter, resource_index r, double now, double deadline_s) override;
  bool routes_ahead() const override { return true; }
  void route_ahead(const lookup_query* q, std::size_t n) override;
  void prefetch_lookup(peer_index w, resource_index r) override {
    // The lookup before it draws from the stream once or not at all.
    records_.prefetch(r, records_returned_, ctx_.random, 0);
    records_.prefetch(r, records_returned_, ctx_.random, 1);
    ctx_.peers.prefetch(w);
  }
  void on_stored(peer_index p, resource_index r, double available_s) override;
  double keep_s() const override;
  std::uint32_t routing_connections(peer_index p) const override;
  void warm_start_placed(double now) override;
  void finish(double end_s) override;

  // Routes a message for `key` from `from`, starting at `now`.
  route_result route(peer_index from, std::uint32_t key, double now, double deadline_s);
  // Routes these messages as route() would, advancing up to max_interleaved of them in turn so
  // that their cache misses overlap. The routes see the same circle, so order does not matter.
  struct route_request {
    peer_index from;
    std::uint32_t key;
    double now, deadline_s;
  };
  static constexpr std::size_t max_interleaved = 16;
  void route_together(const route_request* q, route_result* out, std::size_t n);
  const id_ring& circle() const { return ring_; }
  std::uint32_t id(peer_index p) const { return ring_.id(p); }
  unsigned fingers() const { return fingers_; }
  // For tests: place a peer at a chosen id (call instead of the random choice in on_join).
  void set_next_id(std::uint32_t id) {
    forced_id_ = id;
    has_forced_id_ = true;
  }

 private:
  enum class hop_check { usable, skip, timeout };
  // A route in progress: route() is route_begin, then route_step until done. A step ends where
  // the route has just started the cache misses its next step takes.
  enum class route_stage : std::uint8_t {
    at_peer,  // at p: pick the closest preceding finger
    finger,   // trying p's finger j (down to the successors if none precedes the key)
    check,    // is the candidate `next` still there?
  };
  struct route_state {
    route_result res;
    std::uint32_t key = 0;
    double now = 0, deadline_s = 0;
    peer_index p = no_peer;
    std::uint32_t idp = 0;  // p's id, carried from hop to hop: no miss on the member record
    double t = 0;
    double back = 0;  // the reply retraces the path
    unsigned step = 0;
    bool done = false;
    route_stage stage = route_stage::at_peer;
    int j = 0;                      // the finger being tried
    peer_index rejected = no_peer;  // the last finger found unusable at p
    peer_index next = no_peer;      // the candidate next hop, and its id
    std::uint32_t idn = 0;
  };
  struct prepared {
    peer_index wanter;
    resource_index r;
    double now, deadline_s;
    route_result result;
  };
  void route_begin(route_state& s, peer_index from, std::uint32_t key, double now,
                   double deadline_s);
  // Advances the route until it has started the misses of its next step (or ends).
  void route_step(route_state& s);
  // p goes on to `next`; `final`: next owns the key.
  void route_hop(route_state& s, bool final);
  // No finger precedes the key: the successor, or the successor list.
  void route_last(route_state& s);
  void route_fail(route_state& s) const;
  void route_arrive(route_state& s) const;
  route_result prepared_route(peer_index w, resource_index r, double now, double deadline_s);
  // The highest finger of a peer at distance d before the key that can precede it (-1: none).
  int first_finger(std::uint32_t d) const {
    return static_cast<int>(std::bit_width(d - 1)) - 1 - static_cast<int>(32 - fingers_);
  }
  std::uint32_t epoch(peer_index p, double t, double period) const;
  // Finger j of p as of its last refresh before t, and its id in `id_out`. A refresh after
  // `seen_s` is not kept in the table (see finger()).
  peer_index finger(peer_index p, std::uint32_t idp, unsigned j, double t, double seen_s,
                    std::uint32_t& id_out);
  peer_index successor(peer_index p, std::uint32_t idp, double t, double seen_s,
                       std::uint32_t& id_out);
  unsigned successor_list(peer_index p, double t, peer_index* out);
  hop_check check_hop(peer_index from, peer_index to, double t) const;
  void probe_refresh(peer_index p, double t);
  void maintenance_messages(peer_index p, double until);

  struct probe {
    std::uint32_t uid = 0;
    double next_s = 0;
    std::uint32_t opened = 0;
    std::vector<std::uint32_t> targets;  // uids of fingers and successors, sorted
  };

  strategy_context ctx_;
  unsigned fingers_;
  double fix_s_, stabilise_s_, hop_timeout_s_, republish_s_;
  unsigned successors_, records_returned_, holder_tries_;
  id_ring ring_;
  holder_directory records_;
  // A finger as of its last refresh; `epoch` numbers the refresh (all-ones: never).
  struct finger_entry {
    peer_index slot;
    std::uint32_t id;
    std::uint32_t epoch;
  };
  big_vector<finger_entry> fingers_table_;
  struct successor_entry {
    peer_index slot;
    std::uint32_t id;
    std::uint32_t epoch;
  };
  big_vector<successor_entry> successor_table_;
  std::vector<std::uint32_t> probe_of_;
  std::vector<probe> probes_;
  std::vector<std::uint32_t> free_probes_;
  std::vector<prepared> prepared_;
  std::vector<route_request> requests_;
  std::vector<route_result> results_;
  std::size_t next_prepared_ = 0;
  std::uint32_t last_hops_ = 0;
  std::uint32_t forced_id_ = 0;
  bool has_forced_id_ = false;
};

}  // namespace circlecdn::sim
