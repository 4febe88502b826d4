// The tracker's peer-path rules through peer_link recorders: TURN credentials in welcome and their
// renewal, done reasons, and the holder exclusions of fail fast (docs/protocol.md).
#include <gtest/gtest.h>

#include "tracker_fixture.hpp"

using namespace circlecdn;
using namespace circlecdn::signal;
using namespace circlecdn::signal::test;
using namespace std::chrono_literals;
namespace json = boost::json;

// --- ICE servers and TURN credentials ---------------------------------------------------------

namespace {
struct ice_fixture : fixture {
  void SetUp() override {
    ice.stun_urls = {"stun:198.51.100.1:3478"};
    ice.turn_urls = {"turn:198.51.100.1:3478?transport=udp"};
    ice.turn_secret = "lab-turn-secret";
    ice.turn_ttl = 10s;  // tiny, so renewal comes at 8 s (below the 60 s the CLI allows)
    make();
  }
  std::int64_t wall_s(tracker::clock::time_point at) const {
    return std::chrono::duration_cast<std::chrono::seconds>(wall_start.time_since_epoch() +
                                                            (at - steady_start))
        .count();
  }
};
}  // namespace

TEST_F(ice_fixture, WelcomeCarriesIceServersCredentialsAndBudgets) {
  recorder link;
  t->join(link, std::nullopt, now);
  auto w = link.next();
  auto& servers = w["ice_servers"].as_array();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_FALSE(servers[0].as_object().contains("credential"));
  auto& turn = servers[1].as_object();
  auto username = std::string(turn.at("username").as_string());
  EXPECT_EQ(username, std::to_string(wall_s(now) + 10) + ":" + std::string(w["peer"].as_string()));
  EXPECT_FALSE(turn.at("credential").as_string().empty());
  EXPECT_EQ(w["ice_expires"], wall_s(now) + 10);
  EXPECT_EQ(w["ice_transport_policy"], "all");
  EXPECT_EQ(w["connect_timeout"], 5000);
  EXPECT_EQ(w["first_byte_timeout"], 3000);
}

TEST_F(ice_fixture, CredentialsAreRenewedAtEightyPercentOfTheirLife) {
  auto a = join();
  auto start = now;
  t->expire(start + 7s);
  EXPECT_TRUE(a->link.inbox.empty());
  now = start + 8s;
  t->expire(now);
  auto i = a->link.next();
  EXPECT_EQ(i["type"], "ice");
  EXPECT_EQ(i["ice_expires"], wall_s(now) + 10);  // fresh: 10 s from the renewal
  auto& turn = i["ice_servers"].as_array()[1].as_object();
  EXPECT_EQ(turn.at("username"),
            boost::json::value(std::to_string(wall_s(now) + 10) + ":" + a->id));
  // Re-issued each time: the next one comes 8 s after this one.
  t->expire(start + 15s);
  EXPECT_TRUE(a->link.inbox.empty());
  now = start + 16s;
  t->expire(now);
  EXPECT_EQ(a->link.next()["ice_expires"], wall_s(now) + 10);
  EXPECT_EQ(t->counters().ice_renewals, 2u);
}

TEST_F(ice_fixture, RenewalSkipsPeersThatLeftOrWereReissued) {
  auto a = join(), b = join();
  auto start = now;
  t->leave(a->state);
  now = start + 4s;
  send(*b, R"({"type":"hello"})");  // a second welcome: new credentials, renewal moves to 12 s
  EXPECT_EQ(b->link.next_type(), "welcome");
  t->expire(start + 9s);
  EXPECT_TRUE(b->link.inbox.empty());
  t->expire(start + 12s);
  EXPECT_EQ(b->link.next_type(), "ice");
  EXPECT_TRUE(b->link.inbox.empty());
  EXPECT_EQ(t->counters().ice_renewals, 1u);
}

TEST_F(ice_fixture, RenewalQueueStaysBoundedUnderRepeatedHellos) {
  lim.messages_per_s = 1e9;
  lim.message_burst = 1e9;
  make();
  auto a = join(), b = join();
  for (int i = 0; i < 10'000; ++i) send(*a, R"({"type":"hello"})");
  EXPECT_LE(t->ice_renewals_queued(), 2 * t->peers_online() + 64 + 1);
  a->link.inbox.clear();
  t->expire(now + 8s);
  EXPECT_EQ(a->link.next_type(), "ice");  // exactly one renewal each
  EXPECT_EQ(b->link.next_type(), "ice");
  EXPECT_TRUE(a->link.inbox.empty());
}

TEST_F(fixture, WithoutTurnSecretNothingExpiresOrIsRenewed) {
  ice.stun_urls = {"stun:198.51.100.1:3478"};
  ice.relay_only = false;
  make();
  auto a = join();
  t->expire(now + 10h);
  EXPECT_TRUE(a->link.inbox.empty());
  EXPECT_EQ(t->ice_renewals_queued(), 0u);
  recorder link;
  t->join(link, std::nullopt, now);
  auto w = link.next();
  EXPECT_EQ(w["ice_servers"].as_array().size(), 1u);
  EXPECT_FALSE(w.contains("ice_expires"));
}

// --- Fail fast: done reasons and the holder rules --------------------------------------------

namespace {
std::string done_msg_text(int id, bool ok, std::string_view reason = {}) {
  std::string s =
      R"({"type":"done","id":)" + std::to_string(id) + R"(,"ok":)" + (ok ? "true" : "false");
  if (!reason.empty()) s += R"(,"reason":")" + std::string(reason) + '"';
  return s + "}";
}
}  // namespace

