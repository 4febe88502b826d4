// `--routing chord` over real WebSockets against the real server: the welcome's bootstrap, the
// routing connections it brokers (connect -> link to both, unlink) and their caps, the counters
// that show lookups did not go through the directory, and the attacks on each (named after them).
#include <gtest/gtest.h>

#include <thread>

#include "core/peer_id.hpp"
#include "integration/routing_support.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using namespace circlecdn::test::routing_support;
using boost::json::value;

namespace {

std::vector<std::unique_ptr<ws_client>> crowd(std::uint16_t port, int n) {
  std::vector<std::unique_ptr<ws_client>> peers;
  for (int i = 0; i < n; ++i) peers.push_back(std::make_unique<ws_client>(port));
  return peers;
}

// Asks for a routing connection and checks both link orders; the asker offers.
void expect_linked(ws_client& asker, ws_client& other, const std::string& reason = "finger") {
  asker.send(connect_chord(other.peer(), reason));
  auto mine = asker.read();
  ASSERT_EQ(mine["type"], "link") << boost::json::serialize(mine);
  EXPECT_EQ(str(mine["peer"]), other.peer());
  EXPECT_EQ(str(mine["reason"]), reason);
  EXPECT_EQ(mine["offer"], true);
  auto theirs = other.read_type("link");
  EXPECT_EQ(str(theirs["peer"]), asker.peer());
  EXPECT_EQ(str(theirs["reason"]), reason);
  EXPECT_EQ(theirs["offer"], false);
}

app::config chord_with(std::uint32_t max_connections, std::uint32_t links_per_peer) {
  auto c = mode(routing::strategy::chord);
  c.limits.routing.chord.max_connections = max_connections;
  c.limits.routing.chord.links_per_peer = links_per_peer;
  return c;
}

}  // namespace

TEST(ChordRouting, WelcomeGivesTheNumbersAndAnotherPeerToBootstrapFrom) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client first(site.port);
  auto r = first.welcome().at("routing").as_object();
  EXPECT_EQ(r["strategy"], "chord");
  EXPECT_TRUE(r["bootstrap"].is_null());  // alone: nobody to ask
  EXPECT_EQ(r["fingers"], 24);
  EXPECT_EQ(r["successors"], 4);
  EXPECT_EQ(r["stabilise_ms"], 5000);
  EXPECT_EQ(r["fix_period_ms"], 120000);
  EXPECT_EQ(r["republish_ms"], 600000);
  EXPECT_EQ(r["record_ttl_ms"], 660000);
  EXPECT_EQ(r["max_connections"], 12);
  EXPECT_EQ(r["deadline_ms"], 2000);
  ws_client second(site.port);
  EXPECT_EQ(str(second.welcome().at("routing").at("bootstrap")), first.peer());
  ws_client third(site.port);
  auto b = str(third.welcome().at("routing").at("bootstrap"));
  EXPECT_TRUE(b == first.peer() || b == second.peer()) << b;
  EXPECT_TRUE(first.drain().empty());  // no ring orders in chord mode
}

TEST(ChordRouting, ConnectLinksBothSidesSignalsRelayAndUnlinkEndsIt) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client a(site.port), b(site.port), c(site.port);
  for (auto reason : {"finger", "successor", "predecessor", "bootstrap", "reply"}) {
    expect_linked(a, b, reason);  // again and again: the same link, counted once
  }
  a.send(signal_to(b.peer()));
  EXPECT_EQ(str(b.read_type("signal")["from"]), a.peer());
  b.send(signal_to(a.peer()));
  EXPECT_EQ(str(a.read_type("signal")["from"]), b.peer());
  // c was linked with nobody: it cannot signal either of them.
  c.send(signal_to(a.peer()));
  EXPECT_EQ(next_error(c), "not_paired");
  // The other side closes the connection: the pairing ends for both.
  b.send(unlink(a.peer()));
  b.drain();  // (b's unlink is handled before a's signal below)
  a.send(signal_to(b.peer()));
  EXPECT_EQ(next_error(a), "not_paired");
  a.send(unlink(b.peer()));
  EXPECT_EQ(next_error(a), "not_paired");
  auto s = stats(site.port);
  EXPECT_EQ(s["routing_connects"], 5);
  EXPECT_EQ(s["routing"], "chord");
}

