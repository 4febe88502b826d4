// Peer ids in chord mode: the position is what the library reads from the id's text, and the
// draw skips ids whose position an online peer holds.
#include "routing/chord_ids.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

using namespace circlecdn;
using circlecdn::routing::chord_position;

namespace {

// client/src/routing/ids.ts idOfPeer: the top 32 of the 36 bits of the first 6 characters.
std::uint32_t position_as_the_library_reads_it(std::string_view text) {
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::uint64_t v = 0;
  for (int i = 0; i < 6; ++i) v = v * 64 + alphabet.find(text[static_cast<std::size_t>(i)]);
  return static_cast<std::uint32_t>(v / 16);
}

peer_id with_position(std::uint32_t pos, std::uint8_t tail) {
  peer_id id = peer_id::random();
  id.bytes[0] = static_cast<std::uint8_t>(pos >> 24);
  id.bytes[1] = static_cast<std::uint8_t>(pos >> 16);
  id.bytes[2] = static_cast<std::uint8_t>(pos >> 8);
  id.bytes[3] = static_cast<std::uint8_t>(pos);
  id.bytes[15] = tail;
  return id;
}

}  // namespace

TEST(ChordIds, ThePositionIsWhatTheLibraryReadsFromTheText) {
  for (int i = 0; i < 1000; ++i) {
    auto id = peer_id::random();
    EXPECT_EQ(chord_position(id), position_as_the_library_reads_it(id.str())) << id.str();
  }
  EXPECT_EQ(chord_position(with_position(0xdeadbeef, 0)), 0xdeadbeefu);
}

TEST(ChordIds, TheDrawSkipsTakenPositions) {
  std::set<std::uint32_t> taken = {7, 9};
  // Draws: two ids at taken positions (with other low bits), then a free one.
  std::vector<peer_id> draws = {with_position(7, 1), with_position(9, 2), with_position(8, 3)};
  std::size_t next = 0;
  int asked = 0;
  auto id = routing::draw_chord_id(
      [&](std::uint32_t pos) {
        ++asked;
        return taken.contains(pos);
      },
      [&] { return draws.at(next++); });
  EXPECT_EQ(id, draws[2]);
  EXPECT_EQ(chord_position(id), 8u);
  EXPECT_EQ(asked, 3);
}

TEST(ChordIds, AFreePositionIsTakenAtTheFirstDraw) {
  int drawn = 0;
  auto id = routing::draw_chord_id([](std::uint32_t) { return false; },
                                   [&] {
                                     ++drawn;
                                     return peer_id::random();
                                   });
  EXPECT_EQ(drawn, 1);
  EXPECT_NE(id, peer_id{});
}
