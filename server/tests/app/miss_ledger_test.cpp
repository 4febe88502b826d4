// miss_ledger: a miss token counts once, on the file or piece it was issued for.
#include "app/miss_ledger.hpp"

#include <gtest/gtest.h>

namespace circlecdn::app {
namespace {

using namespace std::chrono_literals;
using verdict = miss_ledger::verdict;

struct fixture : ::testing::Test {
  token_signer signer{"secret"};
  miss_ledger::clock::time_point now = miss_ledger::clock::now();
  manifest::file_entry file = [] {
    manifest::file_entry f;
    f.path = "/big.bin";
    f.sha256 = content_hash::of(std::string_view("whole"));
    f.pieces = {content_hash::of(std::string_view("p0")), content_hash::of(std::string_view("p1"))};
    return f;
  }();
  manifest::file_entry other = [] {
    manifest::file_entry f;
    f.path = "/other.txt";
    f.sha256 = content_hash::of(std::string_view("other"));
    return f;
  }();
  std::string token_for(const content_hash& h, std::chrono::seconds life = 300s) {
    return signer.miss_token(peer_id::random(), h, now + life);
  }
};

TEST_F(fixture, counts_once_on_the_file_or_any_of_its_pieces) {
  miss_ledger ledger;
  const auto whole = token_for(file.sha256), piece = token_for(file.pieces[1]);
  EXPECT_EQ(ledger.count(signer, whole, &file, now), verdict::valid);
  EXPECT_EQ(ledger.count(signer, piece, &file, now), verdict::valid);
  EXPECT_EQ(ledger.count(signer, whole, &file, now), verdict::reused);
  EXPECT_EQ(ledger.count(signer, piece, &file, now + 1s), verdict::reused);
}

TEST_F(fixture, miss_token_replayed_on_another_file_is_invalid) {
  miss_ledger ledger;
  const auto token = token_for(file.sha256);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(ledger.count(signer, token, &other, now), verdict::invalid);
  EXPECT_EQ(ledger.count(signer, token, nullptr, now), verdict::invalid);  // no such file
  EXPECT_EQ(ledger.count(signer, token, &file, now), verdict::valid);      // still unspent
}

TEST_F(fixture, forged_and_expired_tokens_are_invalid) {
  miss_ledger ledger;
  token_signer other_signer("other secret");
  EXPECT_EQ(ledger.count(signer, other_signer.miss_token(peer_id::random(), file.sha256, now + 60s),
                         &file, now),
            verdict::invalid);
  EXPECT_EQ(ledger.count(signer, token_for(file.sha256, 10s), &file, now + 11s), verdict::invalid);
  EXPECT_EQ(ledger.count(signer, "AAAA.BBBB", &file, now), verdict::invalid);
}

TEST_F(fixture, spent_tokens_are_forgotten_when_they_expire_and_bounded_in_number) {
  miss_ledger ledger(3);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(ledger.count(signer, token_for(file.sha256), &file, now), verdict::valid);
  EXPECT_LE(ledger.spent(), 3u);
  miss_ledger timed;
  EXPECT_EQ(timed.count(signer, token_for(file.sha256, 10s), &file, now), verdict::valid);
  EXPECT_EQ(timed.count(signer, token_for(file.sha256, 300s), &file, now + 20s), verdict::valid);
  EXPECT_EQ(timed.spent(), 1u);  // the first one expired and was dropped
}

}  // namespace
}  // namespace circlecdn::app
