#include "swarm/holder_policy.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace std::chrono_literals;
using swarm::candidate;

namespace {
const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
candidate make(std::uint32_t uploads, bool paired = false, std::chrono::seconds active = 0s) {
  return {peer_id::random(), uploads, 4, false, paired, t0 + active};
}
}  // namespace

TEST(HolderPolicy, NobodyOrOnlySelfIsNoHolder) {
  auto me = peer_id::random();
  EXPECT_EQ(swarm::choose_holder({}, me).miss_reason, "no_holder");
  candidate self = make(0);
  self.id = me;
  std::vector<candidate> c{self};
  auto r = swarm::choose_holder(c, me);
  EXPECT_FALSE(r.index);
  EXPECT_EQ(r.miss_reason, "no_holder");
}

TEST(HolderPolicy, SkipsBusyOptedOutAndPenalised) {
  std::vector<candidate> c{make(4), make(0), make(0)};
  c[1].max_uploads = 0;  // opted out
  c[2].penalised = true;
  auto r = swarm::choose_holder(c, peer_id::random());
  EXPECT_FALSE(r.index);
  EXPECT_EQ(r.miss_reason, "all_busy");
}

TEST(HolderPolicy, FewestUploadsFirst) {
  std::vector<candidate> c{make(2, true, 50s), make(1), make(3)};
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random()).index, 1u);
}

TEST(HolderPolicy, ThenPairedThenMostRecentlyActive) {
  std::vector<candidate> c{make(1, false, 90s), make(1, true, 10s), make(1, false, 99s)};
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random()).index, 1u);  // reuse the open channel
  c[1].paired_with_wanter = false;
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random()).index, 2u);  // most recently active
}

TEST(HolderPolicy, OnlyPenalisedOrOptedOutIsNoHolderNotBusy) {
  std::vector<candidate> c{make(0), make(0)};
  c[0].penalised = true;
  c[1].max_uploads = 0;
  auto r = swarm::choose_holder(c, peer_id::random());
  EXPECT_FALSE(r.index);
  EXPECT_EQ(r.miss_reason, "no_holder");
}
