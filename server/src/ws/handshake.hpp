#pragma once
// The server's half of the opening handshake (RFC 6455 section 4.2), as pure functions: the HTTP
// session asks answer_upgrade() what to say to an upgrade request and writes it itself.
#include <optional>
#include <string>
#include <string_view>

#include "core/net.hpp"

namespace circlecdn::ws {

// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`, or nullopt when the key is not the
// base64 of 16 bytes (the request is then answered 400).
std::optional<std::string> accept_key(std::string_view client_key);

// The complete `101 Switching Protocols` response, headers and blank line.
std::string switching_protocols(std::string_view accept, std::string_view subprotocol);

// True when a `Sec-WebSocket-Protocol` list names `ours` (a request without the field offers the
// default version and passes too).
bool offers_subprotocol(const http::fields& request, std::string_view ours);

// What to answer an upgrade request (already routed to a WebSocket path) for a server that
// speaks `subprotocol`: the 101 to write, or a refusal.
struct upgrade_answer {
  http::status status = http::status::switching_protocols;
  std::string reason;         // a refusal: the text to send
  bool version_hint = false;  // a refusal: add `Sec-WebSocket-Version: 13` (426)
  std::string response;       // accepted: the whole 101, headers and blank line
  bool accepted() const { return status == http::status::switching_protocols; }
};
upgrade_answer answer_upgrade(const http::fields& request, std::string_view subprotocol);

}  // namespace circlecdn::ws
