#include "core/content_hash.hpp"

#include <gtest/gtest.h>

using circlecdn::content_hash;

TEST(ContentHash, KnownVector) {
  EXPECT_EQ(content_hash::of(std::string_view("abc")).hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ContentHash, HexRoundTripAndRejects) {
  auto h = content_hash::of(std::string_view("x"));
  EXPECT_EQ(content_hash::from_hex(h.hex()), h);
  EXPECT_FALSE(content_hash::from_hex(""));
  EXPECT_FALSE(content_hash::from_hex(std::string(63, 'a')));
  EXPECT_FALSE(content_hash::from_hex(std::string(65, 'a')));
  EXPECT_FALSE(content_hash::from_hex(std::string(64, 'A')));  // upper case is not canonical
  EXPECT_FALSE(content_hash::from_hex(std::string(63, 'a') + "g"));
}

TEST(ContentHash, StreamMatchesOneShot) {
  std::string data(100'000, 'q');
  circlecdn::sha256_stream s;
  s.update(data.data(), 1);
  s.update(data.data() + 1, data.size() - 1);
  EXPECT_EQ(s.finish(), content_hash::of(std::string_view(data)));
}
