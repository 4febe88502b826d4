#pragma once
// Why a want found no holder: the `miss.reason` of docs/protocol.md. An enum inside the server, the
// protocol's strings only at the edge (outbound frames, metrics labels, logs).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace circlecdn::swarm {

enum class miss_reason : std::uint8_t {
  no_holder,     // nobody else holds it (or only penalised, opted-out or skipped peers do)
  all_busy,      // holders exist but all are at their upload cap: a retry soon may match
  fetching,      // another online peer is fetching it from the origin right now
  unknown_hash,  // not in the current manifest
  holder_rate,   // only strangers hold it and the wanter met its new holders of the minute
};
inline constexpr std::size_t miss_reason_count = 5;

// The wire names, in the enum's order (docs/protocol.md is the contract).
inline constexpr std::array<std::string_view, miss_reason_count> miss_reason_names = {
    "no_holder", "all_busy", "fetching", "unknown_hash", "holder_rate"};

constexpr std::string_view to_string(miss_reason r) {
  return miss_reason_names[static_cast<std::size_t>(r)];
}

}  // namespace circlecdn::swarm
