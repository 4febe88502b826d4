// The one-process ledger on its own: holdings kept with the directory, transfers by peer id on
// both sides, fetch claims and their bounds, and a departed peer leaving nothing behind.
#include "swarm/memory_ledger.hpp"
#include "swarm/holder_policy.hpp"

#include <gtest/gtest.h>

#include "swarm/memory_directory.hpp"

using namespace circlecdn;
using namespace circlecdn::swarm;
using namespace std::chrono_literals;

namespace {

struct ledger_fixture : ::testing::Test {
  memory_directory dir;
  memory_ledger ledger{dir, 600s};
  ledger_clock::time_point now = ledger_clock::now();
  peer_id a = peer_id::random(), b = peer_id::random(), c = peer_id::random();
  content_hash h1 = content_hash::of(std::string_view("1"));
  content_hash h2 = content_hash::of(std::string_view("2"));
};

TEST_F(ledger_fixture, HoldingsGoToTheDirectoryAndLeaveWithThePeer) {
  EXPECT_TRUE(ledger.add_holding(a, h1));
  EXPECT_FALSE(ledger.add_holding(a, h1));  // once
  EXPECT_TRUE(ledger.add_holding(a, h2));
  EXPECT_TRUE(ledger.add_holding(b, h1));
  EXPECT_EQ(ledger.holdings_of(a), 2u);
  EXPECT_EQ(dir.holders(h1), 2u);
  EXPECT_TRUE(ledger.remove_holding(a, h2));
  EXPECT_FALSE(ledger.remove_holding(a, h2));
  EXPECT_FALSE(ledger.remove_holding(c, h1));  // never held: no record is made
  EXPECT_EQ(ledger.entries(), 2u);
  ledger.forget(a);
  ledger.forget(b);
  EXPECT_EQ(ledger.entries(), 0u);
  EXPECT_EQ(ledger.records(), 0u);
}

TEST_F(ledger_fixture, TransfersAreKeptOnBothSidesByPeerId) {
  ledger.open_transfer({a, 1, h1, b, now + 60s});
  ledger.open_transfer({c, 1, h1, b, now + 60s});  // the same id from another wanter
  EXPECT_EQ(ledger.uploads_of(b), 2u);
  EXPECT_EQ(ledger.wants_of(a), 1u);
  ASSERT_NE(ledger.find_transfer(a, 1), nullptr);
  EXPECT_EQ(ledger.find_transfer(a, 1)->holder, b);
  auto t = ledger.close_transfer(a, 1);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->holder, b);
  EXPECT_EQ(ledger.uploads_of(b), 1u);  // c's slot stays
  EXPECT_FALSE(ledger.close_transfer(a, 1));
  EXPECT_EQ(ledger.transfers(), 1u);
}

TEST_F(ledger_fixture, ClosingAPeersTransfersListsItsWantsThenItsUploads) {
  ledger.open_transfer({a, 1, h1, b, now + 60s});  // a wants from b
  ledger.open_transfer({c, 7, h2, a, now + 60s});  // c wants from a
  ledger.open_transfer({a, 2, h2, c, now + 60s});  // a wants from c
  auto ended = ledger.close_transfers_of(a);
  ASSERT_EQ(ended.size(), 3u);
  EXPECT_EQ(ended[0].id, 1u);
  EXPECT_EQ(ended[1].id, 2u);
  EXPECT_EQ(ended[2].wanter, c);
  EXPECT_EQ(ledger.uploads_of(b), 0u);
  EXPECT_EQ(ledger.uploads_of(c), 0u);
  EXPECT_EQ(ledger.wants_of(c), 0u);
  EXPECT_EQ(ledger.transfers(), 0u);
}

