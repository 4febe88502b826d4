#include "swarm/holder_policy.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace std::chrono_literals;
using swarm::candidate;

namespace {
candidate make(std::uint32_t uploads, bool paired = false, std::uint32_t completed = 0) {
  return {peer_id::random(), uploads, 4, false, paired, completed};
}
}  // namespace

TEST(HolderPolicy, NobodyOrOnlySelfIsNoHolder) {
  auto me = peer_id::random();
  EXPECT_EQ(swarm::choose_holder({}, me, 1).miss, swarm::miss_reason::no_holder);
  candidate self = make(0);
  self.id = me;
  std::vector<candidate> c{self};
  auto r = swarm::choose_holder(c, me, 1);
  EXPECT_FALSE(r.index);
  EXPECT_EQ(r.miss, swarm::miss_reason::no_holder);
}

TEST(HolderPolicy, SkipsBusyOptedOutAndPenalised) {
  std::vector<candidate> c{make(4), make(0), make(0)};
  c[1].max_uploads = 0;  // opted out
  c[2].penalised = true;
  auto r = swarm::choose_holder(c, peer_id::random(), 1);
  EXPECT_FALSE(r.index);
  EXPECT_EQ(r.miss, swarm::miss_reason::all_busy);
}

TEST(HolderPolicy, FewestUploadsFirst) {
  std::vector<candidate> c{make(2, true, 50), make(1), make(3)};
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random(), 1).index, 1u);
}

TEST(HolderPolicy, ThenPairedThenMostUploadsCompleted) {
  std::vector<candidate> c{make(1, false, 90), make(1, true, 10), make(1, false, 99)};
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random(), 1).index, 1u);  // reuse the open channel
  c[1].paired_with_wanter = false;
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random(), 1).index, 2u);  // best record
}

// Found by an attacker: holder choice preferred the most recently active, and any message
// refreshed that, so 5 chatty fake holders among 55 got 67 of 100 matches. Now a record of
// completed uploads ranks first, and equals share the wants uniformly.
TEST(HolderPolicy, ChattySquattersLoseToHoldersThatDeliverAndEqualsShare) {
  std::vector<candidate> c;
  for (int i = 0; i < 5; ++i) c.push_back(make(0, false, 0));  // squatters: never completed
  for (int i = 0; i < 50; ++i) c.push_back(make(0, false, 3));
  std::vector<int> chosen(c.size());
  for (std::uint64_t seed = 0; seed < 5000; ++seed)
    ++chosen[*swarm::choose_holder(c, peer_id::random(), seed).index];
  for (int i = 0; i < 5; ++i) EXPECT_EQ(chosen[i], 0) << i;
  for (std::size_t i = 5; i < c.size(); ++i) {  // 100 expected each; 40..200 is a wide margin
    EXPECT_GT(chosen[i], 40) << i;
    EXPECT_LT(chosen[i], 200) << i;
  }
}

TEST(HolderPolicy, OnlyPenalisedOrOptedOutIsNoHolderNotBusy) {
  std::vector<candidate> c{make(0), make(0)};
  c[0].penalised = true;
  c[1].max_uploads = 0;
  auto r = swarm::choose_holder(c, peer_id::random(), 1);
  EXPECT_FALSE(r.index);
  EXPECT_EQ(r.miss, swarm::miss_reason::no_holder);
}

TEST(HolderPolicy, AnAccusedHolderServesOnlyWhenNoUnaccusedHolderHasTheHash) {
  std::vector<candidate> c{make(4), make(0)};  // an honest holder at its cap, an accused free one
  c[1].accused = true;
  auto busy = swarm::choose_holder(c, peer_id::random(), 1);
  EXPECT_FALSE(busy.index);
  EXPECT_EQ(busy.miss, swarm::miss_reason::all_busy);  // the wanter retries the honest one
  c[0].uploads_in_flight = 0;
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random(), 1).index, 0u);
  c[0].penalised = true;  // nobody unaccused left: the accused one is better than the origin
  EXPECT_EQ(swarm::choose_holder(c, peer_id::random(), 1).index, 1u);
}

TEST(FetchingRule, AnotherPeersLiveClaimMakesTheWanterWait) {
  swarm::unheld_facts f;
  f.fetched_by_other = true;
  f.wanter_live_claims = 99;  // the wait does not depend on the wanter's own claims
  EXPECT_EQ(swarm::answer_unheld(f, 16), swarm::unheld_answer::fetching);
}

TEST(FetchingRule, FirstWanterClaimsUpToTheCap) {
  swarm::unheld_facts f;
  for (std::size_t live = 0; live < 16; ++live) {
    f.wanter_live_claims = live;
    EXPECT_EQ(swarm::answer_unheld(f, 16), swarm::unheld_answer::no_holder_claim) << live;
  }
  f.wanter_live_claims = 16;
  EXPECT_EQ(swarm::answer_unheld(f, 16), swarm::unheld_answer::no_holder);
}

TEST(FetchingRule, NoClaimTwiceNorByAPeerThatDoesNotUpload) {
  swarm::unheld_facts twice;
  twice.wanter_claimed_before = true;
  EXPECT_EQ(swarm::answer_unheld(twice, 16), swarm::unheld_answer::no_holder);
  swarm::unheld_facts silent;
  silent.wanter_uploads = false;
  EXPECT_EQ(swarm::answer_unheld(silent, 16), swarm::unheld_answer::no_holder);
}
