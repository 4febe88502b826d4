#pragma once
// Which web origins may open the signaling socket (--allowed-origin, --require-origin). Without
// this check any web site could make its visitors' browsers join our crowd: as free riders on our
// visitors' upload, or as Sybils that announce, want and report (docs/security.md). Browsers set
// `Origin` on every WebSocket handshake and pages cannot change it; other programs can send
// anything, so this keeps out other sites' pages, not determined clients.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace circlecdn::app {

struct origin_policy {
  // Origins allowed besides the site's own ("https://example.com", "http://localhost:8080"), in
  // canonical form (canonicalise() below; the server does it once at start).
  std::vector<std::string> allowed;
  // Refuse handshakes that carry no Origin (non-browser clients). Off by default: a client that
  // omits it could as well forge it, so refusing buys no security and breaks tools.
  bool require_origin = false;
};

// "scheme://host[:port]" in canonical form: lower case, the scheme's default port dropped, no
// path. Nullopt for anything else ("null", a path, userinfo, an unknown scheme).
std::optional<std::string> canonical_origin(std::string_view origin);

// Puts every allowed origin in canonical form; throws std::invalid_argument naming the first one
// that is not an origin.
void canonicalise(origin_policy& policy);

// Whether a handshake may proceed. `origin`: the request's Origin field (nullopt when absent);
// `host`: its Host field; `https`: the visitor's side is TLS (directly or per a trusted proxy).
// The site's own origin is scheme://Host.
bool origin_allowed(const std::optional<std::string_view>& origin, std::string_view host,
                    bool https, const origin_policy& policy);

}  // namespace circlecdn::app
