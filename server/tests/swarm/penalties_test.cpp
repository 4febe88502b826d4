// What evidence is worth: swarm/penalties.hpp, on its own clock.
#include "swarm/penalties.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace circlecdn::swarm;
using namespace std::chrono_literals;

namespace {
constexpr auto base = 600s;
content_hash h(int i) {
  return content_hash::of("piece " + std::to_string(i));
}
}  // namespace

TEST(Penalties, OneReporterPenalisesOnceAndRepeatingItselfAddsNothing) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto liar = peer_id::random();
  EXPECT_TRUE(pen.report(liar, "198.51.100.7", "203.0.113.1", h(1), now));
  EXPECT_TRUE(pen.penalised(liar, now));
  // The same reporter again, on the same hash and on others: no new evidence, no longer penalty.
  for (int i = 0; i < 20; ++i)
    EXPECT_FALSE(pen.report(liar, "198.51.100.7", "203.0.113.1", h(i % 3), now + 1s));
  EXPECT_DOUBLE_EQ(pen.evidence(liar), 1.0);
  EXPECT_TRUE(pen.penalised(liar, now + base - 1s));
  EXPECT_FALSE(pen.penalised(liar, now + base + 2s));
  // Nor once the penalty is over: the same reporter's word was already spent.
  EXPECT_FALSE(pen.report(liar, "198.51.100.7", "203.0.113.1", h(7), now + base + 3s));
  EXPECT_FALSE(pen.penalised(liar, now + base + 3s));
}

TEST(Penalties, DistinctEvidenceEscalates) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto liar = peer_id::random();
  EXPECT_TRUE(pen.report(liar, "198.51.100.7", "203.0.113.1", h(1), now));
  EXPECT_TRUE(pen.report(liar, "198.51.100.7", "203.0.113.2", h(1), now));  // a second address
  EXPECT_TRUE(pen.penalised(liar, now + base + 1s));                        // doubled
  EXPECT_FALSE(pen.penalised(liar, now + 2 * base + 1s));
  EXPECT_TRUE(pen.failed_challenge(liar, "198.51.100.7", h(2), now));  // and a failed challenge
  EXPECT_TRUE(pen.penalised(liar, now + 4 * base - 1s));
  EXPECT_FALSE(pen.failed_challenge(liar, "198.51.100.7", h(2), now));  // the same hash again
  EXPECT_DOUBLE_EQ(pen.evidence(liar), 3.0);
}

TEST(Penalties, ContradictedReporterLosesWeightUntilItCountsNothing) {
  penalties pen(base);
  auto now = penalty_clock::now();
  const std::string sybil = "203.0.113.66";
  std::vector<peer_id> honest;
  for (int i = 0; i < 6; ++i) honest.push_back(peer_id::random());
  pen.report(honest[0], "198.51.100.1", sybil, h(1), now);
  EXPECT_EQ(pen.passed_challenge(honest[0], h(1), now).reporters,
            1u);  // the holder proved it holds h(1)
  EXPECT_DOUBLE_EQ(pen.weight(sybil), 0.5);
  EXPECT_EQ(pen.passed_challenge(honest[0], h(1), now).reporters,
            0u);  // one contradiction per report
  // Half a word: alone it penalises nobody any more.
  EXPECT_FALSE(pen.report(honest[1], "198.51.100.1", sybil, h(1), now));
  EXPECT_FALSE(pen.penalised(honest[1], now));
  for (int i = 1; i < 5; ++i) {
    if (i > 1) pen.report(honest[i], "198.51.100.1", sybil, h(1), now);
    EXPECT_EQ(pen.passed_challenge(honest[i], h(1), now).reporters, 1u);
  }
  EXPECT_LT(pen.weight(sybil), penalty_rules::min_weight + 1e-9);
  pen.report(honest[5], "198.51.100.1", sybil, h(1), now);
  EXPECT_DOUBLE_EQ(pen.evidence(honest[5]), 0.0);
  // Another reporter is not affected.
  EXPECT_DOUBLE_EQ(pen.weight("203.0.113.2"), 1.0);
}

TEST(Penalties, AFailedChallengeConfirmsItsReporters) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto a = peer_id::random(), b = peer_id::random();
  pen.report(a, "198.51.100.1", "203.0.113.1", h(1), now);
  pen.passed_challenge(a, h(1), now);
  EXPECT_DOUBLE_EQ(pen.weight("203.0.113.1"), 0.5);
  pen.report(b, "198.51.100.2", "203.0.113.1", h(2), now);
  EXPECT_FALSE(pen.penalised(b, now));
  EXPECT_TRUE(pen.failed_challenge(b, "198.51.100.2", h(2), now));
  EXPECT_DOUBLE_EQ(pen.weight("203.0.113.1"), 1.0);
}

TEST(Penalties, APenaltyLeavesAStrikeOnTheAddressUntilItEnds) {
  penalties pen(base);
  auto now = penalty_clock::now();
  EXPECT_FALSE(pen.suspect("198.51.100.7", now));
  pen.failed_challenge(peer_id::random(), "198.51.100.7", h(1), now);
  EXPECT_TRUE(pen.suspect("198.51.100.7", now + base - 1s));
  EXPECT_FALSE(pen.suspect("198.51.100.8", now));
  EXPECT_FALSE(pen.suspect("198.51.100.7", now + base + 1s));
  // Evidence below the threshold strikes nothing.
  pen.report(peer_id::random(), "198.51.100.9", "203.0.113.1", h(1), now);  // weight 1: penalised
  EXPECT_TRUE(pen.suspect("198.51.100.9", now));
}

