// False reports and proof of possession over real WebSockets against the real server, each test
// named after the attack it stops (docs/security.md).
#include <gtest/gtest.h>

#include <thread>

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
std::string done(int id, bool ok) {
  return R"({"type":"done","id":)" + std::to_string(id) + R"(,"ok":)" + (ok ? "true" : "false") +
         "}";
}
std::string report(const ws_client& accused, int file) {
  return R"({"type":"report","peer":")" + accused.peer() + R"(","hash":")" + test_site::hash(file) +
         R"("})";
}
std::string signal_to(const ws_client& to) {
  return R"({"type":"signal","to":")" + to.peer() + R"(","data":{}})";
}
// The proof a peer holding `bytes` gives to challenge `c`.
std::string proof(const boost::json::object& c, const std::string& bytes) {
  auto hex = str(c.at("nonce"));
  std::string nonce;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    nonce += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  sha256_stream s;
  s.update(nonce.data(), nonce.size());
  s.update(bytes.data(), bytes.size());
  return R"({"type":"proof","id":)" + std::to_string(c.at("id").as_int64()) + R"(,"digest":")" +
         s.finish().hex() + R"("})";
}
std::int64_t stat(std::uint16_t port, const char* name) {
  return boost::json::parse(get(port, "/.circlecdn/stats", operator_auth()).body())
      .as_object()[name]
      .to_number<std::int64_t>();
}
bool wait_for_stat(std::uint16_t port, const char* name, std::int64_t v) {
  for (int i = 0; i < 3000; ++i) {  // a safety net of 30 s, not a timing check
    if (stat(port, name) == v) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}
bool has_type(const std::vector<boost::json::object>& msgs, std::string_view type) {
  for (const auto& m : msgs)
    if (m.at("type") == value(type)) return true;
  return false;
}
// A server that believes X-Forwarded-For from loopback, so test clients have distinct addresses.
app::config behind_proxy() {
  app::config cfg;
  cfg.tls.trust_proxy = {"127.0.0.1/32"};
  return cfg;
}

}  // namespace

TEST(Reports, sybil_reports_cannot_penalise_honest_holder) {
  test_site site(2, behind_proxy());
  ws_client honest(site.port, from_address("198.51.100.1"));
  honest.send(announce(0));
  honest.drain();  // the announce is recorded before anyone wants
  // 20 Sybils on 20 addresses, each paired with the honest holder by the server, none of them
  // ever received a byte from it (it never answered them): each reports it.
  for (int i = 0; i < 20; ++i) {
    ws_client sybil(site.port, from_address("203.0.113." + std::to_string(10 + i)));
    sybil.send(want(1, 0));
    auto m = sybil.read();
    ASSERT_EQ(m["type"], "match");
    ASSERT_EQ(m["peer"], value(honest.peer()));
    sybil.send(report(honest, 0));
    EXPECT_EQ(sybil.read()["code"], "report_too_early");
    sybil.send(done(1, true));  // frees the holder's slot for the next Sybil
    sybil.drain();
  }
  EXPECT_EQ(stat(site.port, "reports"), 0);
  EXPECT_EQ(stat(site.port, "reports_refused"), 20);
  EXPECT_EQ(stat(site.port, "penalties"), 0);
  // An honest wanter still gets the honest holder.
  ws_client wanter(site.port, from_address("192.0.2.50"));
  wanter.send(want(7, 0));
  auto m = wanter.read();
  EXPECT_EQ(m["type"], "match");
  EXPECT_EQ(m["peer"], value(honest.peer()));
}

TEST(Reports, holder_cannot_report_wanter) {
  test_site site(2);
  ws_client holder(site.port), wanter(site.port);
  holder.send(announce(0));
  holder.drain();
  wanter.send(want(1, 0));
  ASSERT_EQ(wanter.read()["type"], "match");
  ASSERT_EQ(holder.read()["type"], "push");
  wanter.send(signal_to(holder));  // both sides have signalled: a channel exists
  holder.read_type("signal");
  holder.send(signal_to(wanter));
  wanter.read_type("signal");
  holder.send(report(wanter, 0));
  auto e = holder.read();
  EXPECT_EQ(e["type"], "error");
  EXPECT_EQ(e["code"], "not_wanter");
  EXPECT_EQ(e["ref"], "report");
  EXPECT_EQ(stat(site.port, "reports"), 0);
  EXPECT_EQ(stat(site.port, "penalties"), 0);
}

