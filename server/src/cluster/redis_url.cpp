#include "cluster/redis_url.hpp"

#include <charconv>

namespace circlecdn::cluster {

namespace {
constexpr std::string_view scheme = "redis://";
constexpr unsigned max_db = 15;  // Redis's default `databases 16`

template <class T>
std::optional<T> number(std::string_view s, T max) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}
}  // namespace

std::optional<redis_endpoint> parse_redis_url(std::string_view text, std::string& problem) {
  if (!text.starts_with(scheme)) {
    problem = "expected redis://HOST:PORT[/DB]";
    return std::nullopt;
  }
  auto rest = text.substr(scheme.size());
  redis_endpoint e;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    auto db = number<unsigned>(rest.substr(slash + 1), max_db);
    if (!db) {
      problem = "the database after / must be 0.." + std::to_string(max_db);
      return std::nullopt;
    }
    e.db = *db;
    rest = rest.substr(0, slash);
  }
  if (rest.find('@') != std::string_view::npos) {
    problem = "no user or password in the URL (use Redis on loopback or a private network)";
    return std::nullopt;
  }
  std::size_t colon;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      problem = "expected [IPv6]:PORT";
      return std::nullopt;
    }
    e.host = std::string(rest.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
      problem = "the port is required (redis://HOST:PORT)";
      return std::nullopt;
    }
    e.host = std::string(rest.substr(0, colon));
  }
  auto port = number<std::uint16_t>(rest.substr(colon + 1), 65535);
  if (e.host.empty() || !port || *port == 0) {
    problem = "expected HOST:PORT with a port 1..65535";
    return std::nullopt;
  }
  e.port = *port;
  return e;
}

}  // namespace circlecdn::cluster