TEST(Penalties, ALoneReportIsLiftedWhenTheHolderProvesPossession) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto honest = peer_id::random();
  EXPECT_TRUE(pen.report(honest, "198.51.100.1", "203.0.113.66", h(1), now));
  EXPECT_TRUE(pen.penalised(honest, now));
  EXPECT_TRUE(pen.suspect("198.51.100.1", now));
  auto c = pen.passed_challenge(honest, h(1), now + 1s);
  EXPECT_EQ(c.reporters, 1u);
  EXPECT_TRUE(c.lifted);
  EXPECT_FALSE(pen.penalised(honest, now + 1s));
  EXPECT_FALSE(pen.suspect("198.51.100.1", now + 1s));  // its strike went with it
  EXPECT_DOUBLE_EQ(pen.evidence(honest), 0.5);          // still ranked behind the unaccused
  EXPECT_EQ(pen.penalised_count(now + 1s), 0u);
  // A second proof for the same hash changes nothing more.
  auto again = pen.passed_challenge(honest, h(1), now + 2s);
  EXPECT_EQ(again.reporters, 0u);
  EXPECT_FALSE(again.lifted);
}

TEST(Penalties, TwoAddressesConvictALiarThatProvesPossession) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto liar = peer_id::random();
  pen.report(liar, "198.51.100.7", "203.0.113.1", h(1), now);
  EXPECT_TRUE(pen.passed_challenge(liar, h(1), now).lifted);  // it holds the bytes
  // A second receiver, elsewhere, saw it lie too: 0.5 + 1.
  EXPECT_TRUE(pen.report(liar, "198.51.100.7", "203.0.113.2", h(1), now + 1s));
  EXPECT_TRUE(pen.penalised(liar, now + 1s));
  // Its proof contradicts that report as well, but 0.5 + 0.5 still justifies the penalty.
  auto c = pen.passed_challenge(liar, h(1), now + 2s);
  EXPECT_EQ(c.reporters, 1u);
  EXPECT_FALSE(c.lifted);
  EXPECT_TRUE(pen.penalised(liar, now + base));
  EXPECT_TRUE(pen.suspect("198.51.100.7", now + base));
}

TEST(Penalties, ALiftDoesNotEndAPenaltyThatFailedChallengesJustify) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto squatter = peer_id::random();
  pen.report(squatter, "198.51.100.8", "203.0.113.1", h(1), now);
  EXPECT_TRUE(pen.failed_challenge(squatter, "198.51.100.8", h(2), now));  // 1 + 1
  auto c = pen.passed_challenge(squatter, h(1), now + 1s);  // it does hold h(1): 0.5 + 1
  EXPECT_EQ(c.reporters, 1u);
  EXPECT_FALSE(c.lifted);
  EXPECT_TRUE(pen.penalised(squatter, now + base));
}

TEST(Penalties, AReceiverContradictedOnManyItemsOfOneHolderLosesHalfItsWeightOnce) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto liar = peer_id::random();
  for (int i = 0; i < 6; ++i) pen.report(liar, "198.51.100.7", "203.0.113.1", h(i), now);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(pen.passed_challenge(liar, h(i), now).reporters, 1u);
  EXPECT_DOUBLE_EQ(pen.weight("203.0.113.1"), 0.5);
  EXPECT_DOUBLE_EQ(pen.evidence(liar), 0.5);
  EXPECT_FALSE(pen.penalised(liar, now));
}

TEST(Penalties, AnAccusationLapsesTenMinutesAfterItsLastEvidence) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto honest = peer_id::random();
  pen.report(honest, "198.51.100.1", "203.0.113.66", h(1), now);
  EXPECT_TRUE(pen.standing_of(honest, now).penalised);
  EXPECT_FALSE(pen.standing_of(honest, now).accused);  // penalised is the stronger of the two
  pen.passed_challenge(honest, h(1), now + 1s);
  EXPECT_FALSE(pen.standing_of(honest, now + 1s).penalised);
  EXPECT_TRUE(pen.standing_of(honest, now + 1s).accused);
  EXPECT_TRUE(pen.standing_of(honest, now + base - 1s).accused);
  EXPECT_FALSE(pen.standing_of(honest, now + base + 1s).accused);
  EXPECT_FALSE(pen.standing_of(peer_id::random(), now).accused);
}

TEST(Penalties, LiftingOnePenaltyKeepsAnotherPeersStrikeOnTheSameAddress) {
  penalties pen(base);
  auto now = penalty_clock::now();
  auto squatter = peer_id::random(), honest = peer_id::random();
  pen.failed_challenge(squatter, "198.51.100.9", h(1), now);           // until now + base
  pen.report(honest, "198.51.100.9", "203.0.113.66", h(2), now + 5s);  // until now + base + 5 s
  EXPECT_TRUE(pen.passed_challenge(honest, h(2), now + 6s).lifted);
  EXPECT_TRUE(pen.suspect("198.51.100.9", now + base - 1s));  // the squatter's penalty still runs
  EXPECT_FALSE(pen.suspect("198.51.100.9", now + base + 1s));
}

TEST(Penalties, TablesStayBounded) {
  penalties pen(base);
  auto now = penalty_clock::now();
  for (int i = 0; i < 25'000; ++i) {  // past every table's bound
    auto who = peer_id::random();
    auto addr = "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                std::to_string(i % 256);
    pen.report(who, addr, addr, h(i), now);
    pen.passed_challenge(who, h(i), now);
  }
  EXPECT_LE(pen.holders(), penalty_rules::max_holders);
}
