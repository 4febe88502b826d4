// `--routing ring` over real WebSockets against the real server: the ring orders as peers join
// and leave, the links (one offerer each) and the signals they allow, a ring `connect` answered
// as a want, `miss_token` with the crowd's reasons, and the attacks on each (named after them).
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "integration/routing_support.hpp"
#include "support/prom_text.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using namespace circlecdn::test::routing_support;
using boost::json::value;

namespace {

struct ring_view {
  std::map<std::string, std::string> serving, served;  // the last `ring` order of each peer
  // link orders: (receiver, peer) -> offers (true/false) in arrival order
  std::map<std::pair<std::string, std::string>, std::vector<bool>> links;
};

// Reads everything queued for each client and folds it into the view.
void fold(ring_view& v, std::vector<std::unique_ptr<ws_client>>& peers) {
  for (auto& c : peers) {
    for (auto& o : c->drain()) {
      if (o["type"] == "ring") {
        v.serving[c->peer()] = id_or_null(o["serving"]);
        v.served[c->peer()] = id_or_null(o["served"]);
      } else if (o["type"] == "link") {
        EXPECT_EQ(o["reason"], "ring");
        v.links[{c->peer(), str(o["peer"])}].push_back(o["offer"].as_bool());
      }
    }
  }
}

std::vector<std::unique_ptr<ws_client>> join(std::uint16_t port, int n) {
  std::vector<std::unique_ptr<ws_client>> peers;
  for (int i = 0; i < n; ++i) peers.push_back(std::make_unique<ws_client>(port));
  return peers;
}

// The serving pointers of `ids` form one circle through all of them, and `served` is its reverse.
void expect_one_circle(const ring_view& v, const std::vector<std::string>& ids) {
  std::set<std::string> seen;
  std::string at = ids.front();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(v.serving.contains(at)) << at << " got no ring order";
    seen.insert(at);
    auto next = v.serving.at(at);
    ASSERT_TRUE(v.served.contains(next)) << next;
    EXPECT_EQ(v.served.at(next), at);
    at = next;
  }
  EXPECT_EQ(at, ids.front()) << "the serving pointers do not close a circle";
  EXPECT_EQ(seen.size(), ids.size()) << "the circle misses peers";
}

}  // namespace

TEST(RingRouting, WelcomeNamesTheRingAndItsNumbers) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client a(site.port);
  auto r = a.welcome().at("routing").as_object();
  EXPECT_EQ(r["strategy"], "ring");
  EXPECT_EQ(r["max_hops"], 16);
  EXPECT_EQ(r["deadline_ms"], 2000);
  // Alone: no neighbours.
  auto ring = a.read_type("ring");
  EXPECT_TRUE(ring["serving"].is_null());
  EXPECT_TRUE(ring["served"].is_null());
  EXPECT_EQ(stats(site.port)["routing"], "ring");
}

TEST(RingRouting, TheTrackerModeWelcomeSaysTracker) {
  test_site site;
  ws_client a(site.port);
  EXPECT_EQ(a.welcome().at("routing"), boost::json::parse(R"({"strategy":"tracker"})"));
  EXPECT_TRUE(a.drain().empty());  // no ring orders
}

TEST(RingRouting, FivePeersJoinIntoOneCircleWithOneOffererPerLink) {
  test_site site(8, mode(routing::strategy::ring));
  auto peers = join(site.port, 5);
  ring_view v;
  fold(v, peers);
  std::vector<std::string> ids;
  for (auto& c : peers) ids.push_back(c->peer());
  expect_one_circle(v, ids);
  for (const auto& id : ids) {
    const auto& next = v.serving.at(id);
    // Each neighbour link was ordered once, with one offerer: the peer behind (for which the
    // other is `serving`) or, for the link made when two peers were alone, the newcomer.
    auto there = v.links[std::pair(id, next)], back = v.links[std::pair(next, id)];
    ASSERT_EQ(there.size(), 1u) << id << " -> " << next;
    ASSERT_EQ(back.size(), 1u) << next << " <- " << id;
    EXPECT_NE(there[0], back[0]) << "a link needs exactly one offerer";
  }
  // Only links made in a circle of three or more are followed here: their offerer is behind.
  std::size_t behind_offers = 0;
  for (const auto& id : ids) behind_offers += v.links[std::pair(id, v.serving.at(id))][0];
  EXPECT_GE(behind_offers, ids.size() - 1);
  EXPECT_EQ(stats(site.port)["ring_members"], 5);

  // Signals do not relay between peers that are not neighbours (some were, before a splice)...
  for (auto& c : peers) {
    for (auto& other : peers) {
      if (other->peer() == c->peer() || other->peer() == v.serving.at(c->peer()) ||
          other->peer() == v.served.at(c->peer()))
        continue;
      c->send(signal_to(other->peer()));
      EXPECT_EQ(next_error(*c), "not_paired") << "a signal reached a non-neighbour";
    }
  }
  // ...and relay between neighbours.
  for (auto& c : peers) c->send(signal_to(v.serving.at(c->peer())));
  for (auto& c : peers) {
    auto got = of_type(c->drain(), "signal");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(str(got[0]["from"]), v.served.at(c->peer()));
  }
}