TEST(Reports, report_without_push_ignored) {
  test_site site(3);
  ws_client holder(site.port), wanter(site.port), stranger(site.port);
  holder.send(announce(0));
  holder.send(announce(1));
  holder.drain();
  // No pairing at all: not_paired, as before.
  stranger.send(report(holder, 0));
  EXPECT_EQ(stranger.read()["code"], "not_paired");
  wanter.send(want(1, 0));
  ASSERT_EQ(wanter.read()["type"], "match");
  ASSERT_EQ(holder.read()["type"], "push");
  // Paired for file 0, but the server never told the holder to push file 1.
  wanter.send(report(holder, 1));
  EXPECT_EQ(wanter.read()["code"], "not_wanter");
  // Pushed, but the holder never answered: nothing can have come from it.
  wanter.send(report(holder, 0));
  EXPECT_EQ(wanter.read()["code"], "report_too_early");
  EXPECT_EQ(stat(site.port, "reports"), 0);
  auto other = ws_client(site.port);
  other.send(want(2, 1));
  EXPECT_EQ(other.read()["peer"], value(holder.peer()));
}

TEST(Reports, repeated_reports_do_not_escalate) {
  test_site site(3, behind_proxy());
  ws_client liar(site.port, from_address("198.51.100.9"));
  ws_client wanter(site.port, from_address("203.0.113.1"));
  liar.send(R"({"type":"announce","have":[")" + test_site::hash(0) + R"(",")" + test_site::hash(1) +
            R"("]})");
  liar.drain();
  wanter.send(want(1, 0));
  ASSERT_EQ(wanter.read()["type"], "match");
  liar.read_type("push");
  liar.send(signal_to(wanter));
  wanter.read_type("signal");
  wanter.send(report(liar, 0));
  EXPECT_EQ(wanter.read_type("penalised")["peer"], value(liar.peer()));
  // A liar on the wire holds the right bytes in its store: it passes the challenge, and stays
  // penalised on its receiver's word.
  liar.send(proof(liar.read_type("challenge"), test_site::content(0)));
  ASSERT_TRUE(wait_for_stat(site.port, "challenges_passed", 1));
  for (int i = 0; i < 10; ++i) {
    wanter.send(report(liar, 0));
    EXPECT_EQ(wanter.read()["code"], "already_reported");
  }
  EXPECT_EQ(stat(site.port, "reports"), 1);
  EXPECT_EQ(stat(site.port, "penalties"), 1);  // one penalty, never lengthened
}

TEST(Reports, squatter_fails_challenge_loses_holding) {
  app::config cfg;
  cfg.limits.challenge_rate = 1;
  test_site site(2, cfg, true);
  ws_client squatter(site.port), wanter(site.port);
  squatter.send(announce(0));
  auto c = squatter.read_type("challenge");
  EXPECT_EQ(c["hash"], value(test_site::hash(0)));
  squatter.send(proof(c, "not the bytes of file 0"));
  ASSERT_TRUE(wait_for_stat(site.port, "challenges_failed", 1));
  EXPECT_EQ(stat(site.port, "penalties"), 1);
  EXPECT_EQ(stat(site.port, "holdings"), 0);
  wanter.send(want(1, 0));
  auto m = wanter.read();
  EXPECT_EQ(m["type"], "miss");
  EXPECT_EQ(m["reason"], "no_holder");
}

TEST(Reports, silent_holder_fails_challenge) {
  app::config cfg;
  cfg.limits.challenge_rate = 1;
  cfg.limits.challenge_timeout = std::chrono::milliseconds(300);
  test_site site(2, cfg, true);
  ws_client silent(site.port), wanter(site.port);
  silent.send(announce(0));
  silent.read_type("challenge");  // and never answers
  ASSERT_TRUE(wait_for_stat(site.port, "challenges_unanswered", 1));
  EXPECT_EQ(stat(site.port, "holdings"), 0);
  EXPECT_EQ(stat(site.port, "penalties"), 1);
  wanter.send(want(1, 0));
  EXPECT_EQ(wanter.read()["type"], "miss");
}

