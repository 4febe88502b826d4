#pragma once
// The tracker's non-owning handle on a connection: deliver a frame, or close. A WebSocket session
// implements it; unit tests implement it with a recorder.
#include <cstdint>
#include <string_view>

#include "signal/outbound.hpp"

namespace circlecdn::signal {

class peer_link {
 public:
  virtual ~peer_link() = default;
  virtual void deliver(frame f) = 0;
  // Sends a close frame with the code and ends the connection; the tracker is told via leave().
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
};

}  // namespace circlecdn::signal
