#pragma once
// How lookups travel (--routing, docs/routing.md): the tracker's directory, the original design's
// ring, or Chord. The strategy and the numbers `welcome.routing` hands to every library, with the
// caps the server enforces on the routing connections it brokers. Header-only: the option table,
// the parser's limits and the tracker all read it.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace circlecdn::routing {

enum class strategy : std::uint8_t { tracker, ring, chord };
inline constexpr std::array<std::string_view, 3> strategy_names = {"tracker", "ring", "chord"};

constexpr std::string_view to_string(strategy s) {
  return strategy_names[static_cast<std::size_t>(s)];
}
constexpr std::optional<strategy> parse_strategy(std::string_view s) {
  for (std::size_t i = 0; i < strategy_names.size(); ++i)
    if (strategy_names[i] == s) return static_cast<strategy>(i);
  return std::nullopt;
}

// The ring's numbers (the simulator's, docs/routing.md "What was chosen"): a request's hop limit
// and the time its sender waits before it goes to the origin.
struct ring_params {
  std::uint32_t max_hops = 16;
  std::chrono::milliseconds deadline{2000};
};

// Chord's numbers, as the library runs them (client/src/routing/chord-config.ts): fingers over
// the top 24 of the 32 bits, 4 successors, stabilisation every 5 s, a finger fixed every 2 min,
// provider records republished every 10 min and kept 11 min.
struct chord_params {
  std::uint32_t fingers = 24;
  std::uint32_t successors = 4;
  std::chrono::milliseconds stabilise{5000};
  std::chrono::milliseconds fix_period{120'000};
  std::chrono::milliseconds republish{600'000};
  std::chrono::milliseconds record_ttl{660'000};
  std::chrono::milliseconds deadline{2000};
  // Routing pairings one peer may ask for and hold open (`connect`): 4 successors, a predecessor
  // and a few lazily opened fingers. The simulator's churn runs held no peer above 7 with a cap of
  // 6; 12 leaves room. A peer cannot use `connect` to pair with the whole crowd.
  std::uint32_t max_connections = 12;
  // Routing pairings one peer may hold in all, asked for by it or by others: a crowd of fake
  // peers cannot pin a victim's browser under hundreds of connections.
  std::uint32_t links_per_peer = 48;
  // `connect`s one peer may send per minute (a bucket of this size refilled over a minute): a join
  // opens about a dozen; more is a peer walking the crowd.
  std::uint32_t connects_per_min = 60;
};

struct params {
  routing::strategy strategy = strategy::tracker;
  ring_params ring;
  chord_params chord;
};

}  // namespace circlecdn::routing
