// The books of possession challenges: signal/challenges.hpp.
#include "signal/challenges.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace circlecdn::signal;
using namespace std::chrono_literals;

namespace {
content_hash h(int i) {
  return content_hash::of(std::to_string(i));
}
}  // namespace

TEST(Challenges, TheBudgetCapsChallengesPerSecond) {
  challenges c(4, 1000ms);
  auto now = challenges::clock::now();
  int spent = 0;
  for (int i = 0; i < 100; ++i) spent += c.spend(now);
  EXPECT_EQ(spent, 4);  // a burst of one second's worth
  EXPECT_FALSE(c.spend(now + 100ms));
  EXPECT_TRUE(c.spend(now + 300ms));  // refilled at 4/s
  challenges off(0, 1000ms);
  EXPECT_FALSE(off.spend(now));
}

TEST(Challenges, OpenAnswerAndExpire) {
  challenges c(100, 1000ms);
  auto now = challenges::clock::now();
  auto a = peer_id::random(), b = peer_id::random();
  auto id1 = c.open(a, h(1), h(100), challenges::reason::sample, now);
  auto id2 = c.open(a, h(2), h(200), challenges::reason::report, now + 500ms);
  EXPECT_NE(id1, id2);
  EXPECT_FALSE(c.may_open(a, h(1)));  // one open challenge per hash
  EXPECT_TRUE(c.may_open(a, h(3)));
  EXPECT_FALSE(c.close(b, id1));  // not b's challenge
  auto got = c.close(a, id1);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->expected, h(100));
  EXPECT_FALSE(c.close(a, id1));  // answered once
  EXPECT_TRUE(c.take_expired(now + 1000ms).empty());
  auto late = c.take_expired(now + 1500ms);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].hash, h(2));
  EXPECT_EQ(late[0].why, challenges::reason::report);
  EXPECT_EQ(c.open_count(), 0u);
}

TEST(Challenges, APeerHasAFewOpenAtMost) {
  challenges c(100, 1000ms);
  auto now = challenges::clock::now();
  auto a = peer_id::random();
  for (std::size_t i = 0; i < challenge_rules::open_per_peer; ++i) {
    ASSERT_TRUE(c.may_open(a, h(static_cast<int>(i))));
    c.open(a, h(static_cast<int>(i)), h(0), challenges::reason::sample, now);
  }
  EXPECT_FALSE(c.may_open(a, h(99)));
  EXPECT_TRUE(c.may_open(peer_id::random(), h(99)));
}

TEST(Challenges, NoncesAreFreshHex) {
  auto n1 = nonce::fresh(), n2 = nonce::fresh();
  EXPECT_EQ(n1.bytes.size(), challenge_rules::nonce_bytes);
  EXPECT_EQ(n1.hex.size(), 2 * challenge_rules::nonce_bytes);
  EXPECT_NE(n1.hex, n2.hex);
  EXPECT_EQ(n1.hex.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Challenges, APeerThatLeavesTakesItsChallengesAlong) {
  challenges c(100, 1000ms);
  auto now = challenges::clock::now();
  auto a = peer_id::random(), b = peer_id::random();
  auto id = c.open(a, h(1), h(0), challenges::reason::sample, now);
  c.open(b, h(1), h(0), challenges::reason::sample, now);
  c.forget(a);
  EXPECT_FALSE(c.close(a, id));
  ASSERT_EQ(c.take_expired(now + 2s).size(), 1u);  // only b's
}
