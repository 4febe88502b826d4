// The tracker driven through peer_link recorders: every protocol rule without a socket. The ICE
// renewal and fail-fast rules are in tracker_paths_test.cpp.
#include "signal/tracker.hpp"

#include <gtest/gtest.h>

#include "tracker_fixture.hpp"

using namespace circlecdn;
using namespace circlecdn::signal;
using namespace circlecdn::signal::test;
using namespace std::chrono_literals;
namespace json = boost::json;

TEST_F(fixture, WelcomeCarriesWhatTheOriginServedThisVisitor) {
  auto visitor = peer_id::random();
  served.record(visitor, hash_of(1));
  served.record(visitor, hash_of(2));
  recorder link;
  t->join(link, visitor, now);
  auto w = link.next();
  EXPECT_NE(w["peer"], boost::json::value(visitor.str()));  // the cookie is never the public id
  EXPECT_EQ(w["served"].as_array().size(), 2u);
  EXPECT_EQ(w["served"].as_array()[0], boost::json::value(hash_of(1).hex()));
}

TEST_F(fixture, PublicIdsAreFreshPerConnectionAndNeverTheCookie) {
  auto visitor = peer_id::random();
  auto a = join(visitor), b = join(visitor);
  EXPECT_NE(a->id, visitor.str());
  EXPECT_NE(b->id, visitor.str());
  EXPECT_NE(a->id, b->id);  // a second tab of the same visitor is another peer
}

TEST_F(fixture, WantIsMatchedWithHolderAndBothAreTold) {
  auto a = join(), b = join();
  announce(*a, 1);
  want(*b, 5, 1);
  auto m = b->link.next();
  EXPECT_EQ(m["type"], "match");
  EXPECT_EQ(m["id"], 5);
  EXPECT_EQ(m["peer"], boost::json::value(a->id));
  EXPECT_EQ(m["connect"], true);
  auto p = a->link.next();
  EXPECT_EQ(p["type"], "push");
  EXPECT_EQ(p["peer"], boost::json::value(b->id));
  EXPECT_EQ(p["id"], 5);
  // Once paired, the channel is reused.
  announce(*a, 2);
  want(*b, 6, 2);
  EXPECT_EQ(b->link.next()["connect"], false);
  EXPECT_EQ(a->link.next()["connect"], false);
}

TEST_F(fixture, NoHolderIsAMissWithAValidToken) {
  auto a = join();
  want(*a, 1, 1);
  auto m = a->link.next();
  EXPECT_EQ(m["type"], "miss");
  EXPECT_EQ(m["reason"], "no_holder");
  EXPECT_TRUE(tokens.check_miss(m["token"].as_string(), token_signer::clock::now()));
  // A peer is never its own holder.
  announce(*a, 2);
  want(*a, 2, 2);
  EXPECT_EQ(a->link.next()["reason"], "no_holder");
  // A hash not in the manifest is never matched.
  manifest.erase(hash_of(2));
  auto b = join();
  want(*b, 1, 2);
  EXPECT_EQ(b->link.next()["reason"], "unknown_hash");
}

TEST_F(fixture, HolderAtItsUploadCapIsNotChosen) {
  lim.uploads_per_holder = 1;
  make();
  auto a = join(), b = join(), c = join();
  announce(*a, 1);
  want(*b, 1, 1);
  EXPECT_EQ(b->link.next_type(), "match");
  want(*c, 1, 1);
  EXPECT_EQ(c->link.next()["reason"], "all_busy");
  send(*b, R"({"type":"done","id":1,"ok":true})");  // frees a's slot
  want(*c, 2, 1);
  EXPECT_EQ(c->link.next_type(), "match");
}

TEST_F(fixture, OptedOutPeerIsNeverChosen) {
  auto a = join(), b = join();
  send(*a, R"({"type":"hello","upload":false})");
  EXPECT_EQ(a->link.next_type(), "welcome");
  announce(*a, 1);
  want(*b, 1, 1);
  EXPECT_EQ(b->link.next()["reason"], "no_holder");  // not busy: retrying would not help
}