TEST(RingRouting, ACloseJoinsTheLeaversNeighboursAtOnce) {
  test_site site(8, mode(routing::strategy::ring));
  auto peers = join(site.port, 4);
  ring_view v;
  fold(v, peers);
  auto& leaver = peers[2];
  const auto gone = leaver->peer();
  const auto before = v.served.at(gone), after = v.serving.at(gone);
  leaver->close();
  ws_client* a = nullptr;
  ws_client* b = nullptr;
  for (auto& c : peers) {
    if (c->peer() == before) a = c.get();
    if (c->peer() == after) b = c.get();
  }
  ASSERT_TRUE(a && b);
  auto ra = a->read_type("ring");
  EXPECT_EQ(str(ra["serving"]), after);
  auto la = a->read_type("link");
  EXPECT_EQ(str(la["peer"]), after);
  EXPECT_EQ(la["offer"], true);
  auto rb = b->read_type("ring");
  EXPECT_EQ(str(rb["served"]), before);
  auto lb = b->read_type("link");
  EXPECT_EQ(str(lb["peer"]), before);
  EXPECT_EQ(lb["offer"], false);
  // The new neighbours signal each other; the leaver is no one's partner any more.
  a->send(signal_to(after));
  EXPECT_EQ(str(b->read_type("signal")["from"]), before);
  a->send(signal_to(gone));
  EXPECT_EQ(next_error(*a), "not_paired");
  EXPECT_EQ(stats(site.port)["ring_members"], 3);
}

// A peer that vanishes without a close (a laptop lid shut) is repaired once the ping timeout
// drops it: its neighbours get their orders then.
TEST(RingRouting, ASilentLeaverIsRepairedAfterThePingTimeout) {
  auto cfg = mode(routing::strategy::ring);
  cfg.limits.ping_after = std::chrono::seconds(1);
  test_site site(8, cfg);
  auto peers = join(site.port, 3);
  ring_view v;
  fold(v, peers);
  auto& silent = peers[0];  // never reads again: it answers no ping
  const auto before = v.served.at(silent->peer()), after = v.serving.at(silent->peer());
  ws_client* a = peers[1]->peer() == before ? peers[1].get() : peers[2].get();
  ws_client* b = a == peers[1].get() ? peers[2].get() : peers[1].get();
  // Both others read (which answers the server's pings), each on its own thread.
  boost::json::object order_b;
  std::thread reader([&] { order_b = b->read_type("ring"); });
  auto order = a->read_type("ring");
  reader.join();
  EXPECT_EQ(str(order["serving"]), after);
  EXPECT_EQ(str(order["served"]), after);  // two left: each is both neighbours of the other
  EXPECT_EQ(str(order_b["serving"]), before);
  EXPECT_EQ(stats(site.port)["ring_members"], 2);
}

TEST(RingRouting, TheLastTwoAreEachOthersBothNeighboursWithOneLink) {
  test_site site(8, mode(routing::strategy::ring));
  auto peers = join(site.port, 3);
  ring_view v;
  fold(v, peers);
  peers[0]->close();
  // The two left were linked already: new orders, no new link.
  std::vector<boost::json::object> got1 = peers[1]->drain(), got2 = peers[2]->drain();
  for (auto* got : {&got1, &got2}) {
    auto rings = of_type(*got, "ring");
    ASSERT_EQ(rings.size(), 1u);
    EXPECT_TRUE(of_type(*got, "link").empty());
  }
  EXPECT_EQ(str(of_type(got1, "ring")[0]["serving"]), peers[2]->peer());
  EXPECT_EQ(str(of_type(got1, "ring")[0]["served"]), peers[2]->peer());
  peers[1]->close();
  auto alone = peers[2]->read_type("ring");
  EXPECT_TRUE(alone["serving"].is_null());
  EXPECT_TRUE(alone["served"].is_null());
}

