#include "core/memory_trim.hpp"

#include <gtest/gtest.h>

namespace circlecdn {
namespace {

TEST(MemoryTrim, TrimsOnceWhenACrowdHalvesAndNeverForASmallOne) {
  memory_trim t;
  for (std::size_t n : {10u, 400u, 900u, 200u, 0u}) EXPECT_FALSE(t.observe(n));  // never a crowd
  EXPECT_FALSE(t.observe(5000));
  EXPECT_FALSE(t.observe(2600));  // more than half still online
  EXPECT_TRUE(t.observe(2500));   // half left: give the memory back
  EXPECT_FALSE(t.observe(2400));  // the mark starts again at 2,500
  EXPECT_FALSE(t.observe(1300));
  EXPECT_TRUE(t.observe(1000));
  EXPECT_TRUE(t.observe(0));   // the last 1,000 left
  EXPECT_FALSE(t.observe(0));  // nothing more to give back
  EXPECT_FALSE(t.observe(600));
  EXPECT_FALSE(t.observe(100));  // 600 was no crowd
  EXPECT_EQ(t.trims(), 3u);
}

TEST(MemoryTrim, ACrowdThatCameAndWentBetweenTwoLooksCounts) {
  memory_trim t;
  EXPECT_FALSE(t.observe(10));
  EXPECT_TRUE(t.observe(0, 5000));  // 5,000 joined and left within one second
}

}  // namespace
}  // namespace circlecdn
