// The engine's queue: time order, first-in first-out among equal times, payload kept.
#include "engine/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "engine/rng.hpp"

namespace circlecdn::sim {
namespace {

TEST(EventQueue, PopsInTimeOrder) {
  event_queue q;
  q.push(3.0, 1, 30);
  q.push(1.0, 2, 10);
  q.push(2.0, 3, 20);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q.pop().peer, 10u);
  EXPECT_EQ(q.pop().peer, 20u);
  const event last = q.pop();
  EXPECT_EQ(last.peer, 30u);
  EXPECT_EQ(last.kind, 1);
  EXPECT_DOUBLE_EQ(last.time_s, 3.0);
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, EqualTimesLeaveInPushOrder) {
  event_queue q;
  for (std::uint32_t i = 0; i < 100; ++i) q.push(5.0, static_cast<std::uint8_t>(i % 8), i);
  q.push(4.0, 0, 1000);
  EXPECT_EQ(q.pop().peer, 1000u);
  for (std::uint32_t i = 0; i < 100; ++i) {
    const event e = q.pop();
    EXPECT_EQ(e.peer, i);
    EXPECT_EQ(e.kind, i % 8);
  }
}

TEST(EventQueue, MatchesAStableSortUnderInterleavedPushAndPop) {
  // Reference: (time, push order) sorted; pops interleaved with pushes of later times.
  rng r(42);
  event_queue q;
  std::vector<std::tuple<double, std::uint32_t, std::uint8_t>> pending;
  std::uint32_t pushed = 0;
  double now = 0;
  for (int round = 0; round < 20000; ++round) {
    if (pending.empty() || r.uniform() < 0.55) {
      // Coarse times so that ties are frequent.
      const double t = now + static_cast<double>(r.below(50)) * 0.5;
      const auto kind = static_cast<std::uint8_t>(r.below(8));
      q.push(t, kind, pushed);
      pending.emplace_back(t, pushed, kind);
      ++pushed;
    } else {
      const auto it = std::min_element(pending.begin(), pending.end());
      const event e = q.pop();
      ASSERT_DOUBLE_EQ(e.time_s, std::get<0>(*it));
      ASSERT_EQ(e.peer, std::get<1>(*it));
      ASSERT_EQ(e.kind, std::get<2>(*it));
      now = e.time_s;
      pending.erase(it);
    }
    ASSERT_EQ(q.size(), pending.size());
  }
}

}  // namespace
}  // namespace circlecdn::sim