// The counters that prove lookups went through the crowd: routing connections, no wants.
TEST(ChordRouting, LookupsThroughTheCrowdLeaveTheWantCounterAtZero) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client a(site.port), b(site.port);
  expect_linked(a, b, "successor");
  a.send(miss_token(1, test_site::hash(2), "chord_no_record"));
  auto m = a.read_type("miss");
  EXPECT_EQ(m["reason"], "chord_no_record");
  EXPECT_FALSE(str(m["token"]).empty());
  auto s = stats(site.port);
  EXPECT_EQ(s["wants"], 0);
  EXPECT_EQ(s["routing_connects"], 1);
  EXPECT_EQ(s["crowd_misses"].as_object()["chord_no_record"], 1);
  EXPECT_EQ(s["crowd_misses"].as_object()["ring_came_back"], 0);
}

// One peer asking for connections to the whole crowd: it gets max_connections of them, then
// too_many_links until it unlinks one (a repeat for a linked peer is answered, not counted).
TEST(ChordRouting, ConnectingToTheWholeCrowdStopsAtMaxConnections) {
  test_site site(8, chord_with(3, 48));
  ws_client greedy(site.port);
  auto peers = crowd(site.port, 5);
  for (int i = 0; i < 3; ++i) expect_linked(greedy, *peers[i]);
  greedy.send(connect_chord(peers[3]->peer()));
  EXPECT_EQ(next_error(greedy), "too_many_links");
  EXPECT_TRUE(of_type(peers[3]->drain(), "link").empty());
  expect_linked(greedy, *peers[1], "reply");  // already linked: the orders again
  greedy.send(unlink(peers[0]->peer()));
  expect_linked(greedy, *peers[3]);
  greedy.send(connect_chord(peers[4]->peer()));
  EXPECT_EQ(next_error(greedy), "too_many_links");
  // A partner that leaves frees the count too.
  peers[2]->close();
  for (int i = 0; i < 200; ++i) {  // the close reaches the server asynchronously (a safety net)
    if (stats(site.port)["peers_online"] == 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  expect_linked(greedy, *peers[4]);
}

// Many peers asking one victim for connections: past links_per_peer it is refused, so a crowd of
// fake peers cannot pin a browser under hundreds of connections.
TEST(ChordRouting, ACrowdCannotPinOneVictimUnderConnections) {
  test_site site(8, chord_with(12, 3));
  ws_client victim(site.port);
  auto sybils = crowd(site.port, 4);
  for (int i = 0; i < 3; ++i) expect_linked(*sybils[i], victim);
  sybils[3]->send(connect_chord(victim.peer()));
  EXPECT_EQ(next_error(*sybils[3]), "too_many_links");
  EXPECT_TRUE(of_type(victim.drain(), "link").empty());
}

TEST(ChordRouting, ConnectFloodIsRateLimited) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client a(site.port), b(site.port);
  for (int i = 0; i < 60; ++i) {
    a.send(connect_chord(b.peer()));
    ASSERT_EQ(a.read()["type"], "link") << i;
  }
  a.send(connect_chord(b.peer()));
  EXPECT_EQ(next_error(a), "rate_limited");
  EXPECT_EQ(stats(site.port)["routing_connects"], 60);
}

TEST(ChordRouting, ConnectToAnUnknownPeerOrYourselfIsRefused) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client a(site.port);
  a.send(connect_chord(circlecdn::peer_id::random().str()));
  EXPECT_EQ(next_error(a), "peer_gone");
  a.send(connect_chord(a.peer()));
  EXPECT_EQ(next_error(a), "bad_message");
  a.send(connect_chord(a.peer(), "sideways"));
  EXPECT_EQ(next_error(a), "bad_message");
  a.send(R"({"type":"unlink","peer":"not-an-id"})");
  EXPECT_EQ(next_error(a), "bad_message");
}

