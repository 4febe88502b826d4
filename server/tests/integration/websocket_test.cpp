// The server's own WebSocket codec against hostile and unusual clients over real sockets: what a
// browser never sends but an attacker or a broken client may. (signaling_test covers the protocol
// on top with a real Beast client.)
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/raw_ws.hpp"
#include "support/test_site.hpp"
#include "ws/client_frames.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

constexpr std::uint8_t op_text = 1, op_close = 8, op_ping = 9, op_pong = 10;

std::int64_t stat(std::uint16_t port, const char* name) {
  auto o = boost::json::parse(get(port, "/.circlecdn/stats", operator_auth()).body()).as_object();
  return o[name].to_number<std::int64_t>();
}
bool wait_for_stat(std::uint16_t port, const char* name, std::int64_t v) {
  for (int i = 0; i < 3000; ++i) {  // a safety net of 30 s, not a timing check
    if (stat(port, name) == v) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// A want for a hash no manifest has: always answered by a miss with its id.
std::string unknown_want(int id) {
  return R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + std::string(64, '0') +
         R"("})";
}

// The next text message as JSON (skipping nothing: the caller knows what comes).
boost::json::object next_message(raw_ws& c) {
  auto f = c.read_frame();
  if (!f) throw std::runtime_error("closed");
  if (f->op != op_text) throw std::runtime_error("not a text frame: op " + std::to_string(f->op));
  return boost::json::parse(f->payload).as_object();
}

// Connects and reads the welcome.
std::unique_ptr<raw_ws> joined(std::uint16_t port) {
  auto c = std::make_unique<raw_ws>(port);
  EXPECT_EQ(next_message(*c)["type"], "welcome");
  return c;
}

// Sends `bytes` and expects a close frame with `code`, then the TCP connection closed.
void expect_closed_with(std::uint16_t port, const std::string& bytes, std::uint16_t code) {
  auto c = joined(port);
  c->write(bytes);
  auto f = c->read_control();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->op, op_close);
  EXPECT_EQ(f->close_code(), code);
  EXPECT_TRUE(c->closed_by_server());
}

}  // namespace

TEST(WebSocket, FragmentedMessageWithAPingInsideIsOneMessage) {
  test_site site;
  auto c = joined(site.port);
  std::string msg = unknown_want(7);
  c->write(client_frame(msg.substr(0, 10), {.fin = false}) +
           client_frame("are you there", {.op = op_ping}) +
           client_frame(msg.substr(10, 20), {.op = 0, .fin = false}) +
           client_frame(msg.substr(30), {.op = 0}));
  auto pong = c->read_frame();
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->op, op_pong);
  EXPECT_EQ(pong->payload, "are you there");
  auto m = next_message(*c);
  EXPECT_EQ(m["type"], "miss");
  EXPECT_EQ(m["id"], 7);
}

TEST(WebSocket, AFrameDribbledOneByteAtATimeStillArrives) {
  test_site site;
  auto c = joined(site.port);
  std::string bytes = client_frame(unknown_want(8)) + client_frame(unknown_want(9));
  for (char b : bytes) {
    c->write(std::string(1, b));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_EQ(next_message(*c)["id"], 8);
  EXPECT_EQ(next_message(*c)["id"], 9);
}

TEST(WebSocket, ManyFramesInOneWriteAreAllHandled) {
  test_site site;
  auto c = joined(site.port);
  std::string bytes;
  for (int i = 1; i <= 50; ++i) bytes += client_frame(unknown_want(i));
  c->write(bytes);
  for (int i = 1; i <= 50; ++i) EXPECT_EQ(next_message(*c)["id"], i);
}

TEST(WebSocket, ProtocolViolationsCloseWith1002) {
  test_site site;
  expect_closed_with(site.port, client_frame(unknown_want(1), {.masked = false}), 1002);
  expect_closed_with(site.port, client_frame(unknown_want(1), {.rsv = 4}), 1002);
  expect_closed_with(site.port, client_frame("x", {.op = 3}), 1002);
  expect_closed_with(site.port, client_frame(std::string(200, 'p'), {.op = op_ping}), 1002);
  expect_closed_with(site.port, client_frame("x", {.op = 0}), 1002);  // continuation, no start
  expect_closed_with(site.port, client_frame(std::string("\x03\xed", 2), {.op = op_close}), 1002);
  ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 0));
}

TEST(WebSocket, TextThatIsNotUtf8ClosesWith1007) {
  test_site site;
  expect_closed_with(site.port, client_frame("{\"type\":\"\xff\"}"), 1007);
}

