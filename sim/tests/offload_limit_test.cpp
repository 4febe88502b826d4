// The offload limit: every resource once from the origin, the rest from peers.
#include "observe/offload_limit.hpp"

#include <gtest/gtest.h>

namespace circlecdn::sim {
namespace {

TEST(OffloadLimit, NothingRequestedIsZero) {
  offload_limit limit(10);
  EXPECT_EQ(limit.ratio(), 0.0);
}

TEST(OffloadLimit, FirstFetchOfEachResourceIsTheOrigin) {
  offload_limit limit(10);
  limit.note(3, 100);
  limit.note(3, 100);
  limit.note(3, 100);
  limit.note(7, 50);
  EXPECT_EQ(limit.total_bytes(), 350u);
  EXPECT_EQ(limit.origin_bytes(), 150u);
  EXPECT_DOUBLE_EQ(limit.ratio(), 1.0 - 150.0 / 350.0);
}

TEST(OffloadLimit, AllDistinctMeansNoOffload) {
  offload_limit limit(4);
  for (std::uint32_t r = 0; r < 4; ++r) limit.note(r, 10 + r);
  EXPECT_EQ(limit.ratio(), 0.0);
}

TEST(OffloadLimit, ApproachesOneForOneHotResource) {
  offload_limit limit(1);
  for (int i = 0; i < 1000; ++i) limit.note(0, 1000);
  EXPECT_DOUBLE_EQ(limit.ratio(), 0.999);
}

}  // namespace
}  // namespace circlecdn::sim
