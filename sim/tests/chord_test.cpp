// Chord: the id circle against a brute-force successor, and finger-table routing on random rings
// with joins and leaves (fresh tables route exactly; stale tables route around departed peers).
#include "strategy/chord.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>
#include <vector>

#include "strategy/id_ring.hpp"
#include "strategy_bench.hpp"

namespace circlecdn::sim {
namespace {

struct life {
  std::uint32_t id;
  double join_s, depart_s;
};

peer_index brute_successor(const std::map<peer_index, life>& members, std::uint32_t x, double t) {
  peer_index best = no_peer;
  std::uint64_t best_distance = ~std::uint64_t{0};
  for (const auto& [p, l] : members) {
    if (!(l.join_s <= t && t < l.depart_s)) continue;
    const std::uint64_t distance = static_cast<std::uint32_t>(l.id - x);
    if (distance < best_distance) {
      best_distance = distance;
      best = p;
    }
  }
  return best;
}

TEST(IdRing, SuccessorMatchesBruteForceWithJoinsAndLeaves) {
  for (unsigned bucket_bits : {4u, 10u}) {
    id_ring ring(bucket_bits);
    ring.grow(4096);
    std::map<peer_index, life> members;
    rng r(bucket_bits);
    peer_index next_slot = 0;
    double now = 0;
    for (int step = 0; step < 3000; ++step) {
      now += 1;
      const double u = r.uniform();
      if (u < 0.55 || members.empty()) {
        std::uint32_t id;
        do {
          id = static_cast<std::uint32_t>(r.next());
        } while (ring.contains_id(id));
        const peer_index p = next_slot++;
        ring.insert(p, id, now, 1e18);
        members[p] = life{id, now, 1e18};
      } else if (u < 0.8) {  // a departure (stays on the circle, dead from now on)
        auto it = members.begin();
        std::advance(it, r.below(static_cast<std::uint32_t>(members.size())));
        if (it->second.depart_s > now) {
          it->second.depart_s = now;
          ring.set_depart(it->first, now);
        }
      } else {  // a release: gone from the circle altogether
        auto it = members.begin();
        std::advance(it, r.below(static_cast<std::uint32_t>(members.size())));
        if (it->second.depart_s <= now) {
          ring.erase(it->first);
          members.erase(it);
        }
      }
      ASSERT_EQ(ring.members(), members.size());
      for (int q = 0; q < 5; ++q) {
        const std::uint32_t x = static_cast<std::uint32_t>(r.next());
        const double at = now - static_cast<double>(r.below(20));  // the recent past as well
        ASSERT_EQ(ring.successor_at(x, at), brute_successor(members, x, at))
            << "step " << step << " x " << x;
      }
    }
  }
}

scenario chord_scenario() {
  scenario s;
  s.strategy = "chord";
  s.peers = 300;
  s.catalogue = 100;
  s.abrupt_fraction = 0;  // clean closes: departed fingers are skipped, not timed out
  s.lookup_deadline_ms = 1e9;
  s.seed = 3;
  return s;
}

TEST(Chord, FreshFingersRouteToTheTrueSuccessorWithJoinsAndLeaves) {
  testing::strategy_bench bench(chord_scenario());
  chord c(bench.context());
  std::map<peer_index, life> members;
  std::vector<peer_index> online;
  rng r(17);
  double now = 0;
  const double settle = bench.cfg.chord_fix_period_s + bench.cfg.chord_stabilise_period_s + 1;
  std::size_t total_hops = 0;
  std::size_t lookups = 0;
  for (int round = 0; round < 12; ++round) {
    // Joins and leaves ...
    const int joins = round == 0 ? 200 : 25;
    for (int i = 0; i < joins; ++i) {
      now += 0.01;
      const peer_index p = bench.join(c, now);
      members[p] = life{c.id(p), now, 1e18};
      online.push_back(p);
    }
    for (int i = 0; i < 20 && online.size() > 2; ++i) {
      now += 0.01;
      const std::size_t k = r.below(static_cast<std::uint32_t>(online.size()));
      const peer_index p = online[k];
      online.erase(online.begin() + static_cast<std::ptrdiff_t>(k));
      bench.leave(c, p, now);
      members[p].depart_s = now;
    }
    // ... then every peer has refreshed its fingers and successors since the last change.
    now += settle;
    const unsigned bound = 2 * static_cast<unsigned>(std::bit_width(online.size())) + 2;
    for (int q = 0; q < 200; ++q) {
      const peer_index from = online[r.below(static_cast<std::uint32_t>(online.size()))];
      const std::uint32_t key = static_cast<std::uint32_t>(r.next());
      const chord::route_result res = c.route(from, key, now, now + 1e9);
      ASSERT_EQ(res.outcome, lookup_outcome::found);
      ASSERT_EQ(res.owner, brute_successor(members, key, now)) << "round " << round;
      EXPECT_EQ(res.timeouts, 0u);
      EXPECT_LE(res.hops, bound);
      EXPECT_GE(res.answered_s, res.owner_s);
      total_hops += res.hops;
      ++lookups;
    }
    now += 1;
  }
  // O(log N): about half of log2(N) hops on average with N ~ 300.
  const double mean = static_cast<double>(total_hops) / static_cast<double>(lookups);
  EXPECT_GT(mean, 2.0);
  EXPECT_LT(mean, 7.0);
}

TEST(Chord, WarmStartProbesSeeTheWholeInitialCrowd) {
  // The warm start places its crowd one by one at t = 0, each member on-line since up to
  // session_min_s before. A probe refreshes its fingers at its join; once the crowd is placed,
  // its table must be the one the whole crowd gives: routes from probes then match routes over
  // the same crowd without probes, whose fingers are computed when a route first needs them.
  scenario s = chord_scenario();
  testing::strategy_bench probes_bench(s);
  testing::strategy_bench plain_bench(s);
  chord probes(probes_bench.context());
  chord plain(plain_bench.context());
  rng r(5);
  std::vector<peer_index> crowd;
  for (int i = 0; i < 300; ++i) {
    const double age = r.uniform() * s.session_min_s;
    const peer_index p = probes_bench.join(probes, 0.0, 1e9, age, /*probe=*/true);
    ASSERT_EQ(plain_bench.join(plain, 0.0, 1e9, age, /*probe=*/false), p);
    ASSERT_EQ(probes.id(p), plain.id(p));
    crowd.push_back(p);
  }
  probes.warm_start_placed(0.0);
  plain.warm_start_placed(0.0);
  std::size_t hops = 0;
  for (const peer_index from : crowd) {
    for (int q = 0; q < 5; ++q) {
      const std::uint32_t key = static_cast<std::uint32_t>(r.next());
      const chord::route_result a = probes.route(from, key, 1.0, 1e9);
      const chord::route_result b = plain.route(from, key, 1.0, 1e9);
      ASSERT_EQ(a.outcome, b.outcome);
      EXPECT_EQ(a.owner, b.owner);
      ASSERT_EQ(a.hops, b.hops) << "from " << from << " key " << key;
      EXPECT_EQ(a.answered_s, b.answered_s);
      hops += a.hops;
    }
  }
  EXPECT_GT(hops, crowd.size() * 5);  // the routes did go through fingers
  // Every probe's refresh counted connections before t = 0 only.
  for (const peer_index p : crowd) EXPECT_EQ(probes.routing_connections(p), 0u);
}

TEST(Chord, StaleFingersStillReachTheOwnerAfterLeaves) {
  testing::strategy_bench bench(chord_scenario());
  chord c(bench.context());
  std::map<peer_index, life> members;
  std::vector<peer_index> online;
  rng r(23);
  double now = 0;
  for (int i = 0; i < 256; ++i) {
    now += 0.01;
    const peer_index p = bench.join(c, now);
    members[p] = life{c.id(p), now, 1e18};
    online.push_back(p);
  }
  now += bench.cfg.chord_fix_period_s + bench.cfg.chord_stabilise_period_s + 1;
  // Warm every table, then remove a quarter of the peers without letting anyone refresh.
  for (peer_index p : online) c.route(p, static_cast<std::uint32_t>(r.next()), now, now + 1e9);
  for (int i = 0; i < 64; ++i) {
    const std::size_t k = r.below(static_cast<std::uint32_t>(online.size()));
    const peer_index p = online[k];
    online.erase(online.begin() + static_cast<std::ptrdiff_t>(k));
    bench.leave(c, p, now);
    members[p].depart_s = now;
  }
  now += 0.001;
  int found = 0;
  for (int q = 0; q < 500; ++q) {
    const peer_index from = online[r.below(static_cast<std::uint32_t>(online.size()))];
    const std::uint32_t key = static_cast<std::uint32_t>(r.next());
    const chord::route_result res = c.route(from, key, now, now + 1e9);
    if (res.outcome != lookup_outcome::found) {
      EXPECT_EQ(res.outcome, lookup_outcome::failed_churn);
      continue;
    }
    // Never a wrong answer: the owner is on-line and is the key's true successor.
    EXPECT_EQ(res.owner, brute_successor(members, key, now));
    ++found;
  }
  // Only a peer whose whole successor list died breaks a lookup (0.25^4 per peer on the path).
  EXPECT_GE(found, 450);
}

TEST(Chord, AbruptDeparturesCostHopTimeoutsAndTheDeadlineHolds) {
  scenario s = chord_scenario();
  s.abrupt_fraction = 1;
  s.lookup_deadline_ms = 800;
  testing::strategy_bench bench(s);
  chord c(bench.context());
  std::vector<peer_index> online;
  rng r(29);
  double now = 0;
  for (int i = 0; i < 256; ++i) {
    now += 0.01;
    online.push_back(bench.join(c, now));
  }
  now += s.chord_fix_period_s + s.chord_stabilise_period_s + 1;
  for (peer_index p : online) c.route(p, static_cast<std::uint32_t>(r.next()), now, now + 1e9);
  for (int i = 0; i < 100; ++i) {
    const std::size_t k = r.below(static_cast<std::uint32_t>(online.size()));
    bench.leave(c, online[k], now);
    online.erase(online.begin() + static_cast<std::ptrdiff_t>(k));
  }
  now += 0.001;
  int timed_out = 0;
  for (int q = 0; q < 300; ++q) {
    const peer_index from = online[r.below(static_cast<std::uint32_t>(online.size()))];
    const double deadline = now + s.lookup_deadline_ms * 1e-3;
    const chord::route_result res =
        c.route(from, static_cast<std::uint32_t>(r.next()), now, deadline);
    timed_out += res.timeouts > 0 ? 1 : 0;
    if (res.outcome == lookup_outcome::found) {
      EXPECT_LE(res.answered_s, deadline);
    } else {
      EXPECT_EQ(res.answered_s, deadline);
    }
  }
  EXPECT_GT(timed_out, 30);
}

TEST(Chord, RoutesTakenTogetherAreTheRoutesTakenOneByOne) {
  // Stale tables, abrupt departures (hop timeouts) and a deadline: every path of a route.
  scenario s = chord_scenario();
  s.abrupt_fraction = 0.5;
  s.lookup_deadline_ms = 900;
  testing::strategy_bench one_bench(s);
  testing::strategy_bench together_bench(s);
  chord one(one_bench.context());
  chord together(together_bench.context());
  std::vector<peer_index> online;
  rng r(31);
  double now = 0;
  for (int i = 0; i < 400; ++i) {
    now += 0.01;
    const peer_index p = one_bench.join(one, now);
    ASSERT_EQ(together_bench.join(together, now), p);
    ASSERT_EQ(together.id(p), one.id(p));
    online.push_back(p);
  }
  now += s.chord_fix_period_s + s.chord_stabilise_period_s + 1;
  for (int i = 0; i < 120; ++i) {
    const std::size_t k = r.below(static_cast<std::uint32_t>(online.size()));
    one_bench.leave(one, online[k], now);
    together_bench.leave(together, online[k], now);
    online.erase(online.begin() + static_cast<std::ptrdiff_t>(k));
    now += 0.05;
  }
  std::vector<chord::route_request> requests;
  for (int q = 0; q < 500; ++q) {
    const double at = now + 0.001 * q;
    requests.push_back(chord::route_request{
        online[r.below(static_cast<std::uint32_t>(online.size()))],
        static_cast<std::uint32_t>(r.next()), at, at + s.lookup_deadline_ms * 1e-3});
  }
  std::vector<chord::route_result> results(requests.size());
  together.route_together(requests.data(), results.data(), requests.size());
  int timed_out = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const chord::route_result a =
        one.route(requests[i].from, requests[i].key, requests[i].now, requests[i].deadline_s);
    const chord::route_result& b = results[i];
    ASSERT_EQ(a.outcome, b.outcome) << i;
    EXPECT_EQ(a.owner, b.owner) << i;
    EXPECT_EQ(a.owner_s, b.owner_s) << i;
    EXPECT_EQ(a.answered_s, b.answered_s) << i;
    EXPECT_EQ(a.hops, b.hops) << i;
    EXPECT_EQ(a.timeouts, b.timeouts) << i;
    timed_out += a.timeouts > 0 ? 1 : 0;
  }
  EXPECT_GT(timed_out, 10);
}

}  // namespace
}  // namespace circlecdn::sim
