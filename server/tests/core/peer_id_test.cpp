#include "core/peer_id.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

using circlecdn::peer_id;

TEST(PeerId, RandomIdsRoundTripAndDiffer) {
  std::unordered_set<peer_id> seen;
  for (int i = 0; i < 1000; ++i) {
    auto p = peer_id::random();
    auto text = p.str();
    ASSERT_EQ(text.size(), 22u);
    ASSERT_EQ(peer_id::parse(text), p);
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(PeerId, RejectsMalformed) {
  EXPECT_FALSE(peer_id::parse(""));
  EXPECT_FALSE(peer_id::parse(std::string(21, 'A')));
  EXPECT_FALSE(peer_id::parse(std::string(23, 'A')));
  EXPECT_FALSE(peer_id::parse(std::string(21, 'A') + "="));
  EXPECT_FALSE(peer_id::parse(std::string(21, 'A') + "/"));
  // The last character carries 2 data bits and 4 spare bits, which must be zero.
  EXPECT_TRUE(peer_id::parse(std::string(21, 'A') + "Q"));
  EXPECT_FALSE(peer_id::parse(std::string(21, 'A') + "B"));
}
