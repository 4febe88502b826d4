// The tracker strategy answers as the server does: the holder policy's ranking (uploads in
// flight, then a paired peer, then uploads completed) and the `fetching` rule with its caps.
#include "strategy/tracker.hpp"

#include <gtest/gtest.h>

#include "strategy_bench.hpp"

namespace circlecdn::sim {
namespace {

scenario tracker_scenario() {
  scenario s;
  s.strategy = "tracker";
  s.peers = 10;
  s.catalogue = 40;
  s.lookup_deadline_ms = 2000;
  s.abrupt_fraction = 0;
  return s;
}

void store(testing::strategy_bench& bench, tracker& t, peer_index p, resource_index r, double at) {
  bench.held.add(p, r, at);
  t.on_stored(p, r, at);
}

TEST(Tracker, PrefersTheHolderWithMoreUploadsCompleted) {
  testing::strategy_bench bench(tracker_scenario());
  tracker t(bench.context());
  const peer_index w = bench.join(t, 0);
  const peer_index a = bench.join(t, 0);
  const peer_index b = bench.join(t, 0);
  store(bench, t, a, 3, 0);
  store(bench, t, b, 3, 0);
  for (int i = 0; i < 5; ++i) t.on_served(b, 1);  // b served five wants to the end
  for (int round = 0; round < 20; ++round) {      // ties would be broken at random: none here
    const lookup_result res = t.lookup(w, 3, 10, 12);
    ASSERT_EQ(res.outcome, lookup_outcome::found);
    EXPECT_EQ(res.holder, b);
  }
}

TEST(Tracker, FewerUploadsInFlightBeatUploadsCompleted) {
  testing::strategy_bench bench(tracker_scenario());
  tracker t(bench.context());
  const peer_index w = bench.join(t, 0);
  const peer_index a = bench.join(t, 0);
  const peer_index b = bench.join(t, 0);
  store(bench, t, a, 3, 0);
  store(bench, t, b, 3, 0);
  for (int i = 0; i < 5; ++i) t.on_served(b, 1);
  bench.uploads.schedule(b, 0, 1000);  // b is pushing to someone until t = 1000
  const lookup_result res = t.lookup(w, 3, 10, 12);
  ASSERT_EQ(res.outcome, lookup_outcome::found);
  EXPECT_EQ(res.holder, a);
}

TEST(Tracker, LaterWantersWaitForTheFirstOnesOriginFetch) {
  testing::strategy_bench bench(tracker_scenario());
  tracker t(bench.context());
  const peer_index first = bench.join(t, 0);
  const peer_index second = bench.join(t, 0);
  // Nobody holds 5: the first wanter is told no_holder and becomes its fetcher.
  const lookup_result a = t.lookup(first, 5, 10, 12);
  EXPECT_EQ(a.outcome, lookup_outcome::not_found);
  EXPECT_EQ(bench.stats.fetching_answers, 0u);
  // Its download completes at 10.4; the announce makes it a holder then.
  store(bench, t, first, 5, 10.4);
  // The second wanter asks at 10.1: told `fetching`, it asks again and finds the first.
  const lookup_result b = t.lookup(second, 5, 10.1, 12.1);
  ASSERT_EQ(b.outcome, lookup_outcome::found);
  EXPECT_EQ(b.holder, first);
  EXPECT_GE(bench.stats.fetching_answers, 1u);
  EXPECT_GT(b.answered_s, 10.4);
  EXPECT_LE(b.answered_s, 12.1);
}

TEST(Tracker, AWaitEndsAtTheDeadlineAndTheFetcherLeavingEndsTheClaim) {
  testing::strategy_bench bench(tracker_scenario());
  tracker t(bench.context());
  const peer_index first = bench.join(t, 0, /*depart_s=*/20);
  const peer_index second = bench.join(t, 0);
  const peer_index third = bench.join(t, 0);
  EXPECT_EQ(t.lookup(first, 5, 10, 12).outcome, lookup_outcome::not_found);
  // The first never announces (a slow origin): the second waits up to its deadline, then goes
  // to the origin, answered before the deadline.
  const lookup_result b = t.lookup(second, 5, 11, 13);
  EXPECT_EQ(b.outcome, lookup_outcome::not_found);
  EXPECT_GE(bench.stats.fetching_answers, 2u);
  EXPECT_GT(b.answered_s, 12);
  EXPECT_LE(b.answered_s, 13);
  // The fetcher left at 20 (its claim, until 20, goes with it): the third is not told to wait,
  // and claims the hash itself.
  bench.leave(t, first, 20);
  const std::uint64_t before = bench.stats.fetching_answers;
  const lookup_result c = t.lookup(third, 5, 20.5, 22.5);
  EXPECT_EQ(c.outcome, lookup_outcome::not_found);
  EXPECT_EQ(bench.stats.fetching_answers, before);
  EXPECT_LT(c.answered_s, 21);
}

TEST(Tracker, AClaimIsNeverExtendedAndExpiresAfterTheGrace) {
  testing::strategy_bench bench(tracker_scenario());
  tracker t(bench.context());
  const peer_index first = bench.join(t, 0);
  const peer_index second = bench.join(t, 0);
  EXPECT_EQ(t.lookup(first, 5, 10, 12).outcome, lookup_outcome::not_found);
  // Wanting it again claims nothing new (never extended, never twice).
  EXPECT_EQ(t.lookup(first, 5, 15, 17).outcome, lookup_outcome::not_found);
  // Past the 10 s grace of the first claim, nobody waits.
  const std::uint64_t before = bench.stats.fetching_answers;
  const lookup_result b = t.lookup(second, 5, 20.5, 22.5);
  EXPECT_EQ(b.outcome, lookup_outcome::not_found);
  EXPECT_EQ(bench.stats.fetching_answers, before);
}

TEST(Tracker, APeerHoldsAtMostSixteenLiveClaims) {
  testing::strategy_bench bench(tracker_scenario());
  tracker t(bench.context());
  const peer_index greedy = bench.join(t, 0);
  const peer_index other = bench.join(t, 0);
  for (resource_index r = 0; r < 20; ++r) t.lookup(greedy, r, 10, 12);
  // The first 16 make others wait; the 4 beyond the cap claim nothing.
  for (resource_index r = 0; r < 20; ++r) {
    const std::uint64_t before = bench.stats.fetching_answers;
    t.lookup(other, r, 10.2, 10.3);  // a deadline too short to wait: one answer each
    EXPECT_EQ(bench.stats.fetching_answers - before, r < 16 ? 1u : 0u) << r;
  }
}

}  // namespace
}  // namespace circlecdn::sim
