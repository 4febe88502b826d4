// The signaling tracker over real WebSockets against the real server object.
#include <gtest/gtest.h>

#include <thread>

#include "core/random_id.hpp"
#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/test_site.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using boost::json::value;

namespace {

std::string announce(std::initializer_list<int> files) {
  std::string s = R"({"type":"announce","have":[)";
  bool first = true;
  for (int f : files) {
    s += (first ? "\"" : ",\"") + test_site::hash(f) + "\"";
    first = false;
  }
  return s + "]}";
}
std::string want(int id, const std::string& hash) {
  return R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + hash + R"("})";
}
std::string signal_to(const std::string& peer, const std::string& data) {
  return R"({"type":"signal","to":")" + peer + R"(","data":)" + data + "}";
}
// Sends a want for a hash no manifest has (always answered by a miss carrying its id) and reads up
// to that answer: everything the server queued before it comes first, so this proves what did NOT
// arrive, without costing the peer an error.
std::vector<boost::json::object> drain(ws_client& c) {
  static int marker = 1'000'000;
  int id = ++marker;
  c.send(want(id, std::string(64, '0')));
  std::vector<boost::json::object> got;
  for (;;) {
    auto o = c.read();
    if (o["type"] == "miss" && o["id"] == id) return got;
    got.push_back(o);
  }
}
boost::json::object stats(std::uint16_t port) {
  return boost::json::parse(get(port, "/.circlecdn/stats", operator_auth()).body()).as_object();
}
std::int64_t stat(std::uint16_t port, const char* name) {
  return stats(port)[name].to_number<std::int64_t>();
}
// Polls until the server's counter reaches the value (the server processes closes asynchronously).
bool wait_for_stat(std::uint16_t port, const char* name, std::int64_t v) {
  for (int i = 0; i < 3000; ++i) {  // a safety net of 30 s, not a timing check
    if (stat(port, name) == v) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST(Signaling, ThreePeersAnnounceWantPairAndRelaySignals) {
  test_site site;
  ws_client a(site.port), b(site.port), c(site.port);
  EXPECT_EQ(a.welcome().at("protocol"), 1);
  EXPECT_NE(a.peer(), b.peer());
  a.send(announce({0, 1}));
  b.send(announce({2}));

  b.send(want(1, test_site::hash(0)));
  auto m = b.read();
  EXPECT_EQ(m["type"], "match");
  EXPECT_EQ(m["peer"], value(a.peer()));
  EXPECT_EQ(m["connect"], true);
  auto p = a.read();
  EXPECT_EQ(p["type"], "push");
  EXPECT_EQ(p["peer"], value(b.peer()));
  EXPECT_EQ(p["hash"], value(test_site::hash(0)));

  b.send(
      signal_to(a.peer(), R"({"sdp":{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1"}})"));
  auto s = a.read();
  EXPECT_EQ(s["type"], "signal");
  EXPECT_EQ(s["from"], value(b.peer()));
  EXPECT_EQ(s["data"].as_object()["sdp"].as_object()["type"], "offer");
  a.send(signal_to(b.peer(), R"({"sdp":{"type":"answer","sdp":"v=0"}})"));
  EXPECT_EQ(b.read()["data"].as_object()["sdp"].as_object()["type"], "answer");
  a.send(signal_to(
      b.peer(),
      R"({"candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0"}})"));
  EXPECT_EQ(b.read()["type"], "signal");

  // c gets the file b holds; c and a were never paired, so c cannot signal a.
  c.send(want(9, test_site::hash(2)));
  EXPECT_EQ(c.read()["peer"], value(b.peer()));
  EXPECT_EQ(b.read()["type"], "push");
  c.send(signal_to(a.peer(), "{}"));
  auto e = c.read();
  EXPECT_EQ(e["code"], "not_paired");
  EXPECT_TRUE(drain(a).empty());  // nothing reached a

  b.send(R"({"type":"done","id":1,"ok":true,"bytes":16})");
  c.send(R"({"type":"done","id":9,"ok":true})");
  EXPECT_TRUE(drain(b).empty());
  EXPECT_EQ(stat(site.port, "matches"), 2);
  EXPECT_EQ(stat(site.port, "signals_relayed"), 3);
}

// The cookie comes with the manifest (or an HTML page), never with an asset a CDN would store.
TEST(Signaling, CookieFromTheManifestBindsTheSocket) {
  test_site site;
  EXPECT_EQ(get(site.port, "/f2.txt").count(http::field::set_cookie), 0u);
  auto first = get(site.port, "/.circlecdn/manifest.json");
  ASSERT_EQ(first.result_int(), 200);
  std::string set_cookie(first[http::field::set_cookie]);
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // no TLS here
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  auto id = cookie.substr(cookie.find('=') + 1);
  EXPECT_EQ(id.size(), 22u);  // 128 bits, base64url

  auto second = get(site.port, "/.circlecdn/manifest.json", {{"Cookie", "theme=dark; " + cookie}});
  EXPECT_EQ(second.count(http::field::set_cookie), 0u);  // known visitor: no new cookie
  EXPECT_EQ(get(site.port, "/f3.txt", {{"Cookie", cookie}}).result_int(), 200);

  ws_client ws(site.port, with_cookie(cookie));
  EXPECT_NE(ws.peer(), id);  // the socket is bound to the visitor, under a public id of its own
  // Only requests that carried the cookie are recorded: the first one, which set it, is not.
  auto served = ws.welcome().at("served").as_array();
  ASSERT_EQ(served.size(), 1u);
  EXPECT_EQ(served[0], value(test_site::hash(3)));
  // The record becomes a servable holding once the peer confirms it.
  ws.send(announce({2, 3}));
  ws_client other(site.port);
  other.send(want(1, test_site::hash(3)));
  EXPECT_EQ(other.read()["peer"], value(ws.peer()));

  // A malformed cookie binds nothing: the socket gets a fresh id and an empty record.
  ws_client forged(site.port, with_cookie("circle_id=not-a-real-id"));
  EXPECT_NE(forged.peer(), "not-a-real-id");
  EXPECT_EQ(forged.peer().size(), 22u);
  EXPECT_TRUE(forged.welcome().at("served").as_array().empty());
}

// Found by an attacker: match.peer, push.peer, signal.from and welcome.peer carried the holder's
// circle_id cookie (and tokens carried it in clear base64url), so any peer harvested cookies by
// wanting things, then read the victim's served record, took its id, planted records and had it
// penalised. Now the cookie never leaves the server but in Set-Cookie: every message and token a
// peer or a page can read is checked for it here.
TEST(Signaling, CookieHarvestingThroughPeerIdsAndTokensFindsNothing) {
  test_site site;
  auto first = get(site.port, "/.circlecdn/manifest.json");
  std::string set_cookie(first[http::field::set_cookie]);
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const auto secret = cookie.substr(cookie.find('=') + 1);
  get(site.port, "/f1.txt", {{"Cookie", cookie}});

  std::vector<std::string> seen;  // every text a page or another peer could read
  ws_client victim(site.port, with_cookie(cookie)), attacker(site.port);
  seen.push_back(boost::json::serialize(victim.welcome()));
  victim.send(announce({1}));
  attacker.send(want(1, test_site::hash(1)));
  auto m = attacker.read();
  seen.push_back(boost::json::serialize(m));
  ASSERT_EQ(m["type"], "match");
  auto push = victim.read();
  seen.push_back(boost::json::serialize(push));
  victim.send(signal_to(str(push["peer"]), R"({"candidate":{}})"));
  attacker.send(signal_to(str(m["peer"]), R"({"candidate":{}})"));
  seen.push_back(boost::json::serialize(attacker.read()));
  seen.push_back(boost::json::serialize(victim.read()));
  attacker.send(want(2, test_site::hash(5)));
  seen.push_back(boost::json::serialize(attacker.read()));  // a miss with its token
  for (const auto& text : seen) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    // Tokens are base64url payloads: decode every dotted token too.
    for (std::size_t at = 0; (at = text.find('"', at)) != std::string::npos; ++at) {
      auto end = text.find('"', at + 1);
      if (end == std::string::npos) break;
      auto field = text.substr(at + 1, end - at - 1);
      if (auto dot = field.find('.'); dot != std::string::npos) {
        auto payload = base64url_decode(field.substr(0, dot));
        auto raw_secret = base64url_decode(secret);
        ASSERT_TRUE(raw_secret);
        if (payload) {
          EXPECT_EQ(payload->find(*raw_secret), std::string::npos) << field;
        }
      }
      at = end;
    }
  }
}