TEST_F(fixture, FailuresAreCountedByReason) {
  auto h = join(), w = join();
  announce(*h, 1);
  int id = 0;
  for (auto reason : {"connect_failed", "timeout", "closed", ""}) {
    now += 11min;  // past the exclusion, so h is offered again
    want(*w, ++id, 1);
    ASSERT_EQ(w->link.next_type(), "match");
    send(*w, done_msg_text(id, false, reason));
  }
  EXPECT_EQ(t->counters().paths_failed_connect, 1u);
  EXPECT_EQ(t->counters().paths_failed_timeout, 1u);
  EXPECT_EQ(t->counters().paths_failed_closed, 2u);  // no reason = closed
  send(*w, R"({"type":"done","id":1,"ok":false,"reason":"lost"})");
  auto e = w->link.next();
  EXPECT_EQ(e["code"], "bad_message");
  EXPECT_NE(e["message"].as_string().find("reason"), std::string::npos);
}

TEST_F(fixture, FailedHolderIsNotOfferedAgainToThatWanterAndTheNextWantGetsAnother) {
  auto h1 = join(), h2 = join(), a = join(), b = join();
  announce(*h1, 1);
  announce(*h2, 1);
  want(*a, 1, 1);
  auto first = a->link.next();
  ASSERT_EQ(first["type"], "match");
  auto failed = std::string(first["peer"].as_string());
  auto other = failed == h1->id ? h2->id : h1->id;
  send(*a, done_msg_text(1, false, "connect_failed"));
  // At once, the other holder, however often a asks.
  for (int i = 2; i < 6; ++i) {
    want(*a, i, 1);
    auto m = a->link.next();
    ASSERT_EQ(m["type"], "match");
    EXPECT_EQ(m["peer"], boost::json::value(other));
    send(*a, done_msg_text(i, true));
  }
  // The exclusion is a's alone: b is still offered the failed holder (once the other one, which
  // now has the better record, has dropped the hash for a moment).
  auto& other_peer = *(failed == h1->id ? h2 : h1);
  send(other_peer, R"({"type":"drop","hashes":[")" + hash_of(1).hex() + R"("]})");
  want(*b, 1, 1);
  EXPECT_EQ(b->link.next()["peer"], boost::json::value(failed));
  send(*b, done_msg_text(1, true));
  announce(other_peer, 1);
  // When a has failed with both, its next want is a miss, at once.
  want(*a, 7, 1);
  ASSERT_EQ(a->link.next()["peer"], boost::json::value(other));
  send(*a, done_msg_text(7, false, "timeout"));
  want(*a, 8, 1);
  auto miss = a->link.next();
  EXPECT_EQ(miss["type"], "miss");
  EXPECT_EQ(miss["reason"], "no_holder");
  // Ten minutes later both get another try.
  now += path_rules::exclusion_life;
  want(*a, 9, 1);
  EXPECT_EQ(a->link.next_type(), "match");
}

TEST_F(fixture, HolderFailingWithTwoWantersStopsBeingChosenThenGetsAnotherChance) {
  auto h = join(), spare = join(), a = join(), b = join(), c = join();
  announce(*h, 1);
  announce(*h, 2);
  // a's two resources both go to h (in flight together), b's one too; all three fail.
  want(*a, 1, 1);
  want(*a, 2, 2);
  want(*b, 1, 1);
  for (auto* p : {a.get(), a.get(), b.get()})
    ASSERT_EQ(p->link.next()["peer"], boost::json::value(h->id));
  send(*a, done_msg_text(1, false, "connect_failed"));
  send(*a, done_msg_text(2, false, "connect_failed"));
  EXPECT_EQ(t->counters().holders_unreachable, 0u);  // one wanter alone: not enough
  send(*b, done_msg_text(1, false, "timeout"));
  EXPECT_EQ(t->counters().holders_unreachable, 1u);
  // A third wanter is not offered h: another holder, or a miss.
  want(*c, 1, 1);
  EXPECT_EQ(c->link.next()["reason"], "no_holder");
  announce(*spare, 2);
  want(*c, 2, 2);
  EXPECT_EQ(c->link.next()["peer"], boost::json::value(spare->id));
  send(*c, done_msg_text(2, true));
  // After five minutes h is offered again.
  now += path_rules::unreachable_for;
  want(*c, 3, 1);
  EXPECT_EQ(c->link.next()["peer"], boost::json::value(h->id));
}

