#pragma once
// The visitors' world: arrivals (Poisson or a flash crowd), heavy-tailed sessions, page views
// that request Zipf-popular resources, and the bytes that follow a lookup (from a holder, or the
// origin). It drives the engine's queue and asks the chosen strategy only to route.
//
// A request is computed whole when it is issued: lookup, connection set-up, the holder's upload
// queue, a holder leaving mid-push, the wanter leaving before the end. That is exact because
// every departure time is known in advance; what it does not see are peers that arrive while
// the request is in flight (they could not have held the resource anyway).
#include <functional>
#include <memory>
#include <vector>

#include "engine/event_queue.hpp"
#include "engine/rng.hpp"
#include "model/catalogue.hpp"
#include "model/connections.hpp"
#include "model/holdings.hpp"
#include "model/population.hpp"
#include "model/scenario.hpp"
#include "model/uplinks.hpp"
#include "observe/metrics.hpp"
#include "observe/offload_limit.hpp"
#include "strategy/strategy.hpp"

namespace circlecdn::sim {

class world {
 public:
  using lookup_observer = std::function<void(peer_index wanter, resource_index r, double issued_s,
                                             double deadline_s, const lookup_result&)>;

  explicit world(const scenario& s);
  void set_lookup_observer(lookup_observer f) { observer_ = std::move(f); }
  void run();

  const scenario& config() const { return cfg_; }
  const metrics& stats() const { return stats_; }
  const offload_limit& limit() const { return limit_; }
  std::size_t peak_online() const { return peak_online_; }
  std::uint64_t events() const { return events_; }

 private:
  enum kind : std::uint8_t { arrival = 0, page_view = 1, departure = 2, timer = 3 };

  double session_s();
  double arrival_rate(double t) const;
  double next_rate_change(double t) const;
  double next_arrival(double t);
  void spawn(double now, double depart_s, bool view_now, double age_s);
  void view(peer_index p, double now);
  void request(peer_index w, resource_index r, double now);
  void leave(peer_index p, double now);
  void record_connections(peer_index p);
  // With a strategy that routes ahead: a page view or a departure does what changes who is
  // on-line (and draws from the workload stream) at once, and queues the rest (requests, a
  // departure's bookkeeping) until flush(), which hands the queued lookups to the strategy in one
  // batch, then does the queued work in event order. The queue is flushed before every event
  // that can change what a route finds or that draws from the strategy's stream (an arrival, a
  // strategy timer), so every route and every draw is the one the plain order would make.
  void view_ahead(peer_index p, double now);
  void leave_ahead(peer_index p, double now);
  void flush();

  scenario cfg_;
  rng workload_;
  rng strategy_rng_;
  catalogue site_;
  population peers_;
  holdings held_;
  connections links_;
  uplinks uploads_;
  metrics stats_;
  offload_limit limit_;
  event_queue queue_;
  std::unique_ptr<strategy> strategy_;
  lookup_observer observer_;
  struct deferred {
    enum : std::uint8_t { request, leave } kind;
    peer_index peer;
    resource_index r;
    double now;
  };
  std::vector<deferred> deferred_;
  std::vector<lookup_query> ahead_;
  double base_rate_;
  double probe_fraction_;
  double deadline_s_;
  std::size_t grown_ = 0;
  std::size_t peak_online_ = 0;
  std::size_t next_bin_ = 0;
  std::uint64_t events_ = 0;
};

std::unique_ptr<strategy> make_strategy(const std::string& name, strategy_context ctx);

}  // namespace circlecdn::sim