TEST(Signaling, PeerLeavingMidPairingIsReportedNeverSilent) {
  test_site site;
  ws_client b(site.port);
  std::string a_id;
  {
    ws_client a(site.port);
    a_id = a.peer();
    a.send(announce({0}));
    b.send(want(3, test_site::hash(0)));
    EXPECT_EQ(b.read()["type"], "match");
    EXPECT_EQ(a.read()["type"], "push");
  }  // a's socket is destroyed without a close frame
  auto cancel = b.read();
  EXPECT_EQ(cancel["type"], "cancel");
  EXPECT_EQ(cancel["id"], 3);
  EXPECT_EQ(cancel["reason"], "peer_gone");
  b.send(signal_to(a_id, R"({"sdp":{"type":"offer","sdp":"v=0"}})"));
  auto e = b.read();
  EXPECT_EQ(e["code"], "peer_gone");
  EXPECT_EQ(e["ref"], "signal");
  ASSERT_TRUE(wait_for_stat(site.port, "holdings", 0));
  b.send(want(4, test_site::hash(0)));
  EXPECT_EQ(b.read()["type"], "miss");
}

TEST(Signaling, HostilePeerGetsErrorsThenIsCutOffAndOthersCarryOn) {
  test_site site;
  ws_client good(site.port), hostile(site.port);
  good.send(announce({0}));
  hostile.send("{{ this is not json");
  EXPECT_EQ(hostile.read()["code"], "bad_json");
  hostile.send_binary(std::string("\0\1\2", 3));
  EXPECT_EQ(hostile.read()["code"], "bad_frame");
  hostile.send(R"({"type":"want","id":-1,"hash":"x"})");
  EXPECT_EQ(hostile.read()["code"], "bad_message");
  hostile.send(signal_to(good.peer(), R"({"sdp":"evil"})"));
  EXPECT_EQ(hostile.read()["code"], "not_paired");
  hostile.send(R"({"type":"announce","have":[")" + std::string(64, 'f') + R"("]})");
  EXPECT_EQ(hostile.read()["code"], "unknown_hash");
  EXPECT_TRUE(drain(good).empty());  // none of it reached the good peer

  // Flood: the burst passes, then rate_limited errors, then a 1008 close.
  // (burst 400, then 32 errors)
  for (int i = 0; i < 1000; ++i) hostile.send(R"({"type":"drop","hashes":[]})");
  auto code = hostile.read_until_close();
  EXPECT_EQ(code, 1008);
  ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 1));
  EXPECT_GE(stat(site.port, "disconnects_for_errors"), 1);

  ws_client next(site.port);  // the server carries on
  next.send(want(1, test_site::hash(0)));
  EXPECT_EQ(next.read()["peer"], value(good.peer()));
}

