// The ICE members of welcome and ice: STUN without credentials, TURN with this peer's own REST
// credentials, the transport policy, and the expiry only when there are credentials.
#include "signal/ice_servers.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/turn_credentials.hpp"

using namespace circlecdn;
using namespace circlecdn::signal;
namespace json = boost::json;

namespace {
json::object members(const ice_config& c, const peer_id& p, std::int64_t unix_now) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(unix_now));
  return json::parse("{" + ice_members(c, p, now) + "}").as_object();
}
const peer_id zero = peer_id::parse("AAAAAAAAAAAAAAAAAAAAAA").value();
}  // namespace

TEST(IceServers, NoneConfiguredIsAnEmptyListAndPolicyAll) {
  auto m = members({}, zero, 1'765'000'000);
  EXPECT_TRUE(m["ice_servers"].as_array().empty());
  EXPECT_EQ(m["ice_transport_policy"], "all");
  EXPECT_FALSE(m.contains("ice_expires"));
}

TEST(IceServers, StunOnlyCarriesNoCredentialsAndNoExpiry) {
  ice_config c;
  c.stun_urls = {"stun:198.51.100.1:3478", "stun:203.0.113.9"};
  auto m = members(c, zero, 1'765'000'000);
  auto& servers = m["ice_servers"].as_array();
  ASSERT_EQ(servers.size(), 1u);
  auto& stun = servers[0].as_object();
  EXPECT_EQ(stun.at("urls").as_array().size(), 2u);
  EXPECT_EQ(stun.at("urls").as_array()[1], "stun:203.0.113.9");
  EXPECT_FALSE(stun.contains("username"));
  EXPECT_FALSE(stun.contains("credential"));
  EXPECT_FALSE(m.contains("ice_expires"));
}

TEST(IceServers, TurnGetsThisPeersRestCredentials) {
  ice_config c;
  c.stun_urls = {"stun:198.51.100.1:3478"};
  c.turn_urls = {"turn:198.51.100.1:3478?transport=udp", "turn:198.51.100.1:3478?transport=tcp"};
  c.turn_secret = "lab-turn-secret";
  c.turn_ttl = std::chrono::seconds(100'000);
  c.relay_only = true;
  auto m = members(c, zero, 1'765'000'000);
  auto& servers = m["ice_servers"].as_array();
  ASSERT_EQ(servers.size(), 2u);
  auto& turn = servers[1].as_object();
  EXPECT_EQ(turn.at("urls").as_array().size(), 2u);
  EXPECT_EQ(turn.at("username"), "1765100000:AAAAAAAAAAAAAAAAAAAAAA");
  // From OpenSSL's command line, not this code:
  //   printf '%s' 1765100000:AAAAAAAAAAAAAAAAAAAAAA |
  //     openssl dgst -sha1 -hmac lab-turn-secret -binary | base64
  EXPECT_EQ(turn.at("credential"), "XNJ5ezew0iGqxz8FEn7PSkUOPQo=");
  EXPECT_EQ(m["ice_expires"], 1'765'100'000);
  EXPECT_EQ(m["ice_transport_policy"], "relay");
  // Another peer gets other credentials.
  auto other = members(c, peer_id::random(), 1'765'000'000);
  EXPECT_NE(other["ice_servers"].as_array()[1].as_object().at("credential"), turn.at("credential"));
}

TEST(IceServers, UrlsAreJsonEscapedWhateverTheyHold) {
  ice_config c;
  c.stun_urls = {"stun:a\"b\\c\n"};  // refused at start, but the builder must not trust that
  auto m = members(c, zero, 1);
  EXPECT_EQ(m["ice_servers"].as_array()[0].as_object().at("urls").as_array()[0], "stun:a\"b\\c\n");
}
