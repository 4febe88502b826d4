#pragma once
// The server's half of the opening handshake (RFC 6455 section 4.2), as pure functions: the HTTP
// session validates the upgrade request with these and writes the 101 itself.
#include <optional>
#include <string>
#include <string_view>

namespace circlecdn::ws {

// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`, or nullopt when the key is not the
// base64 of 16 bytes (the request is then answered 400).
std::optional<std::string> accept_key(std::string_view client_key);

// The complete `101 Switching Protocols` response, headers and blank line.
std::string switching_protocols(std::string_view accept, std::string_view subprotocol);

}  // namespace circlecdn::ws
