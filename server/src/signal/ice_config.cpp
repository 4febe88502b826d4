#include "signal/ice_config.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace circlecdn::signal {

namespace {

constexpr std::size_t max_url_bytes = 256;
constexpr std::chrono::milliseconds min_budget{100};
constexpr std::chrono::milliseconds max_budget{60'000};  // the want itself expires after 60 s

bool is_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v >= 1 && v <= 65535;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool is_ipv6_char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
         c == '.';
}

// host[:port], host a DNS name, an IPv4 address or a bracketed IPv6 address (RFC 7064).
bool is_host_port(std::string_view s) {
  std::string_view host, port;
  if (s.starts_with('[')) {
    auto close = s.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : s.substr(1, close - 1))
      if (!is_ipv6_char(c)) return false;
    auto rest = s.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && is_port(rest.substr(1));
  }
  auto colon = s.find(':');
  host = s.substr(0, colon);
  if (colon != std::string_view::npos) {
    port = s.substr(colon + 1);
    if (!is_port(port)) return false;
  }
  if (host.empty()) return false;
  for (char c : host)
    if (!is_name_char(c)) return false;
  return true;
}

}  // namespace

std::optional<std::string> ice_url_problem(std::string_view url, bool turn) {
  const char* form = turn ? "turn:HOST[:PORT][?transport=udp|tcp] or turns:..."
                          : "stun:HOST[:PORT] or stuns:HOST[:PORT]";
  auto bad = [&] { return "expected " + std::string(form) + ", got \"" + std::string(url) + "\""; };
  if (url.size() > max_url_bytes)
    return "longer than " + std::to_string(max_url_bytes) + " characters";
  static constexpr std::array<std::string_view, 2> turn_schemes{"turn:", "turns:"},
      stun_schemes{"stun:", "stuns:"};
  std::string_view rest;
  for (auto scheme : turn ? turn_schemes : stun_schemes)
    if (url.starts_with(scheme)) rest = url.substr(scheme.size());
  if (rest.empty()) return bad();
  auto query = rest.find('?');
  if (query != std::string_view::npos) {
    auto q = rest.substr(query + 1);
    if (!turn || (q != "transport=udp" && q != "transport=tcp")) return bad();
    rest = rest.substr(0, query);
  }
  if (!is_host_port(rest)) return bad();
  return std::nullopt;
}

std::optional<std::string> ice_config_problem(const ice_config& cfg) {
  for (auto& u : cfg.stun_urls)
    if (auto p = ice_url_problem(u, false)) return "--stun: " + *p;
  for (auto& u : cfg.turn_urls)
    if (auto p = ice_url_problem(u, true)) return "--turn: " + *p;
  if (!cfg.turn_urls.empty() && cfg.turn_secret.empty())
    return "--turn: needs --turn-secret-file (or --turn-secret): browsers refuse a TURN server "
           "without a username and credential";
  if (cfg.turn_urls.empty() && !cfg.turn_secret.empty())
    return "--turn-secret: given without any --turn URL";
  if (cfg.turn_ttl < min_turn_ttl)
    return "--turn-ttl: at least " + std::to_string(min_turn_ttl.count()) + " seconds, got " +
           std::to_string(cfg.turn_ttl.count());
  if (cfg.relay_only && cfg.turn_urls.empty())
    return "--ice-relay-only: needs a --turn URL (without a relay no peer could connect)";
  for (auto [name, v] : {std::pair{"--connect-timeout", cfg.connect_timeout},
                         std::pair{"--first-byte-timeout", cfg.first_byte_timeout}})
    if (v < min_budget || v > max_budget)
      return std::string(name) + ": expected " + std::to_string(min_budget.count()) + ".." +
             std::to_string(max_budget.count()) + " ms, got " + std::to_string(v.count());
  return std::nullopt;
}

std::optional<std::string> read_secret_file(const std::filesystem::path& file,
                                            std::string& problem) {
  auto cannot = [&](const char* why) {
    problem = "--turn-secret-file: cannot read " + file.string() + ": " + why;
    return std::nullopt;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) return cannot("is a directory");
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!f) return cannot(std::strerror(errno));
  std::string secret;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f.get())) {
    secret.append(buf, n);
    if (secret.size() > 64 * 1024) return cannot("larger than 64 KiB: not a secret");
  }
  if (std::ferror(f.get())) return cannot(std::strerror(errno));
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) {
    problem = "--turn-secret-file: " + file.string() + " is empty";
    return std::nullopt;
  }
  return secret;
}

}  // namespace circlecdn::signal
