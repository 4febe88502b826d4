#pragma once
// The plain-HTTP listener's one answer (`--redirect-http`): 301 to the same target over https.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/net.hpp"

namespace circlecdn::app {

// `https://<host without its port>[:https_port unless 443]<target>`, or nullopt when the Host
// is not a plain host name, IPv4 or bracketed IPv6 address (with an optional port), or the target
// is not a path: those requests get 400, so nobody can make us redirect to another site.
std::optional<std::string> https_location(std::string_view host, std::string_view target,
                                          std::uint16_t https_port);

// Serves one connection of the redirect listener: reads a request, answers 301 or 400, closes.
asio::awaitable<void> run_redirect_session(tcp::socket socket, std::uint16_t https_port,
                                           std::chrono::seconds timeout,
                                           std::size_t header_limit_bytes);

}  // namespace circlecdn::app