TEST(ChordRouting, RingMessagesAreWrongRoutingInChordMode) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client a(site.port), b(site.port);
  b.send(announce(1));
  a.send(connect_ring(1, b.peer(), test_site::hash(1)));
  EXPECT_EQ(next_error(a), "wrong_routing");
  a.send(miss_token(2, test_site::hash(1), "ring_deadline"));
  EXPECT_EQ(next_error(a), "wrong_routing");
  EXPECT_TRUE(of_type(b.drain(), "push").empty());
}

TEST(ChordRouting, TrackerModeRefusesChordConnects) {
  test_site site;
  ws_client a(site.port), b(site.port);
  a.send(connect_chord(b.peer()));
  EXPECT_EQ(next_error(a), "wrong_routing");
  a.send(unlink(b.peer()));
  EXPECT_EQ(next_error(a), "wrong_routing");
  EXPECT_TRUE(b.drain().empty());
}

// A routing connection is no want: the asker cannot report its partner to get it penalised,
// even after the partner answered over it.
TEST(ChordRouting, ALinkedPeerCannotReportItsPartner) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client a(site.port), b(site.port);
  b.send(announce(1));
  expect_linked(a, b);
  b.send(signal_to(a.peer()));
  a.read_type("signal");
  a.send(report(b.peer(), test_site::hash(1)));
  EXPECT_EQ(next_error(a), "not_wanter");
  EXPECT_EQ(stats(site.port)["penalties"], 0);
}

// The tracker still answers `want` in chord mode (the service worker's path), and a want pairing
// with a routing partner is a separate channel (connect:true).
TEST(ChordRouting, WantStillWorksBesideTheRoutingConnections) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client a(site.port), b(site.port);
  b.send(announce(1));
  b.drain();
  expect_linked(a, b);
  a.send(R"({"type":"want","id":4,"hash":")" + test_site::hash(1) + R"("})");
  auto m = a.read_type("match");
  EXPECT_EQ(str(m["peer"]), b.peer());
  EXPECT_EQ(m["connect"], true);
  // Unlinking the routing connection leaves the want's pairing relayable.
  a.send(unlink(b.peer()));
  a.send(signal_to(b.peer()));
  EXPECT_EQ(str(b.read_type("signal")["from"]), a.peer());
}

// A Chord lookup found a holder in the crowd's records: `connect` with reason `chord`, the want's
// id and hash, is a want that chose that holder (match + push, done, report rights), counted as a
// routing connect and not as a want; a holder that never announced the hash gets a miss, not a
// pairing; the reason belongs to chord mode only.
TEST(ChordRouting, ChordConnectIsAWantThatChoseItsHolder) {
  test_site site(8, mode(routing::strategy::chord));
  ws_client holder(site.port), wanter(site.port), stranger(site.port);
  holder.send(announce(1));
  holder.drain();
  wanter.drain();
  wanter.send(connect_ring(7, holder.peer(), test_site::hash(1), "chord"));
  auto m = wanter.read_type("match");
  EXPECT_EQ(m["id"], 7);
  EXPECT_EQ(str(m["peer"]), holder.peer());
  EXPECT_EQ(str(holder.read_type("push")["peer"]), wanter.peer());
  wanter.send(R"({"type":"done","id":7,"ok":true,"bytes":15})");
  EXPECT_TRUE(of_type(wanter.drain(), "error").empty());
  wanter.send(connect_ring(8, stranger.peer(), test_site::hash(1), "chord"));
  EXPECT_EQ(wanter.read_type("miss")["id"], 8);
  EXPECT_TRUE(of_type(stranger.drain(), "push").empty());
  auto s = stats(site.port);
  EXPECT_EQ(s["matches"], 1);
  EXPECT_EQ(s["routing_connects"], 2);

  test_site ring_site(8, mode(routing::strategy::ring));
  ws_client a(ring_site.port), b(ring_site.port);
  b.send(announce(1));
  b.drain();
  a.drain();  // its ring orders
  a.send(connect_ring(1, b.peer(), test_site::hash(1), "chord"));
  EXPECT_EQ(a.read_type("error")["code"], "wrong_routing");
  EXPECT_TRUE(of_type(b.drain(), "push").empty());
}