TEST(RingRouting, RingConnectIsAWantThatChoseItsHolder) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client holder(site.port), wanter(site.port), other(site.port);
  holder.send(announce(1));
  other.send(announce(1));
  holder.drain();
  other.drain();
  wanter.drain();
  wanter.send(connect_ring(7, holder.peer(), test_site::hash(1)));
  auto m = wanter.read_type("match");
  EXPECT_EQ(m["id"], 7);
  EXPECT_EQ(str(m["peer"]), holder.peer());  // the one named, though another holds it too
  EXPECT_EQ(m["connect"], true);
  auto p = holder.read_type("push");
  EXPECT_EQ(str(p["peer"]), wanter.peer());
  EXPECT_TRUE(of_type(other.drain(), "push").empty());
  // The pairing is a want's: its signals relay, `done` ends it, reports about it count.
  wanter.send(signal_to(holder.peer()));
  EXPECT_EQ(holder.read_type("signal")["from"], value(wanter.peer()));
  wanter.send(R"({"type":"done","id":7,"ok":true,"bytes":15})");
  EXPECT_TRUE(of_type(wanter.drain(), "error").empty());
  auto s = stats(site.port);
  EXPECT_EQ(s["matches"], 1);
  EXPECT_EQ(s["routing_connects"], 1);
  EXPECT_EQ(s["wants"], 5);  // drain()'s marker wants only: a ring connect is not a want
}

TEST(RingRouting, RingConnectToAPeerWithoutTheHashIsAMissNotAPairing) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client victim(site.port), attacker(site.port);
  victim.drain();
  attacker.drain();
  // The victim announced nothing: naming it does not pair the attacker with it.
  attacker.send(connect_ring(1, victim.peer(), test_site::hash(2)));
  auto m = attacker.read_type("miss");
  EXPECT_EQ(m["reason"], "no_holder");
  EXPECT_FALSE(str(m["token"]).empty());
  EXPECT_TRUE(of_type(victim.drain(), "push").empty());
  // Neighbours of two peers: they are paired by the ring, but a third peer is not.
  ws_client third(site.port);
  third.drain();
  victim.send(announce(2));
  victim.drain();
  // Busy holder: every upload slot taken means all_busy, like a want.
  for (int i = 0; i < 4; ++i) {
    third.send(connect_ring(10 + i, victim.peer(), test_site::hash(2)));
    EXPECT_EQ(third.read_type("match")["peer"], value(victim.peer()));
  }
  attacker.send(connect_ring(2, victim.peer(), test_site::hash(2)));
  EXPECT_EQ(attacker.read_type("miss")["reason"], "all_busy");
}

TEST(RingRouting, RingConnectObeysTheWantIdRules) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client holder(site.port), wanter(site.port);
  holder.send(announce(3));
  holder.drain();
  wanter.drain();
  wanter.send(connect_ring(5, holder.peer(), test_site::hash(3)));
  wanter.read_type("match");
  wanter.send(connect_ring(5, holder.peer(), test_site::hash(3)));
  EXPECT_EQ(next_error(wanter), "duplicate_id");
  wanter.send(R"({"type":"want","id":5,"hash":")" + test_site::hash(3) + R"("})");
  EXPECT_EQ(next_error(wanter), "duplicate_id");
}

TEST(RingRouting, MissTokenCarriesTheCrowdsReasonAndIsCounted) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client a(site.port);
  a.drain();
  a.send(miss_token(3, test_site::hash(4), "ring_came_back"));
  auto m = a.read_type("miss");
  EXPECT_EQ(m["id"], 3);
  EXPECT_EQ(m["reason"], "ring_came_back");
  EXPECT_EQ(m["hash"], value(test_site::hash(4)));
  // A real miss token: the origin counts it on its file.
  auto res = get(site.port, "/f4.txt", {{"X-Circle-Miss", str(m["token"])}});
  EXPECT_EQ(res.result_int(), 200);
  auto s = stats(site.port);
  EXPECT_EQ(s["miss_tokens_valid"], 1);
  EXPECT_EQ(s["crowd_misses"].as_object()["ring_came_back"], 1);
  EXPECT_EQ(s["misses"], 1);  // drain()'s marker: the tracker's own misses are apart
  auto scrape = parse_prom_text(get(site.port, "/metrics", operator_auth()).body());
  EXPECT_EQ(scrape.at(R"(circlecdn_crowd_misses_total{reason="ring_came_back",strategy="ring"})"),
            1);
  EXPECT_EQ(scrape.at(R"(circlecdn_crowd_misses_total{reason="ring_ttl",strategy="ring"})"), 0);
  EXPECT_EQ(scrape.at(R"(circlecdn_crowd_misses_total{reason="chord_no_record",strategy="chord"})"),
            0);
}

