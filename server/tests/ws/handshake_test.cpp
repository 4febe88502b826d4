#include "ws/handshake.hpp"

#include <gtest/gtest.h>

using namespace circlecdn::ws;

TEST(WsHandshake, AcceptKeyMatchesTheRfcExample) {
  // RFC 6455 section 1.3.
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(accept_key(" dGhlIHNhbXBsZSBub25jZQ== "), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, KeysThatAreNotSixteenBytesAreRefused) {
  for (const char* bad : {"", "short", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ=x",
                          "dGhlIHNhbXBsZSBub25jZR==",  // non-zero padding bits
                          "dGhlIHNhbXBsZSBub25j*Q==", "dGhlIHNhbXBsZSBub25jZQ==dGhl"})
    EXPECT_FALSE(accept_key(bad).has_value()) << bad;
}

TEST(WsHandshake, SwitchingProtocolsResponse) {
  auto r = switching_protocols("abc=", "circlecdn.1");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(r.find("\r\nSec-WebSocket-Accept: abc=\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nSec-WebSocket-Protocol: circlecdn.1\r\n"), std::string::npos);
  EXPECT_TRUE(r.ends_with("\r\n\r\n"));
  EXPECT_EQ(switching_protocols("abc=", "").find("Sec-WebSocket-Protocol"), std::string::npos);
}

namespace {
circlecdn::http::fields upgrade_request(const char* key = "dGhlIHNhbXBsZSBub25jZQ==",
                                        const char* version = "13") {
  circlecdn::http::fields f;
  f.set(circlecdn::http::field::sec_websocket_key, key);
  f.set(circlecdn::http::field::sec_websocket_version, version);
  return f;
}
}  // namespace

TEST(WsHandshake, SubprotocolOffers) {
  auto f = upgrade_request();
  EXPECT_TRUE(offers_subprotocol(f, "circlecdn.1"));  // none offered: the default version
  f.set(circlecdn::http::field::sec_websocket_protocol, "x, circlecdn.1 ,y");
  EXPECT_TRUE(offers_subprotocol(f, "circlecdn.1"));
  f.set(circlecdn::http::field::sec_websocket_protocol, "circlecdn.2, xcirclecdn.1");
  EXPECT_FALSE(offers_subprotocol(f, "circlecdn.1"));
}

TEST(WsHandshake, AnswerUpgradeAcceptsOrSaysWhy) {
  namespace http = circlecdn::http;
  auto ok = answer_upgrade(upgrade_request(), "circlecdn.1");
  ASSERT_TRUE(ok.accepted());
  EXPECT_NE(ok.response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            std::string::npos);
  EXPECT_EQ(ok.response.find("Sec-WebSocket-Protocol"), std::string::npos);
  auto offered = upgrade_request();
  offered.set(http::field::sec_websocket_protocol, "circlecdn.1");
  EXPECT_NE(answer_upgrade(offered, "circlecdn.1").response.find("Protocol: circlecdn.1"),
            std::string::npos);
  auto v8 = answer_upgrade(upgrade_request("dGhlIHNhbXBsZSBub25jZQ==", "8"), "circlecdn.1");
  EXPECT_EQ(v8.status, http::status::upgrade_required);
  EXPECT_TRUE(v8.version_hint);
  EXPECT_EQ(answer_upgrade(upgrade_request("nope"), "circlecdn.1").status,
            http::status::bad_request);
  auto other = upgrade_request();
  other.set(http::field::sec_websocket_protocol, "chat");
  EXPECT_EQ(answer_upgrade(other, "circlecdn.1").status, http::status::bad_request);
}
