#pragma once
// Peer ids in Chord mode: a peer's place on the 32-bit Chord circle is the first 32 bits of its
// public id (client/src/routing/ids.ts), so two online peers must not share them: they would
// split that position's keys unpredictably. The server draws again while the prefix is taken.
#include <cstdint>
#include <functional>

#include "core/peer_id.hpp"

namespace circlecdn::routing {

// The first 32 bits of the id, big-endian: what idOfPeer() reads from the 22 characters.
std::uint32_t chord_position(const peer_id& id);

// Draws ids with `draw` until `taken` says no online peer has the id's position (nor the id).
// Ids are 128 random bits: at 10^4 peers one draw in ~430,000 is taken, so the loop is short.
peer_id draw_chord_id(const std::function<bool(std::uint32_t position)>& taken,
                      const std::function<peer_id()>& draw = peer_id::random);

}  // namespace circlecdn::routing
