#include "core/turn_credentials.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;

// The expected credentials were computed with OpenSSL's command line, not with this code:
//   printf '%s' "$username" | openssl dgst -sha1 -hmac "$secret" -binary | base64
TEST(TurnCredentials, MatchTheOpensslCommandLine) {
  EXPECT_EQ(turn_credential("lab-turn-secret", "1765100000:AAAAAAAAAAAAAAAAAAAAAA"),
            "XNJ5ezew0iGqxz8FEn7PSkUOPQo=");
  EXPECT_EQ(turn_credential("north", "1700000000:Zm9vYmFyYmF6cXV4LXRlc3Q"),
            "iVC/TWBaTdUgNeGtvls6yAkz0Uk=");
}

TEST(TurnCredentials, UsernameIsExpiryColonPublicPeerId) {
  auto id = peer_id::parse("AAAAAAAAAAAAAAAAAAAAAA").value();
  EXPECT_EQ(turn_username(1765100000, id), "1765100000:AAAAAAAAAAAAAAAAAAAAAA");
}

TEST(TurnCredentials, DependOnSecretAndUsername) {
  auto base = turn_credential("s", "1:a");
  EXPECT_EQ(base.size(), 28u);  // 20 bytes of HMAC-SHA1 in padded base64
  EXPECT_NE(turn_credential("t", "1:a"), base);
  EXPECT_NE(turn_credential("s", "2:a"), base);
}
