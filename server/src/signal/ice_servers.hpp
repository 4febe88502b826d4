#pragma once
// The ICE servers one peer is given, as the members `welcome` and `ice` share:
//   "ice_servers":[{"urls":[STUN...]},{"urls":[TURN...],"username":..,"credential":..}],
//   "ice_transport_policy":"all"|"relay","ice_expires":<unix s>
// TURN entries carry REST credentials for this peer (core/turn_credentials.hpp); `ice_expires`
// is there only when they do. Pure: the wall clock is a parameter.
#include <chrono>
#include <string>

#include "core/peer_id.hpp"
#include "signal/ice_config.hpp"

namespace circlecdn::signal {

std::string ice_members(const ice_config& cfg, const peer_id& peer,
                        std::chrono::system_clock::time_point now);

}  // namespace circlecdn::signal