TEST_F(fixture, AnnounceRefusesUnknownHashesAndCapsHoldings) {
  lim.holdings_per_peer = 2;
  make();
  auto a = join();
  send(*a, R"({"type":"announce","have":[")" + hash_of(1).hex() + R"(",")" + hash_of(99).hex() +
               R"("]})");
  auto e = a->link.next();
  EXPECT_EQ(e["code"], "unknown_hash");
  EXPECT_EQ(e["hashes"].as_array().size(), 1u);
  EXPECT_EQ(dir.entries(), 1u);
  announce(*a, 2);
  announce(*a, 3);
  EXPECT_EQ(a->link.next()["code"], "too_many_holdings");
  EXPECT_EQ(dir.entries(), 2u);
  send(*a, R"({"type":"drop","hashes":[")" + hash_of(1).hex() + R"("]})");
  EXPECT_EQ(dir.entries(), 1u);
}

// Found by an attacker: 200 peers x 8,192 holdings took 229 MiB, with no limit over all peers.
// The directory now stops at holdings_total, whoever announces.
TEST_F(fixture, HoldingsFloodStopsAtTheGlobalCap) {
  lim.holdings_total = 3;
  make();
  auto a = join(), b = join();
  announce(*a, 1);
  announce(*a, 2);
  announce(*b, 1);
  announce(*b, 3);
  auto e = b->link.next();
  EXPECT_EQ(e["code"], "too_many_holdings");
  EXPECT_EQ(e["hashes"].as_array().size(), 1u);
  EXPECT_EQ(dir.entries(), 3u);
  send(*a, R"({"type":"drop","hashes":[")" + hash_of(1).hex() + R"("]})");
  announce(*b, 3);  // room again once someone drops
  EXPECT_EQ(dir.entries(), 3u);
}

TEST_F(fixture, SignalsFlowOnlyBetweenPairedPeers) {
  auto a = join(), b = join(), c = join();
  std::string to_a =
      R"({"type":"signal","to":")" + a->id + R"(","data":{"sdp":{"type":"offer","sdp":"v=0"}}})";
  send(*b, to_a);
  EXPECT_EQ(b->link.next()["code"], "not_paired");
  EXPECT_TRUE(a->link.inbox.empty());
  announce(*a, 1);
  want(*b, 1, 1);
  b->link.next();
  a->link.next();
  send(*b, to_a);
  auto s = a->link.next();
  EXPECT_EQ(s["type"], "signal");
  EXPECT_EQ(s["from"], boost::json::value(b->id));
  EXPECT_EQ(s["data"].as_object()["sdp"].as_object()["type"], "offer");
  send(*c, to_a);  // c was never paired with a
  EXPECT_EQ(c->link.next()["code"], "not_paired");
  EXPECT_TRUE(a->link.inbox.empty());
}

TEST_F(fixture, PeerLeavingMidPairingCancelsAndSignalsGetPeerGone) {
  auto a = join(), b = join();
  announce(*a, 1);
  want(*b, 4, 1);
  b->link.next();
  a->link.next();
  t->leave(a->state);
  auto c = b->link.next();
  EXPECT_EQ(c["type"], "cancel");
  EXPECT_EQ(c["id"], 4);
  EXPECT_EQ(c["reason"], "peer_gone");
  EXPECT_EQ(c["role"], "wanter");
  send(*b, R"({"type":"signal","to":")" + a->id + R"(","data":{}})");
  EXPECT_EQ(b->link.next()["code"], "peer_gone");  // an error, never silence
  EXPECT_EQ(dir.entries(), 0u);
  // The wanter leaving frees the holder's slot and tells it.
  auto d = join();
  announce(*d, 2);
  want(*b, 5, 2);
  b->link.next();
  d->link.next();
  t->leave(b->state);
  auto cancel = d->link.next();
  EXPECT_EQ(cancel["type"], "cancel");
  EXPECT_EQ(cancel["role"], "holder");
}

