// What one peer can learn about others, and make them receive, through the tracker: holder
// enumeration is bounded per minute (browsing inference), and a peer flooding its partner with
// signals is cut off at the pairing's cap with an error to itself.
#include <set>

#include "tracker_fixture.hpp"

namespace circlecdn::signal::test {
namespace {

using namespace std::chrono_literals;

// Found by thinking as an attacker: every match pairs the wanter with a random holder, so wanting
// one hash again and again used to reveal every holder of it (and their addresses once connected).
TEST_F(fixture, EnumeratingHoldersIsCappedPerMinuteButKnownHoldersStillServe) {
  lim.new_holders_per_min = 3;
  make();
  std::vector<std::unique_ptr<peer>> holders;
  for (int i = 0; i < 6; ++i) {
    holders.push_back(join());
    announce(*holders.back(), 1);
  }
  // The spy never finishes its wants: every holder keeps a clean record, so each match is a
  // random one of the six, and a busy holder (4 uploads) sends the next want elsewhere.
  auto spy = join();
  std::set<std::string> learned;
  for (int id = 1; id <= 12; ++id) {
    want(*spy, id, 1);
    auto m = spy->link.next();
    ASSERT_EQ(m["type"], "match") << id;  // known holders still serve once the budget is spent
    learned.insert(std::string(m["peer"].as_string()));
  }
  EXPECT_EQ(learned.size(), 3u);  // of 6 holders: 3 known holders x 4 uploads = 12 matches

  auto other = join();  // the only holder of hash 2, a stranger to the spy
  announce(*other, 2);
  want(*spy, 20, 2);
  auto miss = spy->link.next();
  EXPECT_EQ(miss["type"], "miss");
  EXPECT_EQ(miss["reason"], "holder_rate");  // the origin serves it; the holder stays unknown
  EXPECT_EQ(t->counters().misses_by_reason[4], 1u);

  now += 21s;  // the bucket refills 3 a minute: one more stranger may be met
  want(*spy, 21, 2);
  auto m = spy->link.next();
  EXPECT_EQ(m["type"], "match");
  EXPECT_EQ(m["peer"], boost::json::value(other->id));
}

// Found by thinking as an attacker: a pairing let one peer push unlimited signals at its partner
// through the server (each up to 12 KiB). Past the cap they are dropped, the sender is told, and
// the receiver, who did nothing, stays connected.
TEST_F(fixture, SignalFloodToOnePartnerIsDroppedWithAnErrorToTheSender) {
  lim.signals_per_pairing = 5;
  make();
  auto a = join(), b = join();
  announce(*a, 1);
  want(*b, 1, 1);
  b->link.inbox.clear();
  a->link.inbox.clear();
  std::string to_a =
      R"({"type":"signal","to":")" + a->id + R"(","data":{"candidate":{"candidate":"x"}}})";
  for (int i = 0; i < 8; ++i) send(*b, to_a);
  int relayed = 0;
  while (!a->link.inbox.empty()) relayed += a->link.next()["type"] == "signal";
  EXPECT_EQ(relayed, 5);
  int refused = 0;
  while (!b->link.inbox.empty()) refused += b->link.next()["code"] == "too_many_signals";
  EXPECT_EQ(refused, 3);
  EXPECT_FALSE(a->link.closed);
  EXPECT_FALSE(b->link.closed);
  // a's own signals to b are counted apart: the answer still goes through.
  send(*a, R"({"type":"signal","to":")" + b->id + R"(","data":{"sdp":{"type":"answer"}}})");
  EXPECT_EQ(b->link.next()["type"], "signal");
}

}  // namespace
}  // namespace circlecdn::signal::test
