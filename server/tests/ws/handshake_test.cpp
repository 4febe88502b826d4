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
