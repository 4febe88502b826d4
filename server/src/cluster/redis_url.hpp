#pragma once
// `--redis redis://HOST:PORT[/DB]`: where the cluster's Redis is. Pure, tested on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace circlecdn::cluster {

struct redis_endpoint {
  std::string host;  // an IP address or a host name (resolved when connecting)
  std::uint16_t port = 6379;
  unsigned db = 0;  // SELECT db after connecting
};

// Parses redis://HOST:PORT[/DB] (port required; HOST may be [IPv6]); nullopt, with `problem`
// saying what is wrong, otherwise.
std::optional<redis_endpoint> parse_redis_url(std::string_view text, std::string& problem);

}  // namespace circlecdn::cluster