TEST_F(ledger_fixture, ExpiredTransfersAreTakenOnce) {
  ledger.open_transfer({a, 1, h1, b, now + 10s});
  ledger.open_transfer({a, 2, h2, b, now + 60s});
  EXPECT_TRUE(ledger.take_expired(now + 9s).empty());
  auto expired = ledger.take_expired(now + 10s);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].id, 1u);
  EXPECT_TRUE(ledger.take_expired(now + 10s).empty());
  EXPECT_EQ(ledger.uploads_of(b), 1u);
}

TEST_F(ledger_fixture, FetchClaimsAreBoundedAndLeaveWithTheFetcher) {
  fetch_bounds bounds{1, 4, 100};
  auto may_claim = [&](const peer_id& p, const content_hash& h, ledger_clock::time_point t) {
    auto c = ledger.fetch_claims_of(p, h, t);
    return answer_unheld({false, true, c.claimed_before, c.live}, bounds.claims_per_peer) ==
           unheld_answer::no_holder_claim;
  };
  EXPECT_TRUE(may_claim(a, h1, now));
  ledger.claim_fetch(a, h1, now, now + 10s, bounds);
  EXPECT_EQ(ledger.fetcher(h1, now), a);
  EXPECT_EQ(ledger.fetcher(h1, now + 10s), std::nullopt);  // the claim ran out
  EXPECT_FALSE(may_claim(a, h2, now));                     // one live claim at most
  EXPECT_FALSE(may_claim(a, h1, now + 11s));               // never the same hash again
  EXPECT_TRUE(may_claim(a, h2, now + 11s));
  ledger.claim_fetch(b, h2, now, now + 10s, bounds);
  ledger.fetch_ended(h2);  // announced
  EXPECT_EQ(ledger.fetcher(h2, now), std::nullopt);
  ledger.forget(a);
  EXPECT_EQ(ledger.fetches(), 0u);
}

TEST_F(ledger_fixture, PathRecordsFollowARenameAndGoWithThePeer) {
  ledger.exclude(a, b, now, 10min);
  EXPECT_TRUE(ledger.excluded(a, b, now));
  ledger.rename(a, c);
  EXPECT_FALSE(ledger.excluded(a, b, now));
  EXPECT_TRUE(ledger.excluded(c, b, now));
  for (auto w : {a, c, a}) ledger.record_outcome(b, false, w, now);
  EXPECT_TRUE(ledger.unreachable(b, now));
  ledger.forget(b);
  ledger.forget(c);
  EXPECT_FALSE(ledger.unreachable(b, now));
  EXPECT_EQ(ledger.records(), 0u);
}

// What a cluster mirror is told: every holding added or removed, and whether it was this process's
// first holder of the hash or its last.
TEST_F(ledger_fixture, TheObserverSeesEveryHoldingAndAHashsFirstAndLastHolder) {
  struct recorder : holdings_observer {
    std::vector<std::string> events;
    void holding_added(const content_hash& h, const peer_id& p, bool first) override {
      events.push_back((first ? "+first " : "+ ") + h.hex().substr(0, 4) + " " + p.str());
    }
    void holding_removed(const content_hash& h, const peer_id& p, bool last) override {
      events.push_back((last ? "-last " : "- ") + h.hex().substr(0, 4) + " " + p.str());
    }
  } seen;
  auto e = [](const char* what, const content_hash& h, const peer_id& p) {
    return std::string(what) + " " + h.hex().substr(0, 4) + " " + p.str();
  };
  ledger.set_observer(&seen);
  ledger.add_holding(a, h1);
  ledger.add_holding(b, h1);
  ledger.add_holding(b, h2);
  ledger.remove_holding(a, h1);
  EXPECT_EQ(seen.events, (std::vector<std::string>{e("+first", h1, a), e("+", h1, b),
                                                   e("+first", h2, b), e("-", h1, a)}));
  ledger.forget(b);  // b was the last holder of both
  ASSERT_EQ(seen.events.size(), 6u);
  EXPECT_EQ(seen.events[4].substr(0, 5), "-last");
  EXPECT_EQ(seen.events[5].substr(0, 5), "-last");
  ledger.set_observer(nullptr);
}

}  // namespace
