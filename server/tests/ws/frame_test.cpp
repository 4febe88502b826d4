#include "ws/frame.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "ws/client_frames.hpp"

using namespace circlecdn::ws;
using circlecdn::test::client_frame;
using circlecdn::test::frame_spec;

namespace {

parse_result parse(std::string& bytes, std::size_t max = 65536) {
  return parse_client_frame(std::span<char>(bytes.data(), bytes.size()), max);
}
std::string payload_of(const parse_result& r) {
  return {r.f.payload.data(), r.f.payload.size()};
}

}  // namespace

TEST(WsFrame, ParsesAndUnmasksAMaskedTextFrame) {
  std::string bytes = client_frame(R"({"type":"want"})");
  bytes += "next";
  auto r = parse(bytes);
  ASSERT_EQ(r.status, parse_result::complete);
  EXPECT_EQ(r.consumed, bytes.size() - 4);
  EXPECT_TRUE(r.f.fin);
  EXPECT_EQ(r.f.op, opcode::text);
  EXPECT_EQ(payload_of(r), R"({"type":"want"})");
}

TEST(WsFrame, EveryLengthFormRoundTrips) {
  for (std::size_t n : {0u, 1u, 7u, 125u, 126u, 127u, 1000u, 65535u, 65536u, 70000u}) {
    std::string payload(n, 'x');
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string bytes = client_frame(payload, {.op = 0x2});
    auto r = parse(bytes, 100000);
    ASSERT_EQ(r.status, parse_result::complete) << n;
    EXPECT_EQ(r.consumed, bytes.size()) << n;
    EXPECT_EQ(payload_of(r), payload) << n;
  }
}

TEST(WsFrame, EveryPrefixOfAFrameIsIncomplete) {
  std::string whole = client_frame(std::string(300, 'q'));
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    std::string part = whole.substr(0, cut);
    EXPECT_EQ(parse(part).status, parse_result::incomplete) << cut;
  }
}

TEST(WsFrame, HostileHeadersAreProtocolErrors) {
  struct hostile {
    const char* what;
    std::string bytes;
    std::uint16_t code;
  };
  std::string long16 = client_frame("short", {.long_form_16 = true});
  std::string len64 = client_frame("", {.declared_length = 100});
  len64[1] = static_cast<char>(0x80 | 127);  // 64-bit form for a length of 100
  len64.insert(2, std::string("\0\0\0\0\0\0\0\x64", 8));
  std::string top_bit = client_frame("", {.declared_length = 70000});
  top_bit[2] = static_cast<char>(0x80);
  hostile cases[] = {
      {"unmasked", client_frame("hi", {.masked = false}), close_code::protocol_error},
      {"rsv1", client_frame("hi", {.rsv = 4}), close_code::protocol_error},
      {"rsv3", client_frame("hi", {.rsv = 1}), close_code::protocol_error},
      {"opcode 3", client_frame("hi", {.op = 0x3}), close_code::protocol_error},
      {"opcode 0xB", client_frame("hi", {.op = 0xB}), close_code::protocol_error},
      {"fragmented ping", client_frame("hi", {.op = 0x9, .fin = false}),
       close_code::protocol_error},
      {"long close", client_frame(std::string(126, 'c'), {.op = 0x8}), close_code::protocol_error},
      {"16-bit form for 5 bytes", long16, close_code::protocol_error},
      {"64-bit form for 100 bytes", len64, close_code::protocol_error},
      {"length top bit", top_bit, close_code::protocol_error},
  };
  for (auto& c : cases) {
    auto r = parse(c.bytes);
    EXPECT_EQ(r.status, parse_result::error) << c.what;
    EXPECT_EQ(r.code, c.code) << c.what;
    EXPECT_FALSE(r.reason.empty()) << c.what;
  }
}

TEST(WsFrame, OversizedFrameIsRefusedFromItsHeaderAlone) {
  // Only the header: the 1 MiB payload never has to arrive or be buffered.
  std::string header = client_frame("", {.op = 0x1, .declared_length = 1 << 20}).substr(0, 10);
  auto r = parse(header, 65536);
  EXPECT_EQ(r.status, parse_result::error);
  EXPECT_EQ(r.code, close_code::too_big);
}

TEST(WsFrame, EncodesServerHeadersInTheShortestForm) {
  std::array<char, max_header_bytes> h;
  EXPECT_EQ(encode_header(h, opcode::text, 0), 2u);
  EXPECT_EQ(static_cast<unsigned char>(h[0]), 0x81);
  EXPECT_EQ(h[1], 0);
  EXPECT_EQ(encode_header(h, opcode::close, 125), 2u);
  EXPECT_EQ(static_cast<unsigned char>(h[0]), 0x88);
  EXPECT_EQ(encode_header(h, opcode::text, 126), 4u);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ(static_cast<unsigned char>(h[2]), 0);
  EXPECT_EQ(static_cast<unsigned char>(h[3]), 126);
  EXPECT_EQ(encode_header(h, opcode::binary, 65535), 4u);
  EXPECT_EQ(encode_header(h, opcode::binary, 65536), 10u);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ(static_cast<unsigned char>(h[7]), 1);  // 0x0000000000010000
  EXPECT_EQ(static_cast<unsigned char>(h[9]), 0);
}
