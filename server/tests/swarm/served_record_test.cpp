#include "swarm/served_record.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;

namespace {
content_hash hash_of(int i) {
  return content_hash::of(std::to_string(i));
}
}  // namespace

TEST(ServedRecord, TakeHandsOverOnceOldestFirst) {
  swarm::served_record r(10, 3);
  auto id = peer_id::random();
  for (int i = 0; i < 5; ++i) r.record(id, hash_of(i));
  r.record(id, hash_of(4));  // duplicates are not recorded twice
  auto got = r.take(id);
  EXPECT_EQ(got, (std::vector<content_hash>{hash_of(2), hash_of(3), hash_of(4)}));
  EXPECT_TRUE(r.take(id).empty());
  EXPECT_EQ(r.ids(), 0u);
}

TEST(ServedRecord, ForgetsLeastRecentlyServedVisitor) {
  swarm::served_record r(2, 4);
  auto a = peer_id::random(), b = peer_id::random(), c = peer_id::random();
  r.record(a, hash_of(1));
  r.record(b, hash_of(1));
  r.record(a, hash_of(2));  // a is now the most recent
  r.record(c, hash_of(1));  // evicts b
  EXPECT_EQ(r.ids(), 2u);
  EXPECT_TRUE(r.take(b).empty());
  EXPECT_EQ(r.take(a).size(), 2u);
  EXPECT_EQ(r.take(c).size(), 1u);
}
