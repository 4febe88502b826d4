#pragma once
// A strategy on its own, without the world: the models it reads, and helpers to make peers
// join and leave at chosen times.
#include <memory>

#include "engine/rng.hpp"
#include "model/catalogue.hpp"
#include "model/connections.hpp"
#include "model/holdings.hpp"
#include "model/population.hpp"
#include "model/scenario.hpp"
#include "model/uplinks.hpp"
#include "observe/metrics.hpp"
#include "strategy/strategy.hpp"

namespace circlecdn::sim::testing {

struct strategy_bench {
  explicit strategy_bench(scenario s)
      : cfg(std::move(s)),
        site(cfg, cfg.seed),
        peers(cfg),
        links(cfg, peers),
        uploads(static_cast<std::uint32_t>(cfg.max_uploads)),
        stats(cfg.duration_s, cfg.sample_period_s),
        random(cfg.seed, 2),
        attributes(cfg.seed, 1) {}

  strategy_context context() {
    return strategy_context{
        cfg, site, peers, held, links, uploads, stats, random, [](peer_index, double) {}, 1.0};
  }
  // A peer on-line from now - age_s (the world's warm start places its crowd at t = 0 with ages).
  peer_index join(strategy& s, double now, double depart_s = 1e9, double age_s = 0,
                  bool probe = false) {
    const peer_index p = peers.join(now - age_s, depart_s, attributes);
    peers.set_probe(p, probe);
    const std::size_t n = peers.slots() + 16;
    held.grow(n);
    links.grow(n);
    uploads.grow(n);
    s.grow(n);
    links.reset(p);
    uploads.reset(p);
    s.on_join(p, now);
    return p;
  }
  void leave(strategy& s, peer_index p, double now) {
    s.on_leave(p, now);
    held.remove_all(p);
    peers.leave(p, now, s.keep_s());
  }

  scenario cfg;
  catalogue site;
  population peers;
  holdings held;
  connections links;
  uplinks uploads;
  metrics stats;
  rng random;
  rng attributes;
};

}  // namespace circlecdn::sim::testing