TEST_F(fixture, ReportPenalisesOnlyAPairedHolder) {
  auto liar = join(), honest = join(), b = join(), stranger = join();
  announce(*liar, 1);
  want(*b, 1, 1);
  EXPECT_EQ(b->link.next()["peer"], boost::json::value(liar->id));
  liar->link.next();
  std::string report =
      R"({"type":"report","peer":")" + liar->id + R"(","hash":")" + hash_of(1).hex() + R"("})";
  send(*stranger, report);
  EXPECT_EQ(stranger->link.next()["code"], "not_paired");
  send(*liar, R"({"type":"signal","to":")" + b->id + R"(","data":{}})");  // it answers b
  b->link.next();
  send(*b, report);
  EXPECT_EQ(b->link.next_type(), "penalised");
  send(*b, R"({"type":"done","id":1,"ok":false})");
  announce(*liar, 2);  // the liar's other content is not offered either
  announce(*honest, 1);
  announce(*honest, 2);
  for (int i = 0; i < 6; ++i) {
    want(*stranger, 10 + i, 1 + i % 2);
    auto m = stranger->link.next();
    ASSERT_EQ(m["type"], "match");
    EXPECT_EQ(m["peer"], boost::json::value(honest->id));
    send(*stranger, R"({"type":"done","id":)" + std::to_string(10 + i) + R"(,"ok":true})");
  }
  // Once the penalty has passed, the peer is offered again.
  now += lim.penalty_base + 1s;
  honest->link.inbox.clear();
  t->leave(honest->state);
  want(*stranger, 50, 2);
  EXPECT_EQ(stranger->link.next()["peer"], boost::json::value(liar->id));
}

TEST_F(fixture, WantLimitsAndIds) {
  lim.wants_in_flight = 2;
  make();
  auto a = join(), b = join();
  announce(*a, 1);
  want(*b, 1, 1);
  want(*b, 1, 1);
  EXPECT_EQ(b->link.next_type(), "match");
  auto dup = b->link.next();
  EXPECT_EQ(dup["code"], "duplicate_id");
  EXPECT_EQ(dup["id"], 1);  // the client can tell which want failed
  want(*b, 2, 1);
  want(*b, 3, 1);
  EXPECT_EQ(b->link.next_type(), "match");
  auto over = b->link.next();
  EXPECT_EQ(over["code"], "too_many_wants");
  EXPECT_EQ(over["id"], 3);
  send(*b, R"({"type":"done","id":77,"ok":true})");
  EXPECT_EQ(b->link.next()["code"], "unknown_want");
}

TEST_F(fixture, WantsExpireAndFreeTheHolder) {
  auto a = join(), b = join();
  announce(*a, 1);
  want(*b, 1, 1);
  b->link.next();
  a->link.next();
  t->expire(now + lim.want_timeout - 1s);
  EXPECT_TRUE(b->link.inbox.empty());
  t->expire(now + lim.want_timeout + 1s);
  EXPECT_EQ(b->link.next()["reason"], "expired");
  EXPECT_EQ(a->link.next()["reason"], "expired");
  send(*b, R"({"type":"done","id":1,"ok":true})");
  EXPECT_EQ(b->link.next()["code"], "unknown_want");
}

TEST_F(fixture, FloodIsRateLimitedThenDisconnected) {
  auto a = join();
  for (int i = 0; i < lim.message_burst; ++i) announce(*a, 1);  // the whole burst is accepted
  EXPECT_TRUE(a->link.inbox.empty());
  announce(*a, 1);
  EXPECT_EQ(a->link.next()["code"], "rate_limited");
  for (int i = 0; i < 100 && !a->link.closed; ++i) announce(*a, 1);
  EXPECT_EQ(a->link.closed, 1008);
  // Time refills the bucket.
  auto b = join();
  for (int i = 0; i < lim.message_burst; ++i) announce(*b, 1);
  now += 1s;
  for (int i = 0; i < lim.messages_per_s; ++i) announce(*b, 1);
  EXPECT_TRUE(b->link.inbox.empty());
}

