#include "ws/message_assembler.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ws/client_frames.hpp"
#include "ws/utf8.hpp"

using namespace circlecdn::ws;
using circlecdn::test::client_frame;
using circlecdn::test::close_payload;

namespace {

// Parses `bytes` (one client frame) and feeds it to `a`.
event feed(message_assembler& a, std::string& bytes) {
  auto r = parse_client_frame(std::span<char>(bytes.data(), bytes.size()), 1 << 20);
  EXPECT_EQ(r.status, parse_result::complete);
  return a.on_frame(r.f);
}

}  // namespace

TEST(WsMessages, WholeTextAndBinaryMessages) {
  message_assembler a(1024);
  std::string t = client_frame("hello"), b = client_frame(std::string("\xff\x00", 2), {.op = 2});
  auto e = feed(a, t);
  EXPECT_EQ(e.kind, event::text);
  EXPECT_EQ(e.payload, "hello");
  e = feed(a, b);
  EXPECT_EQ(e.kind, event::binary);
  EXPECT_EQ(e.payload.size(), 2u);
}

TEST(WsMessages, FragmentsAreJoinedAndControlFramesMayInterleave) {
  message_assembler a(1024);
  std::string f1 = client_frame("{\"type\":", {.fin = false}), ping = client_frame("p", {.op = 9}),
              f2 = client_frame("\"want\"", {.op = 0, .fin = false}),
              f3 = client_frame("}", {.op = 0});
  EXPECT_EQ(feed(a, f1).kind, event::none);
  auto e = feed(a, ping);
  EXPECT_EQ(e.kind, event::ping);
  EXPECT_EQ(e.payload, "p");
  EXPECT_EQ(feed(a, f2).kind, event::none);
  e = feed(a, f3);
  EXPECT_EQ(e.kind, event::text);
  EXPECT_EQ(e.payload, R"({"type":"want"})");
  a.release();
  std::string next = client_frame("again");
  EXPECT_EQ(feed(a, next).payload, "again");
}

TEST(WsMessages, UTF8IsCheckedOnTheWholeMessageSoASplitCharacterIsFine) {
  message_assembler a(1024);
  std::string euro = "\xe2\x82\xac";  // one character, split over two frames
  std::string f1 = client_frame(euro.substr(0, 1), {.fin = false}),
              f2 = client_frame(euro.substr(1), {.op = 0});
  feed(a, f1);
  auto e = feed(a, f2);
  EXPECT_EQ(e.kind, event::text);
  EXPECT_EQ(e.payload, euro);
}

TEST(WsMessages, HostileSequencesFailWithTheRightCode) {
  {
    message_assembler a(1024);
    std::string c = client_frame("x", {.op = 0});
    auto e = feed(a, c);
    EXPECT_EQ(e.kind, event::fail);
    EXPECT_EQ(e.code, close_code::protocol_error);  // continuation without a start
  }
  {
    message_assembler a(1024);
    std::string f1 = client_frame("a", {.fin = false}), f2 = client_frame("b");
    feed(a, f1);
    auto e = feed(a, f2);
    EXPECT_EQ(e.kind, event::fail);
    EXPECT_EQ(e.code, close_code::protocol_error);  // new message inside a fragmented one
  }
  {
    message_assembler a(10);
    std::string f1 = client_frame("123456", {.fin = false}), f2 = client_frame("7890ab", {.op = 0});
    feed(a, f1);
    auto e = feed(a, f2);
    EXPECT_EQ(e.kind, event::fail);
    EXPECT_EQ(e.code, close_code::too_big);  // fragments add up past the cap
  }
  {
    message_assembler a(1024);
    std::string bad = client_frame("\xc0\xaf");  // overlong '/'
    auto e = feed(a, bad);
    EXPECT_EQ(e.kind, event::fail);
    EXPECT_EQ(e.code, close_code::invalid_payload);
  }
}

TEST(WsMessages, CloseFramesAreValidated) {
  message_assembler a(1024);
  std::string empty = client_frame("", {.op = 8}),
              normal = client_frame(close_payload(1000, "bye"), {.op = 8}),
              one = client_frame("x", {.op = 8}),
              reserved = client_frame(close_payload(1005), {.op = 8}),
              bad_reason = client_frame(close_payload(1000, "\xff"), {.op = 8});
  auto e = feed(a, empty);
  EXPECT_EQ(e.kind, event::close);
  EXPECT_EQ(e.code, close_code::no_status);
  e = feed(a, normal);
  EXPECT_EQ(e.kind, event::close);
  EXPECT_EQ(e.code, 1000);
  EXPECT_EQ(e.payload, "bye");
  EXPECT_EQ(feed(a, one).code, close_code::protocol_error);
  EXPECT_EQ(feed(a, reserved).code, close_code::protocol_error);
  EXPECT_EQ(feed(a, bad_reason).code, close_code::invalid_payload);
}

TEST(WsUtf8, AcceptsValidAndRefusesInvalid) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii, longer than eight bytes"));
  EXPECT_TRUE(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));                      // U+10FFFF
  EXPECT_TRUE(valid_utf8("\xed\x9f\xbf"));                          // U+D7FF
  for (const char* bad :
       {"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf0\x80\x80\x80",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe2\x82", "abcdefgh\xe2\x82"})
    EXPECT_FALSE(valid_utf8(bad)) << bad;
}
