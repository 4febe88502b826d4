#pragma once
// Why the crowd (not the tracker) could not serve a lookup: the reasons a library gives in
// `miss_token` (docs/protocol.md) and that `miss.reason` and the metrics echo. Each names the
// strategy it belongs to.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "routing/strategy.hpp"

namespace circlecdn::routing {

enum class crowd_miss : std::uint8_t {
  ring_came_back,     // the request went round the ring to its sender: nobody holds it
  ring_ttl,           // the hop limit ran out
  ring_deadline,      // no answer in time (a peer on the way left)
  ring_no_neighbour,  // alone on the ring
  chord_no_record,    // the key's owner has no provider record
  chord_deadline,     // the lookup did not finish in time
};
inline constexpr std::size_t crowd_miss_count = 6;
inline constexpr std::array<std::string_view, crowd_miss_count> crowd_miss_names = {
    "ring_came_back",    "ring_ttl",        "ring_deadline",
    "ring_no_neighbour", "chord_no_record", "chord_deadline"};

constexpr std::string_view to_string(crowd_miss r) {
  return crowd_miss_names[static_cast<std::size_t>(r)];
}
constexpr std::optional<crowd_miss> parse_crowd_miss(std::string_view s) {
  for (std::size_t i = 0; i < crowd_miss_names.size(); ++i)
    if (crowd_miss_names[i] == s) return static_cast<crowd_miss>(i);
  return std::nullopt;
}
constexpr routing::strategy strategy_of(crowd_miss r) {
  return r <= crowd_miss::ring_no_neighbour ? strategy::ring : strategy::chord;
}

}  // namespace circlecdn::routing