// A library asking for miss tokens in a loop: each counts among its wants in flight until the
// origin sees it (or the want timeout passes), so it cannot mint tokens without bound.
TEST(RingRouting, MissTokenFloodStopsAtTheWantsInFlight) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client a(site.port);
  a.drain();
  std::string first_token;
  for (int i = 1; i <= 16; ++i) {
    a.send(miss_token(i, test_site::hash(i % 8), "ring_ttl"));
    auto m = a.read_type("miss");
    if (i == 1) first_token = str(m["token"]);
  }
  a.send(miss_token(17, test_site::hash(1), "ring_ttl"));
  EXPECT_EQ(next_error(a), "too_many_wants");
  a.send(miss_token(3, test_site::hash(1), "ring_ttl"));
  EXPECT_EQ(next_error(a), "duplicate_id");
  // The origin sees one: one more is allowed.
  get(site.port, "/f1.txt", {{"X-Circle-Miss", first_token}});
  a.send(miss_token(18, test_site::hash(1), "ring_ttl"));
  EXPECT_EQ(a.read_type("miss")["id"], 18);
  a.send(miss_token(19, test_site::hash(1), "ring_ttl"));
  EXPECT_EQ(next_error(a), "too_many_wants");
}

TEST(RingRouting, MessagesOfAnotherStrategyAreWrongRouting) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client a(site.port), b(site.port);
  a.drain();
  a.send(connect_chord(b.peer(), "finger"));
  EXPECT_EQ(next_error(a), "wrong_routing");
  a.send(unlink(b.peer()));
  EXPECT_EQ(next_error(a), "wrong_routing");
  a.send(miss_token(1, test_site::hash(1), "chord_no_record"));
  EXPECT_EQ(next_error(a), "wrong_routing");
}

TEST(RingRouting, TrackerModeRefusesRingMessages) {
  test_site site;
  ws_client a(site.port), b(site.port);
  b.send(announce(1));
  b.drain();
  a.send(connect_ring(1, b.peer(), test_site::hash(1)));
  EXPECT_EQ(next_error(a), "wrong_routing");
  a.send(miss_token(2, test_site::hash(1), "ring_came_back"));
  EXPECT_EQ(next_error(a), "wrong_routing");
  EXPECT_TRUE(of_type(b.drain(), "push").empty());
}

TEST(RingRouting, ConnectToYourselfOrWithABadReasonIsABadMessage) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client a(site.port);
  a.send(announce(1));
  a.drain();
  a.send(connect_ring(1, a.peer(), test_site::hash(1)));
  EXPECT_EQ(next_error(a), "bad_message");
  a.send(R"({"type":"connect","peer":")" + a.peer() + R"(","reason":"sideways"})");
  EXPECT_EQ(next_error(a), "bad_message");
  a.send(R"({"type":"connect","peer":")" + a.peer() + R"(","reason":"ring"})");  // no id, hash
  EXPECT_EQ(next_error(a), "bad_message");
  a.send(R"({"type":"connect","peer":42,"reason":"ring","id":1,"hash":")" + test_site::hash(1) +
         R"("})");
  EXPECT_EQ(next_error(a), "bad_message");
  a.send(R"({"type":"miss_token","id":1,"hash":")" + test_site::hash(1) +
         R"(","reason":"no_holder"})");
  EXPECT_EQ(next_error(a), "bad_message");
}

// Neighbours are paired so their signals relay, but a link is no want: a neighbour cannot report
// the other to get it penalised.
TEST(RingRouting, ALinkedNeighbourCannotReportItsNeighbour) {
  test_site site(8, mode(routing::strategy::ring));
  ws_client a(site.port), b(site.port);
  b.send(announce(1));
  a.drain();
  b.drain();
  b.send(signal_to(a.peer()));  // the neighbour answered: still no report right
  a.read_type("signal");
  a.send(report(b.peer(), test_site::hash(1)));
  EXPECT_EQ(next_error(a), "not_wanter");
  EXPECT_EQ(stats(site.port)["penalties"], 0);
}

// A resumed id leaves the ring under the old id and joins under the new one.
TEST(RingRouting, ResumeMovesThePeerOnTheRing) {
  test_site site(8, mode(routing::strategy::ring));
  std::string token, old_id;
  {
    ws_client gone(site.port);
    token = str(gone.welcome().at("resume"));
    old_id = gone.peer();
    gone.close();
  }
  ws_client a(site.port), b(site.port);
  a.drain();
  b.drain();
  a.send(R"({"type":"hello","resume":")" + token + R"("})");
  auto w = a.read_type("welcome");
  EXPECT_EQ(str(w["peer"]), old_id);
  auto got = a.drain();
  auto rings = of_type(got, "ring");
  ASSERT_FALSE(rings.empty());
  EXPECT_EQ(str(rings.back()["serving"]), b.peer());
  auto b_rings = of_type(b.drain(), "ring");
  ASSERT_FALSE(b_rings.empty());
  EXPECT_EQ(str(b_rings.back()["serving"]), old_id);
  a.send(signal_to(b.peer()));
  EXPECT_EQ(str(b.read_type("signal")["from"]), old_id);
}
