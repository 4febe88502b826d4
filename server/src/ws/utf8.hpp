#pragma once
// UTF-8 validation for WebSocket text (RFC 6455 asks a server to fail the connection on invalid
// UTF-8; RFC 3629 defines valid: shortest form, no surrogates, nothing past U+10FFFF).
#include <string_view>

namespace circlecdn::ws {

bool valid_utf8(std::string_view s);

}  // namespace circlecdn::ws
