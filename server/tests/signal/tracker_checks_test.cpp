// Reports and possession challenges in the tracker (tracker_checks.cpp), driven through recorders.
#include <boost/json.hpp>

#include "core/random_id.hpp"
#include "signal/tracker_fixture.hpp"

namespace circlecdn::signal::test {

namespace {

struct checks : fixture {
  // wanter wants hash h from holder (the only one holding it); holder answers its connection.
  void pair_answered(peer& wanter, peer& holder, int want_id, int h) {
    want(wanter, want_id, h);
    ASSERT_EQ(wanter.link.next()["peer"], json::value(holder.id));
    ASSERT_EQ(holder.link.next_type(), "push");
    send(holder, R"({"type":"signal","to":")" + wanter.id + R"(","data":{}})");
    ASSERT_EQ(wanter.link.next_type(), "signal");
  }
  void report(peer& reporter, const peer& accused, int h) {
    send(reporter, R"({"type":"report","peer":")" + accused.id + R"(","hash":")" +
                       hash_of(h).hex() + R"("})");
  }
  // The challenge the peer got, answered honestly (it holds hash_of(h)), wrongly, or refused.
  json::object take_challenge(peer& p) {
    auto c = p.link.next();
    EXPECT_EQ(c["type"], "challenge");
    return c;
  }
  void prove(peer& p, const json::object& c, int h) {
    auto nonce = std::string(c.at("nonce").as_string());
    std::string bytes;
    for (std::size_t i = 0; i < nonce.size(); i += 2)
      bytes += static_cast<char>(std::stoi(nonce.substr(i, 2), nullptr, 16));
    send(p, R"({"type":"proof","id":)" + std::to_string(c.at("id").as_int64()) + R"(,"digest":")" +
                proof_for(bytes, h).hex() + R"("})");
  }
  bool matched_with(peer& wanter, int want_id, int h, const peer& holder) {
    want(wanter, want_id, h);
    auto m = wanter.link.next();
    bool hit = m["type"] == "match" && m["peer"] == json::value(holder.id);
    if (m["type"] == "match")
      send(wanter, R"({"type":"done","id":)" + std::to_string(want_id) + R"(,"ok":true})");
    return hit;
  }
};

}  // namespace

TEST_F(checks, HolderCannotReportItsWanter) {
  auto holder = join(), wanter = join();
  announce(*holder, 1);
  pair_answered(*wanter, *holder, 1, 1);
  send(*wanter, R"({"type":"signal","to":")" + holder->id + R"(","data":{}})");
  holder->link.next();
  report(*holder, *wanter, 1);
  EXPECT_EQ(holder->link.next()["code"], "not_wanter");
  EXPECT_FALSE(t->is_penalised(peer_id::parse(wanter->id).value(), now));
  EXPECT_EQ(t->counters().reports, 0u);
  EXPECT_EQ(t->checks().reports_refused, 1u);
}

TEST_F(checks, ReportBeforeTheHolderAnsweredIsRefused) {
  auto holder = join(), wanter = join();
  announce(*holder, 1);
  want(*wanter, 1, 1);
  wanter->link.next();
  report(*wanter, *holder, 1);
  EXPECT_EQ(wanter->link.next()["code"], "report_too_early");
  report(*wanter, *holder, 2);  // a hash it was never paired for
  EXPECT_EQ(wanter->link.next()["code"], "not_wanter");
  EXPECT_FALSE(t->is_penalised(peer_id::parse(holder->id).value(), now));
}

TEST_F(checks, AReportCountsOncePerPairingAndTriggersAChallenge) {
  auto holder = join(), wanter = join();
  announce(*holder, 1);
  pair_answered(*wanter, *holder, 1, 1);
  report(*wanter, *holder, 1);
  EXPECT_EQ(wanter->link.next_type(), "penalised");
  auto c = take_challenge(*holder);
  EXPECT_EQ(c["hash"], json::value(hash_of(1).hex()));
  EXPECT_EQ(c["nonce"].as_string().size(), 32u);
  report(*wanter, *holder, 1);
  EXPECT_EQ(wanter->link.next()["code"], "already_reported");
  EXPECT_EQ(t->counters().reports, 1u);
  EXPECT_EQ(t->checks().challenges_sent, 1u);
}

TEST_F(checks, AHolderThatProvesPossessionContradictsItsReporter) {
  // Distinct addresses: the first report penalises `honest`, and a penalty marks its address.
  auto honest = join(std::nullopt, "198.51.100.1"), other = join(std::nullopt, "198.51.100.2");
  auto reporter = join(std::nullopt, "203.0.113.9");
  announce(*honest, 1);
  pair_answered(*reporter, *honest, 1, 1);
  report(*reporter, *honest, 1);
  reporter->link.inbox.clear();
  prove(*honest, take_challenge(*honest), 1);
  EXPECT_EQ(t->checks().challenges_passed, 1u);
  EXPECT_EQ(t->checks().reporters_contradicted, 1u);
  EXPECT_EQ(dir.entries(), 1u);  // the proof gave the holding back
  // The reporter's next report, against another holder, weighs half: no penalty.
  announce(*other, 2);
  pair_answered(*reporter, *other, 2, 2);
  report(*reporter, *other, 2);
  EXPECT_TRUE(reporter->link.inbox.empty());
  EXPECT_FALSE(t->is_penalised(peer_id::parse(other->id).value(), now));
  EXPECT_EQ(t->counters().reports, 2u);
}