TEST(WebSocket, OversizedFrameClosesWith1009BeforeItsPayload) {
  test_site site;
  // Only a header claiming 10 MiB: the server must answer without waiting for the payload.
  std::string header = client_frame("", {.declared_length = 10 << 20}).substr(0, 14);
  expect_closed_with(site.port, header, 1009);
  // And a fragmented message whose pieces add up past the 16 KiB cap.
  std::string parts = client_frame(std::string(10'000, 'a'), {.fin = false}) +
                      client_frame(std::string(10'000, 'a'), {.op = 0});
  expect_closed_with(site.port, parts, 1009);
}

// Found by an attacker: 1,000 connections each holding an unfinished 64 KiB fragment pinned
// 189 MiB of heap for 33 s, for messages over 16 KiB that are refused anyway. The frame cap is now
// the message cap: a fragment that takes a message past 16 KiB closes the connection, so one
// connection pins at most 16 KiB of message plus one frame of at most 16 KiB.
TEST(WebSocket, FragmentHoardingIsCutAtTheMessageCap) {
  test_site site;
  auto c = joined(site.port);
  c->write(client_frame(std::string(16 * 1024 - 100, 'a'), {.fin = false}));
  // The next fragment takes the message past the cap: refused, the connection closed.
  c->write(client_frame(std::string(200, 'a'), {.op = 0}));
  auto f = c->read_control();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->op, op_close);
  ASSERT_GE(f->payload.size(), 2u);
  EXPECT_EQ(
      (static_cast<unsigned char>(f->payload[0]) << 8) | static_cast<unsigned char>(f->payload[1]),
      1009);
}

TEST(WebSocket, ClientCloseIsEchoedAndThePeerLeaves) {
  test_site site;
  auto c = joined(site.port);
  ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 1));
  c->write(client_frame(close_payload(1000, "done"), {.op = op_close}));
  auto f = c->read_control();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->op, op_close);
  EXPECT_EQ(f->close_code(), 1000);
  EXPECT_TRUE(c->closed_by_server());
  EXPECT_TRUE(wait_for_stat(site.port, "peers_online", 0));
}

TEST(WebSocket, PeerVanishingInTheMiddleOfAFrameLeavesNothingBehind) {
  test_site site;
  {
    auto c = joined(site.port);
    std::string half = client_frame(unknown_want(1));
    c->write(half.substr(0, half.size() / 2));
    ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 1));
  }  // the socket closes with half a frame sent
  EXPECT_TRUE(wait_for_stat(site.port, "peers_online", 0));
  auto next = joined(site.port);  // and the server carries on
  next->write(client_frame(unknown_want(2)));
  EXPECT_EQ(next_message(*next)["id"], 2);
}

TEST(WebSocket, SilentPeerIsPingedAndDroppedWhileOneThatAnswersStays) {
  app::config cfg;
  cfg.limits.ping_after = std::chrono::seconds(1);
  test_site site(8, cfg);
  auto silent = joined(site.port);
  auto lively = joined(site.port);
  auto ping = silent->read_control();
  ASSERT_TRUE(ping.has_value());
  EXPECT_EQ(ping->op, op_ping);
  auto ping2 = lively->read_control();
  ASSERT_TRUE(ping2.has_value());
  EXPECT_EQ(ping2->op, op_ping);
  lively->write(client_frame(ping2->payload, {.op = op_pong}));
  // The silent one never answers: the server drops it without a close handshake.
  EXPECT_TRUE(silent->closed_by_server());
  EXPECT_TRUE(wait_for_stat(site.port, "peers_online", 1));
  lively->write(client_frame(unknown_want(3)));
  for (;;) {  // it may have been pinged again meanwhile; it is still served
    auto f = lively->read_frame();
    ASSERT_TRUE(f.has_value());
    if (f->op == op_text) {
      EXPECT_EQ(boost::json::parse(f->payload).as_object()["id"], 3);
      break;
    }
  }
}

