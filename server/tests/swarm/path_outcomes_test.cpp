// The fail-fast records on their own: per-wanter exclusions and the "unreachable" rule.
#include "swarm/path_outcomes.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace circlecdn::swarm;
using namespace std::chrono_literals;

namespace {
const auto t0 = path_clock::now();
}

TEST(PathExclusions, ExpireAfterTenMinutesAndAreBounded) {
  path_exclusions ex;
  auto h = peer_id::random();
  EXPECT_FALSE(ex.contains(h, t0));
  ex.add(h, t0);
  EXPECT_TRUE(ex.contains(h, t0 + path_rules::exclusion_life - 1s));
  EXPECT_FALSE(ex.contains(h, t0 + path_rules::exclusion_life));
  ex.add(h, t0 + 1s);  // again: one entry, renewed
  EXPECT_EQ(ex.size(), 1u);
  std::vector<peer_id> many;
  for (std::size_t i = 0; i < path_rules::exclusions_per_wanter + 4; ++i) {
    many.push_back(peer_id::random());
    ex.add(many.back(), t0 + 2s);
  }
  EXPECT_EQ(ex.size(), path_rules::exclusions_per_wanter);
  EXPECT_FALSE(ex.contains(many.front(), t0 + 2s));  // the oldest went first
  EXPECT_TRUE(ex.contains(many.back(), t0 + 2s));
}

TEST(HolderOutcomes, OneWanterAloneNeverMakesAHolderUnreachable) {
  holder_outcomes h;
  auto w = peer_id::random();
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(h.record(false, w, t0));
  EXPECT_FALSE(h.unreachable(t0));
}

TEST(HolderOutcomes, ThreeFailuresFromTwoWantersOutweighingSuccesses) {
  auto a = peer_id::random(), b = peer_id::random(), c = peer_id::random();
  {
    holder_outcomes h;
    EXPECT_FALSE(h.record(false, a, t0));
    EXPECT_FALSE(h.record(false, b, t0));  // two failures: not yet
    EXPECT_TRUE(h.record(false, a, t0));   // three, from two wanters
    EXPECT_TRUE(h.unreachable(t0 + path_rules::unreachable_for - 1s));
    EXPECT_FALSE(h.unreachable(t0 + path_rules::unreachable_for));
    // Another chance; one more failure while the window still says "mostly failed": skipped again.
    auto later = t0 + path_rules::unreachable_for;
    EXPECT_TRUE(h.record(false, c, later));
    EXPECT_TRUE(h.unreachable(later));
  }
  {
    holder_outcomes h;  // as many successes as failures: reachable, just unlucky
    for (auto& w : {a, b, c}) h.record(true, w, t0);
    EXPECT_FALSE(h.record(false, a, t0));
    EXPECT_FALSE(h.record(false, b, t0));
    EXPECT_FALSE(h.record(false, c, t0));
    EXPECT_FALSE(h.unreachable(t0));
    EXPECT_TRUE(h.record(false, c, t0));  // 4 failures, 3 successes
  }
  {
    holder_outcomes h;  // successes push old failures out of the window of 8
    h.record(false, a, t0);
    h.record(false, b, t0);
    for (std::size_t i = 0; i < path_rules::window; ++i) h.record(true, c, t0);
    EXPECT_FALSE(h.record(false, a, t0));
  }
}
