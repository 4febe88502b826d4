#include "swarm/memory_directory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

using namespace circlecdn;

namespace {
content_hash hash_of(int i) {
  return content_hash::of(std::to_string(i));
}
}  // namespace

TEST(MemoryDirectory, AddIsIdempotentAndRemoveCleansUp) {
  swarm::memory_directory d;
  auto a = peer_id::random(), b = peer_id::random();
  d.add(hash_of(1), a);
  d.add(hash_of(1), a);
  d.add(hash_of(1), b);
  EXPECT_EQ(d.entries(), 2u);
  EXPECT_EQ(d.holders(hash_of(1)), 2u);
  d.remove(hash_of(1), a);
  d.remove(hash_of(1), a);  // twice is harmless
  d.remove(hash_of(2), a);  // unknown hash is harmless
  EXPECT_EQ(d.entries(), 1u);
  d.remove(hash_of(1), b);
  EXPECT_EQ(d.entries(), 0u);
  EXPECT_EQ(d.hashes(), 0u);
}

// Crosses the index threshold both ways with random removals and checks against a reference set.
TEST(MemoryDirectory, LargeHolderSetsStayConsistent) {
  swarm::memory_directory d;
  std::vector<peer_id> peers(500);
  for (auto& p : peers) p = peer_id::random();
  std::set<peer_id> reference;
  for (auto& p : peers) {
    d.add(hash_of(7), p);
    reference.insert(p);
  }
  std::mt19937 rng(42);
  std::shuffle(peers.begin(), peers.end(), rng);
  for (std::size_t i = 0; i < peers.size(); ++i) {
    d.remove(hash_of(7), peers[i]);
    reference.erase(peers[i]);
    ASSERT_EQ(d.holders(hash_of(7)), reference.size());
    if (i % 37 == 0 && !reference.empty()) {
      std::vector<peer_id> all;
      d.sample(hash_of(7), 10'000, all);
      ASSERT_EQ(std::set<peer_id>(all.begin(), all.end()), reference);
    }
  }
  EXPECT_EQ(d.entries(), 0u);
}

TEST(MemoryDirectory, SampleRotatesOverAllHolders) {
  swarm::memory_directory d;
  std::set<peer_id> all;
  for (int i = 0; i < 10; ++i) {
    auto p = peer_id::random();
    all.insert(p);
    d.add(hash_of(3), p);
  }
  std::set<peer_id> seen;
  std::vector<peer_id> out;
  for (int i = 0; i < 5; ++i) {
    d.sample(hash_of(3), 2, out);
    ASSERT_EQ(out.size(), 2u);
    seen.insert(out.begin(), out.end());
  }
  EXPECT_EQ(seen, all);
  d.sample(hash_of(99), 2, out);
  EXPECT_TRUE(out.empty());
}