TEST(Signaling, OversizedMessagesAreRefused) {
  test_site site;
  ws_client c(site.port);
  // A message over the 16 KiB cap: the frame cap is the message cap, so the connection is closed
  // with 1009 when the header arrives (a message that large could only be refused anyway).
  c.send(R"({"type":"drop","hashes":[],"pad":")" + std::string(20'000, 'x') + "\"}");
  EXPECT_EQ(c.read_until_close(), 1009);
  ws_client d(site.port);
  // A frame header announcing 100,000 bytes is refused before its payload is read.
  std::string header = {'\x81', '\xff', 0, 0, 0, 0, 0, '\x01', '\x86', '\xa0', 1, 2, 3, 4};
  d.send_raw(header);
  EXPECT_EQ(d.read_until_close(), 1009);
}

TEST(Signaling, SubprotocolIsNegotiated) {
  test_site site;
  ws_client v1(site.port, with_subprotocol("circlecdn.1"));
  EXPECT_EQ(v1.negotiated_subprotocol, "circlecdn.1");
  ws_client both(site.port, with_subprotocol("circlecdn.2, circlecdn.1"));
  EXPECT_EQ(both.negotiated_subprotocol, "circlecdn.1");
  EXPECT_THROW(ws_client(site.port, with_subprotocol("circlecdn.9")), beast::system_error);
  auto res =
      test::exchange(site.port, build_request("GET", "/.circlecdn/ws",
                                              {{"Connection", "Upgrade"},
                                               {"Upgrade", "websocket"},
                                               {"Sec-WebSocket-Version", "13"},
                                               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                               {"Sec-WebSocket-Protocol", "chat"}}));
  EXPECT_EQ(res.at(0).result_int(), 400);
  EXPECT_NE(res.at(0).body().find("circlecdn.1"), std::string::npos);
}