TEST_F(fixture, OneWanterFailingOverAndOverCannotMakeAHolderUnreachable) {
  auto h = join(), a = join(), c = join();
  announce(*h, 1);
  for (int i = 1; i <= 10; ++i) {
    want(*a, i, 1);
    ASSERT_EQ(a->link.next()["peer"], boost::json::value(h->id));
    send(*a, done_msg_text(i, false, "connect_failed"));
    now += path_rules::exclusion_life;
  }
  EXPECT_EQ(t->counters().holders_unreachable, 0u);
  want(*c, 1, 1);
  EXPECT_EQ(c->link.next()["peer"], boost::json::value(h->id));
}

TEST_F(fixture, SuccessesKeepAHolderChosenDespiteSomeFailures) {
  auto h = join(), a = join(), b = join(), c = join(), d = join();
  announce(*h, 1);
  int id = 0;
  for (auto* ok : {c.get(), d.get(), c.get()}) {  // three successes first
    want(*ok, ++id, 1);
    ASSERT_EQ(ok->link.next_type(), "match");
    send(*ok, done_msg_text(id, true));
  }
  for (auto* bad : {a.get(), b.get(), d.get()}) {  // then three failures from three wanters
    want(*bad, ++id, 1);
    ASSERT_EQ(bad->link.next_type(), "match");
    send(*bad, done_msg_text(id, false, "closed"));
  }
  EXPECT_EQ(t->counters().holders_unreachable, 0u);  // 3 failures, 3 successes: not "mostly"
  want(*c, ++id, 1);
  EXPECT_EQ(c->link.next()["peer"], boost::json::value(h->id));
}

TEST_F(fixture, TimeoutExcludesTheHolderForAMinuteOnly) {
  auto h = join(), a = join();
  announce(*h, 1);
  want(*a, 1, 1);
  ASSERT_EQ(a->link.next_type(), "match");
  send(*a, done_msg_text(1, false, "timeout"));
  want(*a, 2, 1);
  EXPECT_EQ(a->link.next()["reason"], "no_holder");
  // The channel had opened: a slow holder, not an unreachable one, gets another try soon.
  now += path_rules::timeout_exclusion_life;
  want(*a, 3, 1);
  EXPECT_EQ(a->link.next()["peer"], boost::json::value(h->id));
}

TEST_F(fixture, SupersededFreesTheSlotAndNeitherBlamesNorCreditsTheHolder) {
  auto h = join(), a = join(), b = join(), c = join();
  announce(*h, 1);
  int id = 0;
  for (int round = 0; round < 4; ++round)
    for (auto* p : {a.get(), b.get()}) {
      want(*p, ++id, 1);
      ASSERT_EQ(p->link.next()["peer"], boost::json::value(h->id));  // never excluded
      send(*p, done_msg_text(id, false, "superseded"));
    }
  EXPECT_EQ(t->counters().holders_unreachable, 0u);
  EXPECT_EQ(t->counters().paths_failed_connect + t->counters().paths_failed_timeout +
                t->counters().paths_failed_closed,
            0u);
  // Its slot was freed each time, and it was not credited: a holder with one real success ranks
  // above it for a wanter paired with neither.
  auto g = join(), d = join();
  send(*h, R"({"type":"drop","hashes":[")" + hash_of(1).hex() + R"("]})");
  announce(*g, 1);
  want(*c, ++id, 1);
  ASSERT_EQ(c->link.next()["peer"], boost::json::value(g->id));
  send(*c, done_msg_text(id, true));
  announce(*h, 1);
  want(*d, ++id, 1);
  EXPECT_EQ(d->link.next()["peer"], boost::json::value(g->id));
}

TEST_F(fixture, HolderIsToldToStopPushingWhenTheWanterGivesUp) {
  auto h = join(), a = join();
  announce(*h, 1);
  int id = 0;
  for (auto reason : {"superseded", "timeout", "connect_failed", "closed"}) {
    now += path_rules::exclusion_life;
    want(*a, ++id, 1);
    auto m = a->link.next();
    ASSERT_EQ(m["type"], "match") << boost::json::serialize(m);
    ASSERT_EQ(h->link.next_type(), "push");
    send(*a, done_msg_text(id, false, reason));
    auto c = h->link.next();
    // A failed path also asks the holder to prove it holds the hash (tracker_checks.cpp).
    if (c["type"] == "challenge") c = h->link.next();
    EXPECT_EQ(c["type"], "cancel") << reason;
    EXPECT_EQ(c["role"], "holder");
    EXPECT_EQ(c["reason"], "abandoned");
    EXPECT_EQ(c["id"], id);
  }
  now += path_rules::exclusion_life;
  want(*a, ++id, 1);
  ASSERT_EQ(a->link.next_type(), "match");
  ASSERT_EQ(h->link.next_type(), "push");
  send(*a, done_msg_text(id, true));
  EXPECT_TRUE(h->link.inbox.empty());  // a finished want: nothing to stop
}