TEST_F(fixture, GarbageIsAnsweredThenRepeatOffenderDisconnected) {
  auto a = join();
  send(*a, "not json");
  EXPECT_EQ(a->link.next()["code"], "bad_json");
  t->on_binary(a->state, now);
  EXPECT_EQ(a->link.next()["code"], "bad_frame");
  send(*a, R"({"type":"hack"})");
  EXPECT_EQ(a->link.next()["code"], "unknown_type");
  for (std::uint32_t i = 3; i < lim.errors_before_disconnect; ++i) send(*a, "{");
  EXPECT_EQ(a->link.closed, 1008);
  auto before = a->link.inbox.size();
  send(*a, "{");  // nothing more is said to a closing peer
  EXPECT_EQ(a->link.inbox.size(), before);
}

TEST_F(fixture, ResumeTokenRebindsTheOldIdAndForgeriesAreRefused) {
  auto a = join();
  auto token = tokens.resume_token(peer_id::parse(a->id).value(), token_signer::clock::now() + 1h);
  t->leave(a->state);
  auto b = join();
  send(*b, R"({"type":"hello","resume":")" + token + R"("})");
  EXPECT_EQ(b->link.next()["peer"], boost::json::value(a->id));
  EXPECT_EQ(t->id_of(b->state).str(), a->id);
  auto c = join();
  send(*c, R"({"type":"hello","resume":"forged.token"})");
  EXPECT_EQ(c->link.next()["code"], "bad_token");
  EXPECT_EQ(c->link.next()["peer"], boost::json::value(c->id));
}

// A peer that leaves leaves nothing behind: 10,000 peers join, announce, want and leave.
TEST_F(fixture, TenThousandPeersLeaveNothingBehind) {
  auto anchor = join();
  announce(*anchor, 1);
  auto entries_before = dir.entries(), hashes_before = dir.hashes();
  for (int i = 0; i < 10'000; ++i) {
    auto p = join();
    announce(*p, 2);
    announce(*p, 3);
    want(*p, 1, 1);
    want(*p, 2, 2);  // nobody else holds 2: p becomes its fetcher
    t->leave(p->state);
  }
  EXPECT_EQ(t->peers_online(), 1u);
  EXPECT_EQ(t->fetches_remembered(), 0u);
  EXPECT_EQ(dir.entries(), entries_before);
  EXPECT_EQ(dir.hashes(), hashes_before);
}

// Honest races (peer_gone, unknown_want) are answered but never add up to a disconnect, and other
// errors are forgiven over time.
TEST_F(fixture, BenignRacesNeverDisconnect) {
  lim.messages_per_s = 1e9;
  lim.message_burst = 1e9;
  make();
  auto a = join();
  for (int i = 0; i < 100; ++i) send(*a, R"({"type":"done","id":5,"ok":true})");
  EXPECT_FALSE(a->link.closed);
  EXPECT_EQ(a->link.inbox.size(), 100u);
}

// Flash crowd: while one peer fetches a hash from the origin, the next wanters are told to wait
// for it (`fetching`) instead of all fetching the same bytes; it ends when the fetcher announces,
// leaves, or takes longer than fetch_grace.
TEST_F(fixture, FirstMissMakesOthersWaitForTheFetcher) {
  auto a = join(), b = join(), c = join();
  want(*a, 1, 1);
  EXPECT_EQ(a->link.next()["reason"], "no_holder");
  want(*b, 1, 1);
  auto m = b->link.next();
  EXPECT_EQ(m["type"], "miss");
  EXPECT_EQ(m["reason"], "fetching");
  EXPECT_TRUE(tokens.check_miss(m["token"].as_string(), token_signer::clock::now()));
  announce(*a, 1);
  want(*b, 2, 1);
  EXPECT_EQ(b->link.next()["type"], "match");

  a->link.inbox.clear();  // the push for b's want
  want(*a, 3, 2);         // a now fetches hash 2 ...
  EXPECT_EQ(a->link.next()["reason"], "no_holder");
  t->leave(a->state);                      // ... and leaves before it has it
  EXPECT_EQ(t->fetches_remembered(), 0u);  // a leaves nothing behind
  b->link.inbox.clear();
  want(*c, 1, 2);
  EXPECT_EQ(c->link.next()["reason"], "no_holder");  // c fetches it now
  want(*b, 4, 2);
  EXPECT_EQ(b->link.next()["reason"], "fetching");
  now += lim.fetch_grace + 1s;  // c is too slow: b may go to the origin itself
  want(*b, 5, 2);
  EXPECT_EQ(b->link.next()["reason"], "no_holder");
}

