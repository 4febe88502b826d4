#include "app/origin_policy.hpp"

#include <algorithm>
#include <stdexcept>

namespace circlecdn::app {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
         c == '[' || c == ']' || c == '_';
}

}  // namespace

std::optional<std::string> canonical_origin(std::string_view origin) {
  const auto sep = origin.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  const auto scheme = lower(origin.substr(0, sep));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  auto authority = lower(origin.substr(sep + 3));
  if (authority.empty() || !std::all_of(authority.begin(), authority.end(), host_char))
    return std::nullopt;  // a path, a query, userinfo: not an origin
  // Drop the scheme's default port (the colon after an IPv6 literal's bracket, if any).
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    const auto port = authority.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit)) return std::nullopt;
    if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443"))
      authority.erase(colon);
  }
  return scheme + "://" + authority;
}

void canonicalise(origin_policy& policy) {
  for (auto& a : policy.allowed) {
    auto c = canonical_origin(a);
    if (!c)
      throw std::invalid_argument("--allowed-origin: not an origin (scheme://host[:port]): " + a);
    a = std::move(*c);
  }
}

bool origin_allowed(const std::optional<std::string_view>& origin, std::string_view host,
                    bool https, const origin_policy& policy) {
  if (!origin) return !policy.require_origin;
  const auto given = canonical_origin(*origin);
  if (!given) return false;  // "null" (sandboxed frames, file: pages) and garbage
  if (const auto own =
          canonical_origin(std::string(https ? "https://" : "http://") + std::string(host));
      own && *own == *given)
    return true;
  return std::find(policy.allowed.begin(), policy.allowed.end(), *given) != policy.allowed.end();
}

}  // namespace circlecdn::app