TEST_F(checks, ASquatterWithTheWrongBytesLosesItsHoldingAndIsPenalised) {
  lim.challenge_rate = 1;
  make();
  auto squatter = join(), wanter = join();
  announce(*squatter, 2);
  auto c = take_challenge(*squatter);
  prove(*squatter, c, 3);  // the digest of other bytes
  EXPECT_EQ(t->checks().challenges_failed, 1u);
  EXPECT_EQ(dir.entries(), 0u);
  EXPECT_TRUE(t->is_penalised(peer_id::parse(squatter->id).value(), now));
  want(*wanter, 1, 2);
  EXPECT_EQ(wanter->link.next()["type"], "miss");
  // A proof for an id not open (answered already): an error.
  prove(*squatter, c, 2);
  EXPECT_EQ(squatter->link.next()["code"], "unknown_challenge");
}

TEST_F(checks, ASilentHolderFailsAtTheDeadline) {
  lim.challenge_rate = 1;
  make();
  auto silent = join();
  announce(*silent, 1);
  take_challenge(*silent);
  t->expire(now + lim.challenge_timeout - 1ms);
  EXPECT_EQ(dir.entries(), 1u);
  now += lim.challenge_timeout;
  t->expire(now);
  EXPECT_EQ(t->checks().challenges_unanswered, 1u);
  EXPECT_EQ(dir.entries(), 0u);
  EXPECT_TRUE(t->is_penalised(peer_id::parse(silent->id).value(), now));
}

TEST_F(checks, ARefusalOfASampleOnlyDropsTheHolding) {
  lim.challenge_rate = 1;
  make();
  auto evicted = join();
  announce(*evicted, 1);
  auto c = take_challenge(*evicted);
  send(*evicted, R"({"type":"proof","id":)" + std::to_string(c["id"].as_int64()) + "}");
  EXPECT_EQ(t->checks().challenges_refused, 1u);
  EXPECT_EQ(dir.entries(), 0u);
  EXPECT_FALSE(t->is_penalised(peer_id::parse(evicted->id).value(), now));
}

TEST_F(checks, ANewPeerFromAPenalisedAddressIsChallengedAndChosenLast) {
  lim.challenge_rate = 1;
  make();
  auto squatter = join(std::nullopt, "198.51.100.66");
  announce(*squatter, 1);
  take_challenge(*squatter);
  now += lim.challenge_timeout;
  t->expire(now);
  // It comes back without cookie or resume token: a new id, at the same address.
  lim.challenge_rate = 0;
  auto again = join(std::nullopt, "198.51.100.66");
  auto clean = join(std::nullopt, "198.51.100.67");
  announce(*again, 1);
  take_challenge(*again);  // every announce from a suspect address is challenged
  announce(*clean, 1);
  EXPECT_TRUE(clean->link.inbox.empty());
  auto wanter = join();
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(matched_with(*wanter, 10 + i, 1, *clean));
  // Never excluded: with the clean holder gone it is still offered.
  t->leave(clean->state);
  EXPECT_TRUE(matched_with(*wanter, 30, 1, *again));
}

TEST_F(checks, ChallengesStopAtTheCap) {
  lim.challenge_rate = 1;
  lim.challenges_per_s = 3;
  make();
  std::vector<std::unique_ptr<peer>> peers;
  for (int i = 0; i < 10; ++i) {
    peers.push_back(join());
    announce(*peers.back(), 1 + i % 3);
  }
  EXPECT_EQ(t->checks().challenges_sent, 3u);
  EXPECT_EQ(t->checks().challenges_skipped, 7u);
  now += 1s;
  announce(*peers[0], 2);
  announce(*peers[0], 3);
  EXPECT_EQ(t->checks().challenges_sent, 5u);
}

}  // namespace circlecdn::signal::test

namespace circlecdn::signal::test {

TEST_F(checks, AHolderItsWanterCouldNotReachIsChallengedAndASquatterLosesEveryClaim) {
  auto squatter = join(std::nullopt, "198.51.100.66"), wanter = join();
  send(*squatter, R"({"type":"announce","have":[")" + hash_of(1).hex() + R"(",")" +
                      hash_of(2).hex() + R"(",")" + hash_of(3).hex() + R"("]})");
  want(*wanter, 1, 1);
  ASSERT_EQ(wanter->link.next()["peer"], json::value(squatter->id));
  squatter->link.next();  // push, never acted on
  send(*wanter, R"({"type":"done","id":1,"ok":false,"reason":"connect_failed"})");
  auto c = take_challenge(*squatter);
  EXPECT_EQ(c["hash"], json::value(hash_of(1).hex()));
  now += lim.challenge_timeout;
  t->expire(now);
  EXPECT_EQ(t->checks().challenges_unanswered, 1u);
  EXPECT_EQ(dir.entries(), 0u);  // all three claims, not only the one challenged
  EXPECT_TRUE(t->is_penalised(peer_id::parse(squatter->id).value(), now));
}

TEST_F(checks, AnUnreachableHonestHolderPassesAndKeepsItsHoldings) {
  auto holder = join(std::nullopt, "198.51.100.1"), wanter = join();
  announce(*holder, 1);
  announce(*holder, 2);
  want(*wanter, 1, 1);
  wanter->link.next();
  holder->link.next();
  send(*wanter, R"({"type":"done","id":1,"ok":false,"reason":"timeout"})");
  prove(*holder, take_challenge(*holder), 1);
  EXPECT_EQ(t->checks().challenges_passed, 1u);
  EXPECT_EQ(dir.entries(), 2u);
  EXPECT_FALSE(t->is_penalised(peer_id::parse(holder->id).value(), now));
}

}  // namespace circlecdn::signal::test
