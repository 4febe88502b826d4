#include "routing/chord_ids.hpp"

namespace circlecdn::routing {

std::uint32_t chord_position(const peer_id& id) {
  return static_cast<std::uint32_t>(id.bytes[0]) << 24 |
         static_cast<std::uint32_t>(id.bytes[1]) << 16 |
         static_cast<std::uint32_t>(id.bytes[2]) << 8 | static_cast<std::uint32_t>(id.bytes[3]);
}

peer_id draw_chord_id(const std::function<bool(std::uint32_t)>& taken,
                      const std::function<peer_id()>& draw) {
  for (;;) {
    auto id = draw();
    if (!taken(chord_position(id))) return id;
  }
}

}  // namespace circlecdn::routing
