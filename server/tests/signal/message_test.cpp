#include "signal/message.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace circlecdn::signal;

namespace {
const limits lim;
const std::string H = content_hash::of(std::string_view("a")).hex();
const std::string P = peer_id::random().str();

parse_error error_of(std::string_view text) {
  auto r = parse_inbound(text, lim);
  EXPECT_TRUE(std::holds_alternative<parse_error>(r)) << text;
  return std::holds_alternative<parse_error>(r) ? std::get<parse_error>(r) : parse_error{};
}
template <class T>
T parsed(std::string_view text) {
  auto r = parse_inbound(text, lim);
  if (auto* e = std::get_if<parse_error>(&r)) ADD_FAILURE() << text << ": " << e->message;
  EXPECT_TRUE(std::holds_alternative<inbound>(r));
  auto& in = std::get<inbound>(r);
  EXPECT_TRUE(std::holds_alternative<T>(in)) << text;
  return std::get<T>(in);
}
}  // namespace

TEST(Message, ParsesEveryType) {
  auto w = parsed<want_msg>(R"({"type":"want","id":7,"hash":")" + H + R"("})");
  EXPECT_EQ(w.id, 7u);
  EXPECT_EQ(w.hash.hex(), H);
  auto a = parsed<announce_msg>(R"({"type":"announce","have":[")" + H + R"("]})");
  EXPECT_EQ(a.have.size(), 1u);
  EXPECT_EQ(parsed<drop_msg>(R"({"type":"drop","hashes":[]})").hashes.size(), 0u);
  auto d = parsed<done_msg>(R"({"type":"done","id":1,"ok":true,"bytes":99})");
  EXPECT_TRUE(d.ok);
  EXPECT_EQ(d.bytes, 99u);
  // `data` views the text it was parsed from: keep the text alive.
  const std::string signal_text =
      R"({"type":"signal","to":")" + P + R"(","data":{"sdp":{"type":"offer"}}})";
  auto s = parsed<signal_msg>(signal_text);
  EXPECT_EQ(s.to.str(), P);
  EXPECT_EQ(s.data, R"({"sdp":{"type":"offer"}})");
  auto r = parsed<report_msg>(R"({"type":"report","peer":")" + P + R"(","hash":")" + H + R"("})");
  EXPECT_EQ(r.peer.str(), P);
  auto h =
      parsed<hello_msg>(R"({"type":"hello","resume":"abc.def","max_uploads":2,"upload":true})");
  EXPECT_EQ(h.max_uploads, 2u);
  EXPECT_EQ(h.resume, "abc.def");
  // Unknown extra fields are ignored (newer clients).
  parsed<want_msg>(R"({"type":"want","id":7,"hash":")" + H + R"(","future":1})");
}

TEST(Message, MalformedJson) {
  EXPECT_EQ(error_of("").code, error_code::bad_json);
  EXPECT_EQ(error_of("{").code, error_code::bad_json);
  EXPECT_EQ(error_of("[1,2]").code, error_code::bad_json);
  EXPECT_EQ(error_of("\"want\"").code, error_code::bad_json);
  EXPECT_EQ(error_of(std::string(1000, '[') + std::string(1000, ']')).code, error_code::bad_json);
  EXPECT_EQ(error_of("{\"type\":\"want\"\x01}").code, error_code::bad_json);
}

TEST(Message, UnknownAndMissingType) {
  EXPECT_EQ(error_of(R"({"type":"steal"})").code, error_code::unknown_type);
  EXPECT_EQ(error_of(R"({"type":"steal"})").ref, "steal");
  EXPECT_EQ(error_of(R"({"id":1})").code, error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":5})").code, error_code::bad_message);
}

TEST(Message, BadFieldsNameTheField) {
  auto e = error_of(R"({"type":"want","id":0,"hash":")" + H + R"("})");
  EXPECT_EQ(e.code, error_code::bad_message);
  EXPECT_NE(e.message.find("id"), std::string::npos);
  EXPECT_EQ(e.ref, "want");
  EXPECT_EQ(error_of(R"({"type":"want","id":1.5,"hash":")" + H + R"("})").code,
            error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"want","id":4294967296,"hash":")" + H + R"("})").code,
            error_code::bad_message);
  EXPECT_NE(error_of(R"({"type":"want","id":1,"hash":"zz"})").message.find("hash"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"want","id":1})").message.find("missing"), std::string::npos);
  EXPECT_EQ(error_of(R"({"type":"signal","to":"nobody","data":{}})").code, error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"signal","to":")" + P + R"(","data":"x"})").code,
            error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"announce","have":["nothex"]})").code, error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"announce","have":")" + H + R"("})").code, error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"done","id":1,"ok":"yes"})").code, error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"hello","max_uploads":99})").code, error_code::bad_message);
}