TEST(Signaling, MissTokensAreCountedByTheOrigin) {
  test_site site;
  ws_client c(site.port);
  c.send(want(1, test_site::hash(5)));
  auto miss = c.read();
  ASSERT_EQ(miss["type"], "miss");
  EXPECT_EQ(miss["reason"], "no_holder");
  auto ok = get(site.port, "/f5.txt", {{"X-Circle-Miss", str(miss["token"])}});
  EXPECT_EQ(ok.result_int(), 200);
  auto forged = get(site.port, "/f5.txt", {{"X-Circle-Miss", "AAAA.BBBB"}});
  EXPECT_EQ(forged.result_int(), 200);  // a token never changes the response
  EXPECT_EQ(stat(site.port, "miss_tokens_valid"), 1);
  EXPECT_EQ(stat(site.port, "miss_tokens_invalid"), 1);
}

// Found by an attacker: one miss token for one file was counted valid 100 times on another file.
// Now a token counts once, on the file (or a piece of the file) it was issued for.
TEST(Signaling, MissTokenReplayedOrMovedToAnotherFileCountsOnce) {
  test_site site;
  ws_client c(site.port);
  c.send(want(1, test_site::hash(5)));
  auto miss = c.read();
  ASSERT_EQ(miss["type"], "miss");
  const auto token = str(miss["token"]);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(get(site.port, "/f6.txt", {{"X-Circle-Miss", token}}).result_int(), 200);
  EXPECT_EQ(stat(site.port, "miss_tokens_valid"), 0);
  EXPECT_EQ(stat(site.port, "miss_tokens_invalid"), 20);
  for (int i = 0; i < 5; ++i) get(site.port, "/f5.txt", {{"X-Circle-Miss", token}});
  EXPECT_EQ(stat(site.port, "miss_tokens_valid"), 1);
  EXPECT_EQ(stat(site.port, "miss_tokens_reused"), 4);

  // A piece's token counts on a range of its file.
  auto manifest = boost::json::parse(get(site.port, "/.circlecdn/manifest.json").body());
  std::string piece;
  for (const auto& f : manifest.at("files").as_array())
    if (f.at("path") == "/big.bin") piece = f.at("pieces").as_array().at(1).as_string().c_str();
  ASSERT_FALSE(piece.empty());
  c.send(want(2, piece));
  auto piece_miss = c.read();
  ASSERT_EQ(piece_miss["type"], "miss");
  auto part = get(site.port, "/big.bin",
                  {{"X-Circle-Miss", str(piece_miss["token"])}, {"Range", "bytes=262144-524287"}});
  EXPECT_EQ(part.result_int(), 206);
  EXPECT_EQ(stat(site.port, "miss_tokens_valid"), 2);
}

TEST(Signaling, ChangedFileStopsBeingHandedOut) {
  test_site site;
  ws_client a(site.port), b(site.port);
  a.send(announce({0}));
  EXPECT_TRUE(drain(a).empty());
  auto generation = stat(site.port, "generation");
  std::ofstream(site.dir.path() / "f0.txt") << "new content\n";
  ASSERT_TRUE(wait_for_stat(site.port, "generation", generation + 1));
  b.send(want(1, test_site::hash(0)));
  auto m = b.read();
  EXPECT_EQ(m["type"], "miss");
  EXPECT_EQ(m["reason"], "unknown_hash");
  b.send(want(2, content_hash::of(std::string_view("new content\n")).hex()));
  EXPECT_EQ(b.read()["reason"], "no_holder");
}

TEST(Signaling, ShutdownSendsCloseFramesFirst) {
  test_site site;
  std::vector<std::unique_ptr<ws_client>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<ws_client>(site.port));
  std::thread stopper([&] { site.server->stop(); });
  for (auto& c : clients) {
    EXPECT_EQ(c->read()["code"], "shutting_down");
    EXPECT_EQ(c->read_until_close(), 1001);
  }
  stopper.join();
}