// A visitor that uploads nothing (GPC, a hidden tab, its budget spent: hello upload:false) never
// becomes the fetcher others wait for, and is not chosen as a holder until it says it uploads.
TEST_F(fixture, PausedUploaderNeverMakesOthersWaitAndIsChosenOnlyOnceItUploadsAgain) {
  auto a = join(), b = join();
  send(*a, R"({"type":"hello","upload":false,"max_uploads":0})");
  a->link.inbox.clear();  // its welcome
  want(*a, 1, 1);
  EXPECT_EQ(a->link.next()["reason"], "no_holder");
  want(*b, 1, 1);
  EXPECT_EQ(b->link.next()["reason"], "no_holder");  // not `fetching`: nobody waits for a
  announce(*a, 1);
  want(*b, 2, 1);
  EXPECT_EQ(b->link.next()["reason"], "no_holder");  // a holds it but does not upload
  send(*a, R"({"type":"hello","upload":true,"max_uploads":4})");
  want(*b, 3, 1);
  EXPECT_EQ(b->link.next()["type"], "match");
}

// Found by an attacker: one connection that wanted every hash became their fetcher, renewed the
// claim by wanting again, and honest visitors got `fetching` 17 times out of 17 over 25 s. Claims
// are now never extended, limited per peer, and not taken twice on one hash.
TEST_F(fixture, SquattingOnFetchingClaimsIsBoundedAndNeverExtended) {
  lim.fetch_claims_per_peer = 2;
  make();
  auto squatter = join(), honest = join();
  want(*squatter, 1, 1);
  EXPECT_EQ(squatter->link.next()["reason"], "no_holder");
  want(*squatter, 2, 2);
  EXPECT_EQ(squatter->link.next()["reason"], "no_holder");
  want(*squatter, 3, 3);  // over its 2 live claims: answered, but claims nothing
  EXPECT_EQ(squatter->link.next()["reason"], "no_holder");
  want(*honest, 1, 3);
  EXPECT_EQ(honest->link.next()["reason"], "no_holder");  // hash 3 is the honest one's to fetch
  honest->link.inbox.clear();
  now += lim.fetch_grace - 1s;
  want(*squatter, 4, 1);  // wanting again does not extend the claim on hash 1 ...
  EXPECT_EQ(squatter->link.next()["reason"], "no_holder");
  now += 2s;  // ... which ends fetch_grace after it was made
  want(*honest, 2, 1);
  EXPECT_EQ(honest->link.next()["reason"], "no_holder");  // no wait: the honest peer fetches it
  want(*squatter, 5, 1);  // and the squatter cannot take hash 1 back
  auto again = squatter->link.next();
  EXPECT_EQ(again["reason"], "fetching");
}

// A holder whose wants expire unserved (a fake holder collecting wants) is not offered again to
// that wanter, and after failing with several wanters it is skipped for everyone.
TEST_F(fixture, FakeHolderWhoseWantsExpireStopsBeingChosen) {
  auto fake = join(), real = join(), w1 = join(), w2 = join(), w3 = join();
  announce(*fake, 1);
  for (auto* w : {w1.get(), w2.get()}) {  // only the fake holder has it: it collects both wants
    want(*w, 1, 1);
    EXPECT_EQ(w->link.next()["peer"], boost::json::value(fake->id));
  }
  now += lim.want_timeout + 1s;
  t->expire(now);  // neither was served
  announce(*real, 1);
  for (auto* w : {w1.get(), w2.get()}) {
    w->link.inbox.clear();
    want(*w, 10, 1);
    auto m = w->link.next();
    ASSERT_EQ(m["type"], "match");
    EXPECT_EQ(m["peer"], boost::json::value(real->id));  // never the fake holder again
    send(*w, R"({"type":"done","id":10,"ok":true})");
  }
  // A new wanter: the real holder, with two completed uploads, ranks above the fake one.
  want(*w3, 1, 1);
  EXPECT_EQ(w3->link.next()["peer"], boost::json::value(real->id));
}
