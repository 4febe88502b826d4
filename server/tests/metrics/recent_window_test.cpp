// metrics::recent_window: the dashboard's percentiles cover the last span, not the process's life.
#include "metrics/recent_window.hpp"

#include <gtest/gtest.h>

using namespace circlecdn::metrics;
using namespace std::chrono_literals;

TEST(RecentWindow, AYoungProcessesWindowIsItsWholeLife) {
  histogram h{0.1, 1, 10};
  recent_window w(300s, 10s);
  auto t0 = recent_window::clock::now();
  w.sample(h, t0);
  h.observe(0.05);
  h.observe(5);
  auto v = w.of(h, t0 + 30s);
  EXPECT_EQ(v.count, 2u);
  EXPECT_DOUBLE_EQ(v.seconds, 30);
}

TEST(RecentWindow, OldObservationsLeaveTheWindow) {
  histogram h{0.1, 1, 10};
  recent_window w(300s, 10s);
  auto t = recent_window::clock::now();
  w.sample(h, t);
  for (int i = 0; i < 1000; ++i) h.observe(5);  // a slow hour long ago
  for (int s = 1; s <= 60; ++s) w.sample(h, t + s * 10s);
  for (int i = 0; i < 10; ++i) h.observe(0.05);  // fast now
  auto now = t + 600s;
  auto v = w.of(h, now);
  EXPECT_EQ(v.count, 10u);
  EXPECT_GE(v.seconds, 300);
  EXPECT_LT(v.seconds, 310);
  EXPECT_LE(w.quantile(h, 0.99, now), 0.1);  // since start it would say ~10 s
  EXPECT_GT(h.quantile(0.5), 1);
}

TEST(RecentWindow, SamplesOnlyWhenDueAndKeepsABoundedNumber) {
  histogram h{1};
  recent_window w(60s, 10s);
  auto t = recent_window::clock::now();
  for (int ms = 0; ms < 600'000; ms += 100) {  // sampled every 100 ms for 10 minutes
    h.observe(0.5);
    w.sample(h, t + std::chrono::milliseconds(ms));
  }
  auto v = w.of(h, t + 600s);
  // 60 s of observations at 10 per second, give or take one snapshot interval.
  EXPECT_GE(v.count, 600u);
  EXPECT_LE(v.count, 700u);
}