TEST(Reports, honest_holder_passes_challenge) {
  app::config cfg;
  cfg.limits.challenge_rate = 1;
  test_site site(2, cfg, true);
  ws_client honest(site.port), wanter(site.port);
  honest.send(announce(0));
  auto c = honest.read_type("challenge");
  honest.send(proof(c, test_site::content(0)));
  ASSERT_TRUE(wait_for_stat(site.port, "challenges_passed", 1));
  EXPECT_EQ(stat(site.port, "penalties"), 0);
  // A piece of the large file: the server reads just that range of it.
  std::string big(600 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
  auto piece = big.substr(2 * 256 * 1024);  // the third and last piece
  honest.send(R"({"type":"announce","have":[")" + content_hash::of(piece).hex() + R"("]})");
  auto c2 = honest.read_type("challenge");
  honest.send(proof(c2, piece));
  ASSERT_TRUE(wait_for_stat(site.port, "challenges_passed", 2));
  wanter.send(want(1, 0));
  auto m = wanter.read();
  EXPECT_EQ(m["type"], "match");
  EXPECT_EQ(m["peer"], value(honest.peer()));
}

TEST(Reports, reporter_contradicted_loses_weight) {
  test_site site(3, behind_proxy());
  ws_client first(site.port, from_address("198.51.100.1"));
  ws_client second(site.port, from_address("198.51.100.2"));
  ws_client reporter(site.port, from_address("203.0.113.7"));
  first.send(announce(0));
  second.send(announce(1));
  first.drain();
  second.drain();
  auto pair_and_report = [&](ws_client& holder, int id, int file) {
    reporter.send(want(id, file));
    ASSERT_EQ(reporter.read()["peer"], value(holder.peer()));
    holder.read_type("push");
    holder.send(signal_to(reporter));
    reporter.read_type("signal");
    reporter.send(report(holder, file));
  };
  pair_and_report(first, 1, 0);
  EXPECT_EQ(reporter.read_type("penalised")["peer"], value(first.peer()));  // full weight once
  auto c = first.read_type("challenge");  // every reported holder is challenged
  first.send(proof(c, test_site::content(0)));
  ASSERT_TRUE(wait_for_stat(site.port, "reporters_contradicted", 1));
  // Contradicted: the same reporter's word alone no longer penalises anyone.
  pair_and_report(second, 2, 1);
  second.send(proof(second.read_type("challenge"), test_site::content(1)));
  ASSERT_TRUE(wait_for_stat(site.port, "reporters_contradicted", 2));
  EXPECT_FALSE(has_type(reporter.drain(), "penalised"));
  EXPECT_EQ(stat(site.port, "reports"), 2);
  EXPECT_EQ(stat(site.port, "penalties"), 1);
  ws_client wanter(site.port, from_address("192.0.2.9"));
  wanter.send(want(3, 1));
  EXPECT_EQ(wanter.read()["peer"], value(second.peer()));
}

TEST(Reports, sybil_report_after_an_answer_is_lifted_by_the_holders_proof) {
  // The attack the pairing rules cannot see: a Sybil wants, the honest holder answers its offer
  // (so the report counts), and the Sybil reports it. The holder's proof ends the penalty.
  test_site site(2, behind_proxy());
  ws_client honest(site.port, from_address("198.51.100.1"));
  ws_client other(site.port, from_address("198.51.100.2"));
  ws_client sybil(site.port, from_address("203.0.113.66"));
  honest.send(announce(0));
  honest.drain();
  sybil.send(want(1, 0));
  ASSERT_EQ(sybil.read()["peer"], value(honest.peer()));
  honest.read_type("push");
  honest.send(signal_to(sybil));
  sybil.read_type("signal");
  sybil.send(report(honest, 0));
  EXPECT_EQ(sybil.read_type("penalised")["peer"], value(honest.peer()));
  ASSERT_TRUE(wait_for_stat(site.port, "penalties", 1));
  auto c = honest.read_type("challenge");
  honest.send(proof(c, test_site::content(0)));
  ASSERT_TRUE(wait_for_stat(site.port, "penalties_lifted", 1));
  // Served again at once, to a wanter elsewhere, and its address is no suspect: a new
  // announce from there is not challenged.
  ws_client wanter(site.port, from_address("192.0.2.50"));
  wanter.send(want(2, 0));
  auto m = wanter.read();
  EXPECT_EQ(m["type"], "match");
  EXPECT_EQ(m["peer"], value(honest.peer()));
  ws_client neighbour(site.port, from_address("198.51.100.1"));
  neighbour.send(announce(1));
  EXPECT_FALSE(has_type(neighbour.drain(), "challenge"));
  // The same Sybil, reporting again through a new pairing, weighs half: no penalty.
  wanter.send(done(2, true));
  other.send(announce(1));
  other.drain();
  sybil.send(want(3, 1));
  auto m3 = sybil.read();
  ASSERT_EQ(m3["type"], "match");
  ws_client& holder = m3["peer"] == value(other.peer()) ? other : neighbour;
  holder.read_type("push");
  holder.send(signal_to(sybil));
  sybil.read_type("signal");
  sybil.send(report(holder, 1));
  EXPECT_FALSE(has_type(sybil.drain(), "penalised"));
  EXPECT_EQ(stat(site.port, "penalties"), 1);
}

TEST(Reports, challenge_rate_capped) {
  app::config cfg;
  cfg.limits.challenge_rate = 1;
  cfg.limits.challenges_per_s = 2;
  test_site site(4, cfg, true);
  std::vector<std::unique_ptr<ws_client>> peers;
  for (int i = 0; i < 4; ++i) peers.push_back(std::make_unique<ws_client>(site.port));
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 4; ++i) peers[i]->send(announce((i + round) % 4));
  for (auto& p : peers) p->drain();  // every announce has been handled
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto sent = stat(site.port, "challenges_sent");
  auto skipped = stat(site.port, "challenges_skipped");
  // 12 announces asked for 12 challenges; the cap allows a burst of 2 plus 2 per second.
  EXPECT_LE(sent, 2 + static_cast<std::int64_t>(2 * seconds) + 1);
  EXPECT_GE(sent, 2);
  EXPECT_EQ(sent + skipped, 12);
}
