// Ring forwarding: successor by successor to the first free holder, back to the sender when no
// one holds it, cut short by the hop deadline, and broken by departures until repaired.
#include "strategy/ring.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "strategy_bench.hpp"

namespace circlecdn::sim {
namespace {

scenario ring_scenario() {
  scenario s;
  s.strategy = "ring";
  s.peers = 10;
  s.catalogue = 10;
  s.lookup_deadline_ms = 1e9;
  s.abrupt_fraction = 0;
  return s;
}

// What the world does when a download completes: the holding, then the strategy's turn.
void store(testing::strategy_bench& bench, ring& g, peer_index p, resource_index r) {
  bench.held.add(p, r, 0.0);
  g.on_stored(p, r, 0.0);
}

// The peers in ring order starting at `from`.
std::vector<peer_index> ring_order(const ring& g, peer_index from) {
  std::vector<peer_index> order{from};
  for (peer_index p = g.successor(from); p != from; p = g.successor(p)) order.push_back(p);
  return order;
}

TEST(Ring, JoinsKeepOneCircle) {
  testing::strategy_bench bench(ring_scenario());
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 10; ++i) peers.push_back(bench.join(g, 0.0));
  const auto order = ring_order(g, peers[0]);
  ASSERT_EQ(order.size(), 10u);
  for (peer_index p : peers) EXPECT_EQ(g.predecessor(g.successor(p)), p);
}

TEST(Ring, RequestTravelsToTheFirstHolder) {
  testing::strategy_bench bench(ring_scenario());
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 10; ++i) peers.push_back(bench.join(g, 0.0));
  const auto order = ring_order(g, peers[3]);
  const peer_index w = order[0];
  store(bench, g, order[6], 2);
  store(bench, g, order[8], 2);
  const double now = 10;
  const lookup_result res = g.lookup(w, 2, now, now + 100);
  ASSERT_EQ(res.outcome, lookup_outcome::found);
  EXPECT_EQ(res.holder, order[6]);
  EXPECT_EQ(res.hops, 6u);
  double expected = now;
  for (int i = 0; i < 6; ++i) expected += bench.peers.one_way_s(order[i], order[i + 1]);
  EXPECT_NEAR(res.answered_s, expected, 1e-12);
}

TEST(Ring, BusyHolderPassesTheRequestOn) {
  testing::strategy_bench bench(ring_scenario());
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 10; ++i) peers.push_back(bench.join(g, 0.0));
  const auto order = ring_order(g, peers[0]);
  store(bench, g, order[2], 1);
  store(bench, g, order[5], 1);
  for (int i = 0; i < 4; ++i) bench.uploads.schedule(order[2], 0.0, 1000.0);  // all slots full
  const lookup_result res = g.lookup(order[0], 1, 10, 110);
  ASSERT_EQ(res.outcome, lookup_outcome::found);
  EXPECT_EQ(res.holder, order[5]);
  EXPECT_EQ(res.hops, 5u);
}

TEST(Ring, NoHolderComesBackToTheSender) {
  testing::strategy_bench bench(ring_scenario());
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 10; ++i) peers.push_back(bench.join(g, 0.0));
  const lookup_result res = g.lookup(peers[4], 7, 10, 110);
  EXPECT_EQ(res.outcome, lookup_outcome::not_found);
  EXPECT_EQ(res.hops, 10u);
  EXPECT_LT(res.answered_s, 110);
}

TEST(Ring, DeadlineCutsTheWalkAndIsNeverAHit) {
  testing::strategy_bench bench(ring_scenario());
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 10; ++i) peers.push_back(bench.join(g, 0.0));
  const auto order = ring_order(g, peers[0]);
  store(bench, g, order[9], 4);
  // Enough time for 2 hops, not for 9.
  const double two_hops =
      bench.peers.one_way_s(order[0], order[1]) + bench.peers.one_way_s(order[1], order[2]);
  const double deadline = 10 + two_hops + 1e-9;
  const lookup_result res = g.lookup(order[0], 4, 10, deadline);
  EXPECT_EQ(res.outcome, lookup_outcome::failed_deadline);
  EXPECT_EQ(res.holder, no_peer);
  EXPECT_EQ(res.answered_s, deadline);
  EXPECT_EQ(res.hops, 2u);
}

