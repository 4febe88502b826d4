#include "cli/options.hpp"

#include "cli/detail/option_kinds.hpp"
#include "cluster/redis_url.hpp"
#include "net/cidr.hpp"
#include "origin/cache_policy.hpp"
#include "routing/strategy.hpp"

namespace circlecdn::cli {

namespace {

using namespace detail;

// Why each bound: see the row's help and docs/operations.md "Configuration".
constexpr std::uint64_t piece_min_bytes = 1024, piece_max_bytes = 64ull << 20;
constexpr std::uint64_t rate_cap_min_bytes = 1024;  // below this the cap's 1/10 s slices are bytes
// The operator token is a password: long enough not to be guessed over HTTP, and only characters
// that travel in an Authorization header unchanged.
constexpr std::size_t operator_token_min_chars = 16;

std::optional<std::string> operator_token_problem(const std::string& token) {
  if (token.size() < operator_token_min_chars)
    return "shorter than " + std::to_string(operator_token_min_chars) + " characters";
  for (char c : token)
    if (c <= ' ' || c > '~') return "only printable ASCII without spaces is allowed";
  return std::nullopt;
}

std::vector<option_spec> make_table() {
  using C = app::config;
  std::vector<option_spec> t;

  option_spec listen =
      named("listen", "ADDR:PORT",
            "address and port to listen on ([::1]:8080 for IPv6; port 0 = any free "
            "port, printed at start)",
            "IP:0..65535");
  listen.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    auto ap = address_port(v.values.back());
    if (!ap) return expected("an IP address and a port 0..65535 (ADDR:PORT)", v.values.back());
    c.listen_address = ap->first;
    c.listen_port = ap->second;
    return std::nullopt;
  };
  listen.show = [](const C& c) {
    bool v6 = c.listen_address.find(':') != std::string::npos;
    return (v6 ? "[" + c.listen_address + "]" : c.listen_address) + ":" +
           std::to_string(c.listen_port);
  };
  listen.copy = [](const C& from, C& to) {
    to.listen_address = from.listen_address;
    to.listen_port = from.listen_port;
  };
  t.push_back(std::move(listen));
  // Several processes on one machine share one port: the kernel spreads new connections over
  // them (docs/operations.md, "Running a cluster"). Every process sharing it must set it.
  t.push_back(flag(
      "reuse-port", "listen with SO_REUSEPORT, so several processes share --listen's port", false,
      [](C & c) -> auto& { return c.reuse_port; }));