TEST(Message, SizeLimits) {
  EXPECT_EQ(error_of(std::string(lim.message_bytes + 1, ' ')).code, error_code::too_large);
  std::string many = R"({"type":"announce","have":[)";
  for (std::size_t i = 0; i <= lim.hashes_per_message; ++i) many += (i ? ",\"" : "\"") + H + "\"";
  many += "]}";
  limits roomy = lim;
  roomy.message_bytes = many.size();
  auto r = parse_inbound(many, roomy);
  ASSERT_TRUE(std::holds_alternative<parse_error>(r));
  EXPECT_EQ(std::get<parse_error>(r).code, error_code::too_large);
  std::string big_data = R"({"type":"signal","to":")" + P + R"(","data":{"sdp":")" +
                         std::string(lim.signal_data_bytes, 'x') + R"("}})";
  EXPECT_EQ(error_of(big_data).code, error_code::too_large);
}

TEST(Message, DoneReasons) {
  auto reason = [](std::string_view extra) {
    return parsed<done_msg>(R"({"type":"done","id":1,)" + std::string(extra) + "}").reason;
  };
  EXPECT_EQ(reason(R"("ok":false,"reason":"connect_failed")"), done_reason::connect_failed);
  EXPECT_EQ(reason(R"("ok":false,"reason":"timeout")"), done_reason::timeout);
  EXPECT_EQ(reason(R"("ok":false,"reason":"closed")"), done_reason::closed);
  EXPECT_EQ(reason(R"("ok":false,"reason":"superseded")"), done_reason::superseded);
  EXPECT_EQ(reason(R"("ok":false)"), done_reason::closed);  // no reason: the channel closed
  EXPECT_EQ(reason(R"("ok":true)"), done_reason::none);
  EXPECT_EQ(reason(R"("ok":true,"reason":"timeout")"), done_reason::none);  // only failures
  for (auto bad : {R"("bogus")", R"(1)", R"(null)", R"("")", R"("Timeout")"}) {
    auto e = error_of(R"({"type":"done","id":1,"ok":false,"reason":)" + std::string(bad) + "}");
    EXPECT_EQ(e.code, error_code::bad_message) << bad;
    EXPECT_NE(e.message.find("reason"), std::string::npos) << e.message;
    EXPECT_EQ(e.ref, "done");
  }
}

TEST(Message, UsageCarriesBytesBySourceAndClampedSamples) {
  auto u =
      parsed<usage_msg>(R"({"type":"usage","peer":10,"origin":20,"store":30,"verify_failures":2,)"
                        R"("ms":{"peer":[1.5,700000],"store":[]}})");
  EXPECT_EQ(u.bytes[static_cast<std::size_t>(usage_source::peer)], 10u);
  EXPECT_EQ(u.bytes[static_cast<std::size_t>(usage_source::origin)], 20u);
  EXPECT_EQ(u.bytes[static_cast<std::size_t>(usage_source::store)], 30u);
  EXPECT_EQ(u.verify_failures, 2u);
  auto& peer_ms = u.ms[static_cast<std::size_t>(usage_source::peer)];
  ASSERT_EQ(peer_ms.size(), 2u);
  EXPECT_EQ(peer_ms[0], 1.5);
  EXPECT_EQ(peer_ms[1], usage_sample_max_ms);  // clamped, not refused
  EXPECT_TRUE(u.ms[static_cast<std::size_t>(usage_source::origin)].empty());
}

TEST(Message, UsageRefusesWhatAPageCouldNotHaveMeasured) {
  for (auto bad : {R"({"type":"usage","peer":1,"origin":1})",
                   R"({"type":"usage","peer":"1","origin":1,"store":1})",
                   R"({"type":"usage","peer":-1,"origin":1,"store":1})",
                   R"({"type":"usage","peer":18446744073709551615,"origin":1,"store":1})",
                   R"({"type":"usage","peer":1,"origin":1,"store":1,"verify_failures":-1})",
                   R"({"type":"usage","peer":1,"origin":1,"store":1,"ms":{"peer":["x"]}})"}) {
    auto e = error_of(bad);
    EXPECT_EQ(e.code, error_code::bad_message) << bad;
    EXPECT_EQ(e.ref, "usage") << bad;
  }
}

TEST(Message, ProofCarriesADigestOrRefuses) {
  auto p = parsed<proof_msg>(R"({"type":"proof","id":9,"digest":")" + H + R"("})");
  EXPECT_EQ(p.id, 9u);
  ASSERT_TRUE(p.digest);
  EXPECT_EQ(p.digest->hex(), H);
  EXPECT_FALSE(parsed<proof_msg>(R"({"type":"proof","id":9})").digest);  // "I do not hold it"
  auto bad = error_of(R"({"type":"proof","id":9,"digest":"ABC"})");
  EXPECT_EQ(bad.code, error_code::bad_message);
  EXPECT_EQ(bad.ref, "proof");
  EXPECT_EQ(error_of(R"({"type":"proof","digest":")" + H + R"("})").code, error_code::bad_message);
}