TEST(Ring, HopLimitStopsTheWalkAndTheLastPeerReportsTheMiss) {
  scenario s = ring_scenario();
  s.ring_max_hops = 3;
  testing::strategy_bench bench(s);
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 10; ++i) peers.push_back(bench.join(g, 0.0));
  const auto order = ring_order(g, peers[0]);
  store(bench, g, order[5], 4);
  const double before = bench.stats.server_messages;
  const lookup_result res = g.lookup(order[0], 4, 10, 110);
  EXPECT_EQ(res.outcome, lookup_outcome::not_found);
  EXPECT_EQ(res.hops, 3u);
  double walked = 10;
  for (int i = 0; i < 3; ++i) walked += bench.peers.one_way_s(order[i], order[i + 1]);
  const double relayed =
      0.5 * (bench.peers.rtt_server_s(order[3]) + bench.peers.rtt_server_s(order[0]));
  EXPECT_NEAR(res.answered_s, walked + relayed, 1e-12);
  EXPECT_EQ(bench.stats.server_messages, before + 2);
}

TEST(Ring, LeaveSplicesNeighboursAfterDetectionAndSetup) {
  scenario s = ring_scenario();
  s.abrupt_fraction = 1;  // the server notices only after its timeout
  s.disconnect_detect_s = 15;
  testing::strategy_bench bench(s);
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 10; ++i) peers.push_back(bench.join(g, 0.0));
  const auto order = ring_order(g, peers[0]);
  bench.leave(g, order[3], 100);
  EXPECT_EQ(g.successor(order[2]), order[4]);
  EXPECT_EQ(g.predecessor(order[4]), order[2]);
  EXPECT_GT(g.link_up_s(order[2]), 115);
  store(bench, g, order[6], 5);
  // Right after the departure the request waits at order[2] past a short deadline ...
  const lookup_result lost = g.lookup(order[0], 5, 101, 102);
  EXPECT_EQ(lost.outcome, lookup_outcome::failed_churn);
  EXPECT_EQ(lost.answered_s, 102);
  // ... and once the link is up it goes through, one hop shorter.
  const double later = g.link_up_s(order[2]) + 1;
  const lookup_result ok = g.lookup(order[0], 5, later, later + 10);
  ASSERT_EQ(ok.outcome, lookup_outcome::found);
  EXPECT_EQ(ok.holder, order[6]);
  EXPECT_EQ(ok.hops, 5u);
}

TEST(Ring, MessageToAPeerLeavingInFlightIsLost) {
  testing::strategy_bench bench(ring_scenario());
  ring g(bench.context());
  std::vector<peer_index> peers;
  for (int i = 0; i < 8; ++i) peers.push_back(bench.join(g, 0.0));
  // One more peer whose session ends at t = 10.0001, spliced in somewhere.
  const peer_index leaving = bench.join(g, 0.0, 10.0001);
  const peer_index before = g.predecessor(leaving);
  store(bench, g, g.successor(leaving), 3);
  const lookup_result res = g.lookup(before, 3, 10, 20);
  EXPECT_EQ(res.outcome, lookup_outcome::failed_churn);
  EXPECT_EQ(res.answered_s, 20);
}

TEST(Ring, LookaheadListsFollowTheSuccessorsThroughJoinsAndLeaves) {
  // Each record names the next `lookahead` members; they must match the successor links after
  // every join and leave, on small rings (where the lists wrap) and large ones.
  testing::strategy_bench bench(ring_scenario());
  ring g(bench.context());
  rng r(7);
  std::vector<peer_index> members;
  double now = 0;
  for (int round = 0; round < 3000; ++round) {
    now += 0.01;
    // Grow to ~40 members, then shrink to 0, then grow again.
    const bool grow_phase = (round / 600) % 2 == 0;
    if (members.empty() || (grow_phase ? r.uniform() < 0.8 : r.uniform() < 0.2)) {
      members.push_back(bench.join(g, now));
    } else {
      const std::size_t i = r.below(static_cast<std::uint32_t>(members.size()));
      bench.leave(g, members[i], now);
      members[i] = members.back();
      members.pop_back();
    }
    if (!members.empty()) {
      ASSERT_EQ(ring_order(g, members[0]).size(), members.size());
    }
    for (peer_index p : members) {
      peer_index q = p;
      for (unsigned i = 0; i < ring::lookahead; ++i) {
        q = g.successor(q);
        ASSERT_EQ(g.ahead_of(p, i), q) << "round " << round << " member " << p << " place " << i;
      }
      ASSERT_EQ(g.predecessor(g.successor(p)), p);
    }
  }
}

}  // namespace
}  // namespace circlecdn::sim