TEST(WebSocket, HandshakeRefusesOtherVersionsAndBadKeys) {
  test_site site;
  auto v8 = raw_upgrade(site.port, "", "dGhlIHNhbXBsZSBub25jZQ==", "8");
  EXPECT_TRUE(v8.starts_with("HTTP/1.1 426 ")) << v8;
  EXPECT_NE(v8.find("Sec-WebSocket-Version: 13"), std::string::npos) << v8;
  auto bad_key = raw_upgrade(site.port, "", "not-a-key");
  EXPECT_TRUE(bad_key.starts_with("HTTP/1.1 400 ")) << bad_key;
  auto ok = raw_upgrade(site.port, "Sec-WebSocket-Protocol: x, circlecdn.1\r\n");
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 101 ")) << ok;
  EXPECT_NE(ok.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  EXPECT_NE(ok.find("Sec-WebSocket-Protocol: circlecdn.1"), std::string::npos);
}

TEST(WebSocket, AFrameThatNeverFinishesIsCutOff) {
  app::config cfg;
  cfg.limits.ping_after = std::chrono::seconds(1);
  test_site site(8, cfg);
  auto slow = joined(site.port);
  // A 1,000-byte frame sent a byte every 100 ms: the peer is never silent, the frame never
  // completes, and the half-received bytes are held for it. It is dropped after ping_after.
  std::string frame = client_frame(std::string(1000, 'x'));
  bool cut = false;
  for (std::size_t i = 0; i < 100 && !cut; ++i) {
    try {
      slow->write(frame.substr(i, 1));
    } catch (const std::exception&) {
      cut = true;  // the server closed the connection
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(cut || slow->closed_by_server());
  EXPECT_TRUE(wait_for_stat(site.port, "peers_online", 0));
}

TEST(WebSocket, FragmentsWithoutEndAreCutOff) {
  app::config cfg;
  cfg.limits.ping_after = std::chrono::seconds(1);
  test_site site(8, cfg);
  auto slow = joined(site.port);
  bool cut = false;
  slow->write(client_frame("{", {.fin = false}));
  for (int i = 0; i < 100 && !cut; ++i) {
    try {
      slow->write(client_frame(" ", {.op = 0, .fin = false}));  // whitespace, forever
    } catch (const std::exception&) {
      cut = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(cut || slow->closed_by_server());
  EXPECT_TRUE(wait_for_stat(site.port, "peers_online", 0));
}

// Found by an attacker: `Origin: https://evil.example` and `Origin: null` got 101, so any web site
// could enlist its visitors' browsers into this site's crowd (free riding on our visitors' upload,
// or Sybils for false reports and squatting). Now only the site's own origin and --allowed-origin
// pass; a handshake without Origin (not a browser) passes unless --require-origin.
TEST(WebSocket, FreeRidingFromAnotherSitesPageIsRefused) {
  app::config cfg;
  cfg.origins.allowed = {"https://Partner.Example"};
  test_site site(2, cfg);
  for (const char* origin : {"https://evil.example", "null", "http://127.0.0.1:1", "garbage"}) {
    auto r = raw_upgrade(site.port, std::string("Origin: ") + origin + "\r\n");
    EXPECT_TRUE(r.starts_with("HTTP/1.1 403 ")) << origin << ": " << r;
  }
  EXPECT_EQ(stat(site.port, "ws_refused_origin"), 4);
  EXPECT_EQ(stat(site.port, "peers_online"), 0);
  for (const char* origin : {"http://127.0.0.1", "https://partner.example:443"}) {
    auto r = raw_upgrade(site.port, std::string("Origin: ") + origin + "\r\n");
    EXPECT_TRUE(r.starts_with("HTTP/1.1 101 ")) << origin << ": " << r;
  }
  EXPECT_TRUE(raw_upgrade(site.port, "").starts_with("HTTP/1.1 101 "));  // no Origin: a tool

  app::config strict;
  strict.origins.require_origin = true;
  test_site strict_site(2, strict);
  EXPECT_TRUE(raw_upgrade(strict_site.port, "").starts_with("HTTP/1.1 403 "));
  EXPECT_TRUE(
      raw_upgrade(strict_site.port, "Origin: http://127.0.0.1\r\n").starts_with("HTTP/1.1 101 "));
}

// Found by thinking as an attacker: one address could open signaling sockets until the process ran
// out of descriptors, and then the origin itself stopped answering. Now one address gets
// --peers-per-address sockets (429 past it), all of them together --peers-max (503 past it, the
// rest of the descriptors being the origin's), and the site keeps serving throughout.
TEST(WebSocket, ConnectionFloodFromOneAddressIsCappedAndTheOriginKeepsAnswering) {
  app::config cfg;
  cfg.peers_per_address = 3;
  test_site site(2, cfg);
  std::vector<std::unique_ptr<raw_ws>> held;
  for (int i = 0; i < 3; ++i) held.push_back(joined(site.port));
  ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 3));
  auto r = raw_upgrade(site.port, "");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 429 ")) << r;
  EXPECT_EQ(stat(site.port, "ws_refused_address"), 1);
  EXPECT_EQ(get(site.port, "/f0.txt").result_int(), 200u);  // the origin still answers
  held.pop_back();                                          // one leaves: room for one more
  ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 2));
  held.push_back(joined(site.port));
  ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 3));

  app::config full;
  full.peers_max = 2;
  test_site small(2, full);
  auto a = joined(small.port), b = joined(small.port);
  ASSERT_TRUE(wait_for_stat(small.port, "peers_online", 2));
  auto refused = raw_upgrade(small.port, "");
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503 ")) << refused;
  EXPECT_EQ(stat(small.port, "ws_refused_full"), 1);
  EXPECT_EQ(get(small.port, "/f1.txt").result_int(), 200u);
}