  t.push_back(text(
      "client-dir", "DIR",
      "directory with circlecdn.js and circlecdn.iife.js (empty: those URLs are 404)", true,
      "an existing directory", [](C& c) -> std::filesystem::path& { return c.client_dir; },
      existing_directory));
  t.push_back(text(
      "service-worker", "on|off",
      "on: /.circlecdn/sw.js carries what pages ask for; off: it steps aside and unregisters "
      "itself, and pages register it no more (the kill switch)",
      true, "on|off", [](C & c) -> auto& { return c.service_worker; }, one_of({"on", "off"})));
  t.push_back(integer(
      "piece-size", "BYTES", "bytes per piece of large files", false, piece_min_bytes,
      piece_max_bytes, [](C & c) -> auto& { return c.piece_size_bytes; }));
  t.push_back(text(
      "log-level", "LEVEL", "the least severe log lines written (to stderr)", true,
      "trace|debug|info|warn|error|critical|off", [](C & c) -> auto& { return c.logging.level; },
      one_of({"trace", "debug", "info", "warn", "error", "critical", "off"})));
  t.push_back(text(
      "access-log", "PATH",
      "one line per HTTP request (WebSocket upgrades included): a file appended to, "
      "or - for stderr; empty = none",
      true, "a file path, - or empty", [](C & c) -> auto& { return c.logging.access_log; },
      writable_file));
  t.push_back(text(
      "access-log-format", "FORMAT",
      "combined (Apache/nginx combined + duration) or json (one object per line)", true,
      "combined|json", [](C & c) -> auto& { return c.logging.access_log_format; },
      one_of({"combined", "json"})));
  auto secret = text(
      "secret", "TEXT", "HMAC key for resume and miss tokens (empty: random per start)", false,
      "any", [](C & c) -> auto& { return c.secret; });
  secret.sensitive = true;
  t.push_back(std::move(secret));
  // A cluster's processes must verify each other's tokens (a resume token issued by one process
  // is presented to another behind a load balancer): the same key on every process, from a file
  // (never in ps). Read at start; a new key needs a restart of every process together.
  option_spec token_secret_file =
      named("token-secret-file", "FILE",
            "file holding the HMAC key for resume and miss tokens, the same on every process "
            "(required with --redis)",
            "a readable file with 16+ characters");
  token_secret_file.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    std::string problem;
    auto s = signal::read_secret_file(v.values.back(), problem);
    if (!s) return problem.substr(problem.find(": ") + 2);  // the caller names the option
    if (s->size() < 16) return "the key must be 16 characters or more";
    c.token_secret_file = v.values.back();
    c.secret = std::move(*s);
    return std::nullopt;
  };
  token_secret_file.show = [](const C& c) { return c.token_secret_file.string(); };
  token_secret_file.copy = [](const C& from, C& to) {
    to.token_secret_file = from.token_secret_file;
    to.secret = from.secret;
  };
  t.push_back(std::move(token_secret_file));
  t.push_back(list(
      "allowed-origin", "URL",
      "a web origin besides the site's own whose pages may open the signaling socket "
      "(repeatable)",
      true, "scheme://host[:port]", [](C & c) -> auto& { return c.origins.allowed; },
      [](std::string& v) -> std::optional<std::string> {
        auto canonical = app::canonical_origin(v);
        if (!canonical) return expected("scheme://host[:port]", v);
        v = *canonical;
        return std::nullopt;
      }));
  t.push_back(flag(
      "require-origin",
      "refuse signaling handshakes without an Origin header (non-browser clients)", true,
      [](C & c) -> auto& { return c.origins.require_origin; }));
  t.push_back(list(
      "crowd-include", "GLOB",
      "only files whose URL path matches are carried by peers (repeatable)", false, "fnmatch glob",
      [](C & c) -> auto& { return c.crowd.include; }));
  t.push_back(list(
      "crowd-exclude", "GLOB",
      "files whose URL path matches are served by the origin only (repeatable)", false,
      "fnmatch glob", [](C & c) -> auto& { return c.crowd.exclude; }));
  t.push_back(flag(
      "secure-cookies", "mark cookies Secure (not needed with --tls-cert)", true,
      [](C & c) -> auto& { return c.secure_cookies; }));
  t.push_back(integer(
      "uploads-per-holder", "N", "uploads in flight per holder", true, 1, 256,
      [](C & c) -> auto& { return c.limits.uploads_per_holder; }));
  t.push_back(integer(
      "messages-per-s", "N",
      "signaling messages per peer per second (burst 400); peers pace at 80%", true, 1, 1'000'000,
      [](C & c) -> auto& { return c.limits.messages_per_s; }));
  t.push_back(integer(
      "holdings-max", "N",
      "hashes held by all peers together that the tracker records (~140 B each)", true, 1000,
      100'000'000, [](C & c) -> auto& { return c.limits.holdings_total; }));
  auto rate = integer(
      "origin-rate-limit", "BYTES/S",
      "cap on the origin's file upload, shared by all visitors (0 = none)", true, 0, 1ll << 40,
      [](C & c) -> auto& { return c.origin_rate_limit_bytes_per_s; }, "0 or 1024..1099511627776");
  rate.set = [inner = rate.set](const option_value& v, C& c) -> std::optional<std::string> {
    auto n = whole(v.values.back());
    if (n && *n > 0 && *n < static_cast<long long>(rate_cap_min_bytes))
      return expected("0 or 1024..1099511627776", v.values.back());
    return inner(v, c);
  };
  t.push_back(std::move(rate));
  t.push_back(integer(
      "shutdown-grace-ms", "MS",
      "on SIGTERM/SIGINT: time for HTTP responses in flight and WebSocket close "
      "frames before a hard stop",
      true, 0, 600'000, [](C & c) -> auto& { return c.shutdown_grace; }));
  t.push_back(list(
      "stun", "URL", "STUN server for browsers (repeatable)", true, "stun:HOST[:PORT] or stuns:...",
      [](C & c) -> auto& { return c.ice.stun_urls; },
      [](std::string& v) { return signal::ice_url_problem(v, false); }));
  t.push_back(list(
      "turn", "URL", "TURN server for browsers (repeatable; needs a TURN secret)", true,
      "turn:HOST[:PORT][?transport=udp|tcp] or turns:...",
      [](C & c) -> auto& { return c.ice.turn_urls; },
      [](std::string& v) { return signal::ice_url_problem(v, true); }));
  auto turn_secret = text(
      "turn-secret", "SECRET", "coturn's static-auth-secret (visible in ps: prefer the file)", true,
      "any", [](C & c) -> auto& { return c.ice.turn_secret; });
  turn_secret.sensitive = true;
  t.push_back(std::move(turn_secret));
  option_spec secret_file = named("turn-secret-file", "FILE",
                                  "file holding coturn's static-auth-secret (re-read on SIGHUP)",
                                  "a readable, non-empty file");
  secret_file.live = true;
  secret_file.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    std::string problem;
    auto s = signal::read_secret_file(v.values.back(), problem);
    if (!s) return problem.substr(problem.find(": ") + 2);  // the caller names the option
    c.turn_secret_file = v.values.back();
    c.ice.turn_secret = std::move(*s);
    return std::nullopt;
  };
  secret_file.show = [](const C& c) { return c.turn_secret_file.string(); };
  secret_file.copy = [](const C& from, C& to) {
    to.turn_secret_file = from.turn_secret_file;
    to.ice.turn_secret = from.ice.turn_secret;
  };
  t.push_back(std::move(secret_file));
  t.push_back(integer(
      "turn-ttl", "SECONDS", "how long a peer's TURN credentials stay valid", true,
      signal::min_turn_ttl.count(), 7 * 24 * 3600, [](C & c) -> auto& { return c.ice.turn_ttl; }));
  t.push_back(flag(
      "ice-relay-only",
      "browsers use TURN relays only: no peer learns another's "
      "address",
      true, [](C & c) -> auto& { return c.ice.relay_only; }));
  t.push_back(integer(
      "connect-timeout", "MS",
      "from match to an open DataChannel before the wanter gives up on the peer", true, 100, 60'000,
      [](C & c) -> auto& { return c.ice.connect_timeout; }));
  t.push_back(integer(
      "first-byte-timeout", "MS",
      "from an open channel to the first chunk before the wanter gives up", true, 100, 60'000,
      [](C & c) -> auto& { return c.ice.first_byte_timeout; }));
  t.push_back(integer(
      "peers-per-address", "N",
      "signaling peers from one client address (via --trust-proxy behind a proxy); more get 429",
      true, 1, 10'000'000, [](C & c) -> auto& { return c.peers_per_address; }));
  t.push_back(integer(
      "peers-max", "N",
      "signaling peers in all; more get 503 (0 = the open-file limit less --fd-reserve)", false, 0,
      100'000'000, [](C & c) -> auto& { return c.peers_max; }));
  t.push_back(integer(
      "fd-reserve", "N", "descriptors kept for the origin when the peer limit is automatic", false,
      16, 1'000'000, [](C & c) -> auto& { return c.fd_reserve; }));
  t.push_back(integer(
      "new-holders-per-min", "N",
      "holders one peer may meet for the first time per minute (browsing inference); past it "
      "only known holders, else miss holder_rate",
      true, 1, 100'000, [](C & c) -> auto& { return c.limits.new_holders_per_min; }));
  t.push_back(integer(
      "signals-per-pairing", "N",
      "signals one peer may relay to one partner per pairing (a benchmark relaying through one "
      "pairing forever raises it)",
      true, 8, 4'000'000'000, [](C & c) -> auto& { return c.limits.signals_per_pairing; }));
  // How lookups travel (docs/routing.md): peers on a ring or on Chord cannot switch strategies in
  // the middle of a session, so a change needs a restart.
  auto routing_option = named("routing", "tracker|ring|chord",
                              "how peers find who holds a resource: the tracker's directory, the "
                              "original design's ring of peers, or Chord (welcome.routing)",
                              "tracker|ring|chord");
  routing_option.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    auto s = routing::parse_strategy(v.values.back());
    if (!s) return expected("tracker|ring|chord", v.values.back());
    c.limits.routing.strategy = *s;
    return std::nullopt;
  };
  routing_option.show = [](const C& c) {
    return std::string(routing::to_string(c.limits.routing.strategy));
  };
  routing_option.copy = [](const C& from, C& to) {
    to.limits.routing.strategy = from.limits.routing.strategy;
  };
  t.push_back(std::move(routing_option));
  // Caching for proxies and CDNs, and the hash cache for fast restarts (docs/operations.md).
  auto cache = list(
      "cache-control", "GLOB=VALUE",
      "Cache-Control for URL paths matching GLOB (repeatable, first match wins; "
      "default: immutable for fingerprinted names, no-cache otherwise)",
      false, "GLOB=VALUE", [](C & c) -> auto& { return c.cache_control_text; });
  cache.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    std::vector<origin::cache_rule> rules;
    for (const auto& text : v.values) {
      std::string error;
      auto rule = origin::parse_cache_rule(text, error);
      if (!rule) return "'" + text + "': " + error;
      rules.push_back(std::move(*rule));
    }
    c.cache_control_text = v.values;
    c.cache_control = std::move(rules);
    return std::nullopt;
  };
  cache.copy = [](const C& from, C& to) {
    to.cache_control_text = from.cache_control_text;
    to.cache_control = from.cache_control;
  };
  t.push_back(std::move(cache));
  t.push_back(text(
      "hash-cache", "FILE|none",
      "file where file hashes persist across restarts, or none (default: $STATE_DIRECTORY, "
      "$XDG_STATE_HOME/circlecdn or ~/.local/state/circlecdn)",
      false, "a path outside the site, or none",
      [](C & c) -> auto& { return c.hash_cache_option; }));
  // Proof of possession (docs/protocol.md, "Possession challenges").
  auto challenge_rate = named("challenge-rate", "FRACTION",
                              "share of announces whose peer must prove it holds one hash", "0..1");
  challenge_rate.live = true;
  challenge_rate.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    char* end = nullptr;
    const auto& text = v.values.back();
    double x = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(x >= 0 && x <= 1))
      return expected("a number 0..1", text);
    c.limits.challenge_rate = x;
    return std::nullopt;
  };
  challenge_rate.show = [](const C& c) {
    auto s = std::to_string(c.limits.challenge_rate);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.ends_with('.')) s.pop_back();
    return s;
  };
  challenge_rate.copy = [](const C& from, C& to) {
    to.limits.challenge_rate = from.limits.challenge_rate;
  };
  t.push_back(std::move(challenge_rate));
  t.push_back(integer(
      "challenge-timeout-ms", "MS", "time a challenged peer has to answer with its proof", true,
      100, 600'000, [](C & c) -> auto& { return c.limits.challenge_timeout; }));
  t.push_back(integer(
      "challenges-per-s", "N",
      "server-wide cap on possession challenges (each reads and hashes one piece)", true, 0,
      100'000, [](C & c) -> auto& { return c.limits.challenges_per_s; }));
  // What every visitor's library is told about its uploads (welcome.uploads).
  auto gpc = named("gpc", "honor|ignore",
                   "honor: a visitor whose browser sends Global Privacy Control uploads nothing; "
                   "ignore: it uploads like the others (consent collected by the site)",
                   "honor|ignore");
  gpc.live = true;
  gpc.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    const auto& x = v.values.back();
    if (x != "honor" && x != "ignore") return expected("honor|ignore", x);
    c.limits.visitor_uploads.honor_gpc = x == "honor";
    return std::nullopt;
  };
  gpc.show = [](const C& c) {
    return std::string(c.limits.visitor_uploads.honor_gpc ? "honor" : "ignore");
  };
  gpc.copy = [](const C& from, C& to) {
    to.limits.visitor_uploads.honor_gpc = from.limits.visitor_uploads.honor_gpc;
  };
  t.push_back(std::move(gpc));
  t.push_back(integer(
      "upload-budget", "BYTES",
      "bytes one page session uploads at most, then it stops offering its content (0 = none)", true,
      0, 1ll << 50, [](C & c) -> auto& { return c.limits.visitor_uploads.budget_bytes; }));
  auto hidden = named("hidden-uploads", "pause|continue",
                      "pause: a tab the visitor does not look at stops uploading until shown",
                      "pause|continue");
  hidden.live = true;
  hidden.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    const auto& x = v.values.back();
    if (x != "pause" && x != "continue") return expected("pause|continue", x);
    c.limits.visitor_uploads.pause_hidden = x == "pause";
    return std::nullopt;
  };
  hidden.show = [](const C& c) {
    return std::string(c.limits.visitor_uploads.pause_hidden ? "pause" : "continue");
  };
  hidden.copy = [](const C& from, C& to) {
    to.limits.visitor_uploads.pause_hidden = from.limits.visitor_uploads.pause_hidden;
  };
  t.push_back(std::move(hidden));
  // The operator's endpoints (/metrics, /.circlecdn/stats, the dashboard): 404 without a token.
  auto token = text(
      "operator-token", "TOKEN",
      "Bearer token for /metrics, /.circlecdn/stats and the dashboard (visible in ps: prefer the "
      "file); none = those answer 404",
      true, "16+ printable characters, no spaces", [](C & c) -> auto& { return c.operator_token; },
      operator_token_problem);
  token.sensitive = true;
  t.push_back(std::move(token));
  option_spec token_file =
      named("operator-token-file", "FILE", "file holding the operator token (re-read on SIGHUP)",
            "a readable file with 16+ printable characters");
  token_file.live = true;
  token_file.set = [](const option_value& v, C& c) -> std::optional<std::string> {
    std::string problem;
    auto s = signal::read_secret_file(v.values.back(), problem);
    if (!s) return problem.substr(problem.find(": ") + 2);  // the caller names the option
    if (auto p = operator_token_problem(*s)) return *p;
    c.operator_token_file = v.values.back();
    c.operator_token = std::move(*s);
    return std::nullopt;
  };
  token_file.show = [](const C& c) { return c.operator_token_file.string(); };
  token_file.copy = [](const C& from, C& to) {
    to.operator_token_file = from.operator_token_file;
    to.operator_token = from.operator_token;
  };
  t.push_back(std::move(token_file));
  t.push_back(text(
      "tls-cert", "FILE", "PEM certificate chain: serve HTTPS and WSS (SIGHUP re-reads the pair)",
      false, "an existing file", [](C & c) -> auto& { return c.tls.cert_file; }, readable_file));
  t.push_back(text(
      "tls-key", "FILE", "PEM private key for --tls-cert", false, "an existing file",
      [](C & c) -> auto& { return c.tls.key_file; }, readable_file));
  t.push_back(text(
      "redirect-http", "ADDR:PORT", "with TLS: a plain listener that answers 301 to https", false,
      "IP:0..65535", [](C & c) -> auto& { return c.tls.redirect_http; },
      [](const std::string& v) -> std::optional<std::string> {
        if (!address_port(v)) return expected("an IP address and a port 0..65535 (ADDR:PORT)", v);
        return std::nullopt;
      }));
  t.push_back(list(
      "trust-proxy", "CIDR", "a reverse proxy whose X-Forwarded-Proto/-For count (repeatable)",
      true, "an IPv4 or IPv6 address or CIDR", [](C & c) -> auto& { return c.tls.trust_proxy; },
      [](std::string& v) -> std::optional<std::string> {
        if (!net::cidr::parse(v)) return expected("an address or CIDR", v);
        return std::nullopt;
      }));
  // Many processes, one crowd: the TOML key is cluster.redis ([serve.cluster] redis = ...).
  auto redis = text(
      "redis", "URL",
      "share the crowd with other circlecdn processes through this Redis (empty: this process "
      "alone)",
      false, "redis://HOST:PORT[/DB]", [](C & c) -> auto& { return c.cluster.redis; },
      [](const std::string& v) -> std::optional<std::string> {
        std::string problem;
        if (!v.empty() && !cluster::parse_redis_url(v, problem)) return expected(problem, v);
        return std::nullopt;
      });
  redis.toml_table = "cluster";
  t.push_back(std::move(redis));
  return t;
}

}  // namespace

std::string toml_key(const option_spec& spec) {
  return spec.toml_table.empty() ? spec.name : spec.toml_table + "." + spec.name;
}

const std::vector<option_spec>& serve_options() {
  static const std::vector<option_spec> table = make_table();
  return table;
}

std::string shown_value(const option_spec& spec, const app::config& cfg) {
  auto v = spec.show(cfg);
  if (spec.sensitive && !v.empty()) return "(hidden)";
  return v;
}

std::string markdown_table() {
  auto cell = [](std::string v) {
    std::string out;
    for (char c : v) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  app::config defaults;
  std::string t =
      "| flag | TOML key (under `[serve]`) | default | allowed | on SIGHUP |\n"
      "| --- | --- | --- | --- | --- |\n";
  for (const auto& s : serve_options()) {
    auto d = shown_value(s, defaults);
    auto flag = "`--" + s.name + (s.value_name.empty() ? "" : " " + s.value_name) + "`";
    t += "| " + flag + " | `" + toml_key(s) + "` | " + (d.empty() ? "none" : "`" + cell(d) + "`") +
         " | " + cell(s.range) + " | " + (s.live ? "applied" : "restart needed") + " |\n";
  }
  return t;
}

std::vector<std::string> cross_check(const app::config& cfg) {
  std::vector<std::string> problems;
  if (cfg.tls.cert_file.empty() != cfg.tls.key_file.empty())
    problems.push_back("--tls-cert and --tls-key go together: give both or neither");
  if (!cfg.tls.redirect_http.empty() && !cfg.tls.enabled())
    problems.push_back("--redirect-http: needs --tls-cert and --tls-key");
  if (auto p = signal::ice_config_problem(cfg.ice)) problems.push_back(*p);
  // Random keys per process would make every resume and miss token fail on the other processes.
  if (!cfg.cluster.redis.empty() && cfg.secret.empty())
    problems.push_back(
        "--redis: needs a key shared by every process: --token-secret-file FILE (the same file "
        "on each) or --secret");
  return problems;
}

}  // namespace circlecdn::cli