// A relay forwards `data` as the sender wrote it (spacing, key order, number spelling), not as a
// JSON library would write it again.
TEST(Message, SignalDataIsTheSendersBytes) {
  const std::string data = R"({ "sdp" : {"type":"offer","sdp":"v=0\r\n"}, "n": 1.50 })";
  const std::string text = R"({"type":"signal","data":)" + data + R"(,"to":")" + P + R"("})";
  auto s = parsed<signal_msg>(text);
  EXPECT_EQ(s.data, data);
  EXPECT_EQ(s.data.data(), text.data() + text.find(data));  // a view, not a copy
  EXPECT_EQ(s.reserialised, nullptr);
}

// A key written with escapes may spell "data" another way: the parsed value is re-serialised, so
// what is relayed is always what was validated.
TEST(Message, SignalDataBehindAnEscapedKeyIsReserialised) {
  const std::string text = R"({"type":"signal","to":")" + P + R"(","d\u0061ta":{ "a" : 1 }})";
  auto s = parsed<signal_msg>(text);
  EXPECT_EQ(s.data, R"({"a":1})");
  ASSERT_NE(s.reserialised, nullptr);
  auto copy = s;  // the view survives a copy of the message
  EXPECT_EQ(copy.data, R"({"a":1})");
}

// Duplicate keys: Boost.JSON keeps the last, and so does the relay.
TEST(Message, SignalDataDuplicateKeyTakesTheLast) {
  const std::string text = R"({"type":"signal","to":")" + P + R"(","data":{"a":1},"data":{"b":2}})";
  EXPECT_EQ(parsed<signal_msg>(text).data, R"({"b":2})");
}

TEST(Message, RoutingMessages) {
  // A transfer (ring or chord): a want that names its holder.
  for (auto reason : {connect_reason::ring, connect_reason::chord}) {
    auto m = parsed<connect_msg>(R"({"type":"connect","id":3,"peer":")" + P + R"(","hash":")" + H +
                                 R"(","reason":")" + std::string(to_string(reason)) + R"("})");
    EXPECT_EQ(m.reason, reason);
    EXPECT_EQ(m.id, 3u);
    EXPECT_EQ(m.hash.hex(), H);
    EXPECT_EQ(m.peer.str(), P);
  }
  // Chord's routing connections: a peer and a reason only.
  for (std::size_t i = 0; i < connect_reason_names.size(); ++i) {
    auto reason = static_cast<connect_reason>(i);
    if (is_transfer(reason)) continue;
    auto chord = parsed<connect_msg>(R"({"type":"connect","peer":")" + P + R"(","reason":")" +
                                     std::string(connect_reason_names[i]) + R"("})");
    EXPECT_EQ(chord.reason, reason);
  }
  EXPECT_EQ(parsed<unlink_msg>(R"({"type":"unlink","peer":")" + P + R"("})").peer.str(), P);
  for (auto reason : routing::crowd_miss_names) {
    auto m = parsed<miss_token_msg>(R"({"type":"miss_token","id":9,"hash":")" + H +
                                    R"(","reason":")" + std::string(reason) + R"("})");
    EXPECT_EQ(routing::to_string(m.reason), reason);
    EXPECT_EQ(m.id, 9u);
  }
}

TEST(Message, RoutingMessagesRefuseWhatTheyCannotCarry) {
  // A ring connect is a want: id and hash are required, and checked as a want's.
  EXPECT_EQ(error_of(R"({"type":"connect","peer":")" + P + R"(","reason":"ring"})").message,
            "id: missing");
  EXPECT_EQ(error_of(R"({"type":"connect","peer":")" + P + R"(","reason":"chord"})").message,
            "id: missing");
  EXPECT_EQ(error_of(R"({"type":"connect","id":0,"peer":")" + P + R"(","hash":")" + H +
                     R"(","reason":"ring"})")
                .message,
            "id: expected an integer 1..2147483647");
  EXPECT_EQ(error_of(R"({"type":"connect","peer":")" + P + R"(","reason":"north"})").code,
            error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"connect","peer":")" + P + R"(","reason":1})").code,
            error_code::bad_message);
  EXPECT_EQ(error_of(R"({"type":"connect","peer":"x","reason":"finger"})").message,
            "peer: expected a peer id");
  EXPECT_EQ(error_of(R"({"type":"unlink"})").message, "peer: missing");
  EXPECT_EQ(
      error_of(R"({"type":"miss_token","id":1,"hash":")" + H + R"(","reason":"no_holder"})").ref,
      "miss_token");
  EXPECT_EQ(error_of(R"({"type":"miss_token","id":1,"reason":"ring_ttl"})").message,
            "hash: missing");
}
