// Fail fast and ICE servers over real WebSockets against the real server object: a failed peer
// path is not offered again, a holder that fails with several wanters stops being chosen, and the
// welcome carries the operator's ICE servers with this peer's TURN credentials.
#include <gtest/gtest.h>

#include "core/turn_credentials.hpp"
#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/test_site.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using boost::json::value;

namespace {

std::string announce(int file) {
  return R"({"type":"announce","have":[")" + test_site::hash(file) + R"("]})";
}
std::string want(int id, int file) {
  return R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + test_site::hash(file) +
         R"("})";
}
std::string failed(int id, std::string_view reason) {
  return R"({"type":"done","id":)" + std::to_string(id) + R"(,"ok":false,"reason":")" +
         std::string(reason) + R"("})";
}
std::string succeeded(int id) {
  return R"({"type":"done","id":)" + std::to_string(id) + R"(,"ok":true})";
}
std::int64_t stat(std::uint16_t port, const char* name) {
  auto o = boost::json::parse(get(port, "/.circlecdn/stats", operator_auth()).body()).as_object();
  return o[name].to_number<std::int64_t>();
}
// A holder that announced and has read everything queued for it so far (the server answers an
// announce with nothing; a want for an unknown hash with a miss, which marks the end).
void settle(ws_client& c) {
  c.send(R"({"type":"want","id":999999,"hash":")" + std::string(64, '0') + R"("})");
  while (!(c.read()["id"] == 999999)) {
  }
}

}  // namespace

TEST(FailFast, WanterGetsAnotherHolderAfterConnectFailedThenAMiss) {
  test_site site;
  ws_client h1(site.port), h2(site.port), a(site.port);
  h1.send(announce(0));
  h2.send(announce(0));
  settle(h1);
  settle(h2);
  a.send(want(1, 0));
  auto m = a.read();
  ASSERT_EQ(m["type"], "match");
  auto first = str(m["peer"]);
  auto second = first == h1.peer() ? h2.peer() : h1.peer();
  a.send(failed(1, "connect_failed"));
  a.send(want(2, 0));
  auto next = a.read();
  ASSERT_EQ(next["type"], "match");
  EXPECT_EQ(next["peer"], value(second));  // not the one that failed, at once
  a.send(failed(2, "timeout"));
  a.send(want(3, 0));
  auto miss = a.read();
  EXPECT_EQ(miss["type"], "miss");  // both failed for a: the origin, at once
  EXPECT_EQ(miss["reason"], "no_holder");
  EXPECT_EQ(stat(site.port, "paths_failed_connect"), 1);
  EXPECT_EQ(stat(site.port, "paths_failed_timeout"), 1);
  EXPECT_EQ(stat(site.port, "paths_failed_closed"), 0);
  a.send(R"({"type":"done","id":3,"ok":false,"reason":"gave_up"})");
  auto e = a.read();
  EXPECT_EQ(e["code"], "bad_message");
  EXPECT_NE(str(e["message"]).find("reason"), std::string::npos);
}

TEST(FailFast, HolderFailingWithTwoWantersStopsBeingChosenForAThird) {
  test_site site;
  ws_client h(site.port), other(site.port), a(site.port), b(site.port), c(site.port);
  h.send(announce(0));
  h.send(announce(1));
  settle(h);
  // a pulls two files from h and both paths fail; b's one fails too.
  a.send(want(1, 0));
  a.send(want(2, 1));
  b.send(want(1, 0));
  EXPECT_EQ(a.read()["peer"], value(h.peer()));
  EXPECT_EQ(a.read()["peer"], value(h.peer()));
  EXPECT_EQ(b.read()["peer"], value(h.peer()));
  a.send(failed(1, "connect_failed"));
  a.send(failed(2, "connect_failed"));
  b.send(failed(1, "connect_failed"));
  settle(a);
  settle(b);
  EXPECT_EQ(stat(site.port, "holders_unreachable"), 1);
  // c never failed with h, but is not offered it: another holder when there is one, else a miss.
  c.send(want(1, 0));
  EXPECT_EQ(c.read()["reason"], "no_holder");
  other.send(announce(1));
  settle(other);
  c.send(want(2, 1));
  EXPECT_EQ(c.read()["peer"], value(other.peer()));
  c.send(succeeded(2));
  settle(c);
}

TEST(IceOverSockets, WelcomeCarriesStunTurnCredentialsAndBudgets) {
  app::config cfg;
  cfg.ice.stun_urls = {"stun:198.51.100.1:3478"};
  cfg.ice.turn_urls = {"turn:198.51.100.1:3478?transport=udp",
                       "turns:198.51.100.1:5349?transport=tcp"};
  cfg.ice.turn_secret = "integration-turn-secret";
  cfg.ice.relay_only = true;
  cfg.ice.connect_timeout = std::chrono::milliseconds(4000);
  test_site site(2, cfg);
  ws_client a(site.port);
  auto w = a.welcome();
  auto& servers = w.at("ice_servers").as_array();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].at("urls").at(0), "stun:198.51.100.1:3478");
  auto& turn = servers[1].as_object();
  EXPECT_EQ(turn.at("urls").as_array().size(), 2u);
  auto username = str(turn.at("username"));
  auto expires = w.at("ice_expires").to_number<std::int64_t>();
  EXPECT_EQ(username, std::to_string(expires) + ":" + a.peer());
  EXPECT_EQ(str(turn.at("credential")), turn_credential("integration-turn-secret", username));
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  EXPECT_GT(expires, now + 3000);  // about an hour ahead (default TTL)
  EXPECT_LE(expires, now + 3600 + 1);
  EXPECT_EQ(w.at("ice_transport_policy"), "relay");
  EXPECT_EQ(w.at("connect_timeout"), 4000);
  EXPECT_EQ(w.at("first_byte_timeout"), 3000);
}