// Connects and drops 10,000 peers over real sockets; the directory returns to where it was.
TEST(Signaling, TenThousandPeersComeAndGoLeavingNothingBehind) {
  test_site site;
  ws_client anchor(site.port);
  anchor.send(announce({0}));
  EXPECT_TRUE(drain(anchor).empty());
  auto before = stats(site.port);
  constexpr int batches = 100, per_batch = 100;
  for (int b = 0; b < batches; ++b) {
    std::vector<std::unique_ptr<ws_client>> peers;
    for (int i = 0; i < per_batch; ++i) {
      peers.push_back(std::make_unique<ws_client>(site.port));
      peers.back()->send(announce({1, 2, 3}));
      peers.back()->send(want(1, test_site::hash(0)));
    }
    for (std::size_t i = 0; i < peers.size(); i += 2) peers[i]->close();  // half politely
    peers.clear();  // the other half just vanish
    drain(anchor);  // the anchor reads its pushes and cancels, as a live page would
  }
  ASSERT_TRUE(wait_for_stat(site.port, "peers_online", 1))
      << boost::json::serialize(stats(site.port));
  auto after = stats(site.port);
  EXPECT_EQ(after["holdings"], before["holdings"]);
  EXPECT_EQ(after["hashes_held"], before["hashes_held"]);
  // Every peer's want was processed (plus one drain marker per batch).
  EXPECT_EQ(after["wants"].to_number<std::int64_t>() - before["wants"].to_number<std::int64_t>(),
            batches * per_batch + batches);
  // The anchor's upload slots were all freed as the wanters left.
  ws_client last(site.port);
  last.send(want(1, test_site::hash(0)));
  EXPECT_EQ(last.read()["type"], "match");
}

// --crowd-exclude over real sockets: the origin still serves the file (with its ETag), the
// manifest does not list it, and the tracker refuses to pair on its hash, so no visitor learns
// from the crowd who else loaded it.
TEST(Signaling, CrowdExcludedFilesStayOnTheOrigin) {
  app::config cfg;
  cfg.crowd.exclude = {"/f1.txt", "*.bin"};
  test_site site(3, cfg);
  auto file = get(site.port, "/f1.txt");
  EXPECT_EQ(file.result(), http::status::ok);
  EXPECT_EQ(file.body(), test_site::content(1));
  EXPECT_EQ(file[http::field::etag], "\"" + test_site::hash(1) + "\"");
  const auto manifest = get(site.port, "/.circlecdn/manifest.json").body();
  EXPECT_EQ(manifest.find("/f1.txt"), std::string::npos);
  EXPECT_EQ(manifest.find("/big.bin"), std::string::npos);
  EXPECT_NE(manifest.find("/f0.txt"), std::string::npos);

  ws_client a(site.port), b(site.port);
  a.send(announce({0, 1}));
  auto refused = a.read();
  EXPECT_EQ(refused["type"], "error");
  EXPECT_EQ(refused["code"], "unknown_hash");
  EXPECT_EQ(refused["hashes"], boost::json::array{value(test_site::hash(1))});
  b.send(want(1, test_site::hash(1)));
  auto m = b.read();
  EXPECT_EQ(m["type"], "miss");
  EXPECT_EQ(m["reason"], "unknown_hash");
  b.send(want(2, test_site::hash(0)));
  EXPECT_EQ(b.read()["type"], "match");
}

// Found by an attacker: 20,000 cookieless requests in 0.56 s pushed every visitor's served record
// out, and a 304 or a one-byte range recorded the whole file as served. Now only whole 200 bodies
// for requests that carried the visitor's cookie are recorded.
TEST(Signaling, ServedRecordFloodAndPartialAnswersRecordNothing) {
  app::config cfg;
  cfg.served_ids_max = 4;  // a small record, so a flood that counted would evict the victim
  test_site site(4, cfg);
  auto first = get(site.port, "/.circlecdn/manifest.json");
  std::string set_cookie(first[http::field::set_cookie]);
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_EQ(get(site.port, "/f1.txt", {{"Cookie", cookie}}).result_int(), 200);
  for (int i = 0; i < 50; ++i) get(site.port, "/f2.txt");  // cookieless: new ids every time
  const auto etag = "\"" + test_site::hash(3) + "\"";
  EXPECT_EQ(get(site.port, "/f3.txt", {{"Cookie", cookie}, {"If-None-Match", etag}}).result_int(),
            304);
  EXPECT_EQ(get(site.port, "/big.bin", {{"Cookie", cookie}, {"Range", "bytes=0-0"}}).result_int(),
            206);
  EXPECT_EQ(stat(site.port, "served_ids"), 1);
  ws_client ws(site.port, with_cookie(cookie));
  auto served = ws.welcome().at("served").as_array();
  ASSERT_EQ(served.size(), 1u);
  EXPECT_EQ(served[0], value(test_site::hash(1)));
}
