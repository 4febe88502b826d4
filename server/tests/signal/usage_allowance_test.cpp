// One peer's allowance for `usage` reports, on an injected clock.
#include "signal/usage_allowance.hpp"

#include <gtest/gtest.h>

using namespace circlecdn::signal;
using namespace std::chrono_literals;

TEST(UsageAllowance, FirstReportMeetsTheBurstThenOnlyTheRefillCounts) {
  limits lim;
  lim.usage_bytes_burst = 1000;
  lim.usage_bytes_per_s = 100;
  lim.usage_interval_min = 500ms;
  usage_allowance a;
  const auto t0 = usage_allowance::clock::time_point{} + 1h;
  a.start(lim, t0);
  auto first = a.take(lim, {600, 600, 600}, t0);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, (usage_allowance::per_source{600, 400, 0}));  // in order, until empty
  auto second = a.take(lim, {1'000'000, 0, 0}, t0 + 2s);          // 2 s of refill
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)[0], 200u);
  auto later = a.take(lim, {5000, 0, 0}, t0 + 1h);  // refill stops at the burst
  ASSERT_TRUE(later);
  EXPECT_EQ((*later)[0], 1000u);
}

TEST(UsageAllowance, ReportsCloserThanTheIntervalAreRefused) {
  limits lim;
  lim.usage_interval_min = 500ms;
  usage_allowance a;
  const auto t0 = usage_allowance::clock::time_point{} + 1h;
  a.start(lim, t0);
  EXPECT_TRUE(a.take(lim, {1, 0, 0}, t0));
  EXPECT_FALSE(a.take(lim, {1, 0, 0}, t0 + 499ms));
  EXPECT_TRUE(a.take(lim, {1, 0, 0}, t0 + 500ms));
  EXPECT_FALSE(a.take(lim, {1, 0, 0}, t0 + 600ms));  // counted from the last accepted one
}
