#include "core/token.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace std::chrono_literals;

TEST(Token, ResumeRoundTrip) {
  token_signer s("secret");
  auto now = token_signer::clock::now();
  auto id = peer_id::random();
  auto t = s.resume_token(id, now + 60s);
  EXPECT_EQ(s.check_resume(t, now), id);
  EXPECT_FALSE(s.check_resume(t, now + 61s));  // expired
}

TEST(Token, ForgeriesFail) {
  token_signer s("secret"), other("other");
  auto now = token_signer::clock::now();
  auto id = peer_id::random();
  auto t = s.resume_token(id, now + 60s);
  EXPECT_FALSE(other.check_resume(t, now));
  auto tampered = t;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(s.check_resume(tampered, now));
  EXPECT_FALSE(s.check_resume("", now));
  EXPECT_FALSE(s.check_resume("....", now));
  EXPECT_FALSE(s.check_resume(std::string(1000, 'a') + "." + "b", now));
  // A miss token is not a resume token, even with a valid MAC.
  auto miss = s.miss_token(id, content_hash::of(std::string_view("x")), now + 60s);
  EXPECT_FALSE(s.check_resume(miss, now));
  auto claim = s.check_miss(miss, now);
  ASSERT_TRUE(claim);
  EXPECT_TRUE(claim->names(content_hash::of(std::string_view("x"))));
  EXPECT_FALSE(claim->names(content_hash::of(std::string_view("y"))));
  EXPECT_FALSE(s.check_miss(t, now));
  EXPECT_FALSE(s.check_miss(miss, now + 61s));
}
