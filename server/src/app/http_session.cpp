#include "app/http_session.hpp"

#include <boost/asio/ssl/error.hpp>
#include <tuple>
#include <utility>

#include <spdlog/spdlog.h>

#include "app/dashboard_events.hpp"
#include "app/operator_routes.hpp"
#include "app/request_record.hpp"
#include "app/routes.hpp"
#include "core/http_date.hpp"
#include "net/async_stream.hpp"
#include "net/forwarded.hpp"
#include "origin/reply_writer.hpp"
#include "origin/target.hpp"
#include "signal/tracker_session.hpp"
#include "ws/handshake.hpp"

namespace circlecdn::app {

namespace {

// The dashboard's bytes per file, under the canonical path so spellings of one file (`/a/./b`,
// `%62`) add up. Most targets already are canonical: those skip the normaliser and its copy
// (per request on the 1 KiB path that was measurable, docs/benchmarks.md).
void count_origin_bytes(context& ctx, std::string_view target, std::uint64_t bytes) {
  std::string owned;
  std::string_view path = target;
  bool canonical = !path.empty() && path.front() == '/' &&
                   path.find_first_of("%?#\\") == std::string_view::npos &&
                   path.find("/.") == std::string_view::npos &&
                   path.find("//") == std::string_view::npos;
  if (!canonical) {
    auto url = origin::normalise_target(target);
    auto* p = std::get_if<std::string>(&url);
    if (!p) return;
    owned = std::move(*p);
    path = owned;
  }
  if (path.ends_with('/')) {
    owned = std::string(path) + "index.html";
    path = owned;
  }
  ctx.metrics.origin_wrote(path, bytes);
}

constexpr std::size_t request_body_limit_bytes = 4096;  // GET/HEAD carry no body

// The visitor's secret from `Cookie: ...; circle_id=<secret>; ...`, if present and well-formed. It
// keys the served record and never leaves the server except in Set-Cookie: peers and pages see a
// separate random public id per connection.
std::optional<peer_id> visitor_cookie(const http::request<http::string_body>& req) {
  auto [first, last] = req.equal_range(http::field::cookie);
  for (auto it = first; it != last; ++it) {
    std::string_view v = it->value();
    while (!v.empty()) {
      auto semi = v.find(';');
      auto part = v.substr(0, semi);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.starts_with("circle_id=")) {
        if (auto id = peer_id::parse(part.substr(10))) return id;
      }
      if (semi == std::string_view::npos) break;
      v.remove_prefix(semi + 1);
    }
  }
  return std::nullopt;
}

// A short text answer that ends the connection; `extra` is one more header field, if any.
http::message_generator plain_error(http::status status, unsigned version, std::string_view text,
                                    std::pair<http::field, std::string_view> extra = {}) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, "circlecdn");
  res.set(http::field::date, http_date_now());
  if (extra.first != http::field::unknown) res.set(extra.first, extra.second);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::string(text) + "\n";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

// --- What differs between the two streams.

net::stream take_stream(beast::tcp_stream& s) {
  s.expires_never();
  return net::stream(s.release_socket());
}
net::stream take_stream(net::async_stream& s) {
  return s.release();
}
void finish(beast::tcp_stream& s) {
  beast::error_code ignored;
  s.socket().shutdown(tcp::socket::shutdown_send, ignored);
}
void finish(net::async_stream& s) {
  s.next_layer().shutdown_send();
}

// One connection's requests, over a plain or a TLS stream.
template <class Stream>
asio::awaitable<void> serve(Stream& stream, context& ctx, const asio::ip::address& peer, bool tls) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(ctx.cfg.http_header_limit_bytes));
    parser.body_limit(request_body_limit_bytes);
    stream.expires_after(ctx.cfg.http_idle_timeout);
    auto [ec, n] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
      break;
    if (ec) {
      if (ec.category() == asio::error::get_ssl_category()) break;  // nothing to answer over
      http::status status = ec == http::error::header_limit
                                ? http::status::request_header_fields_too_large
                            : ec == http::error::body_limit ? http::status::payload_too_large
                                                            : http::status::bad_request;
      request_record record(ctx, peer);
      auto w = co_await write_message(stream, plain_error(status, 11, ec.message()));
      record.finish(w.status, w.body_bytes);
      break;
    }
    auto req = parser.release();
    ++ctx.counters.requests;
    auto visitor = visitor_cookie(req);
    auto from = net::origin_of(req, peer, tls, ctx.trusted_proxies);
    request_record record(ctx, from.client);
    record.rec.method = req.method_string();
    record.rec.target = req.target();
    record.rec.version = req.version();
    record.rec.referer = req[http::field::referer];
    record.rec.user_agent = req[http::field::user_agent];

    if (websocket::is_upgrade(req)) {
      std::string_view target = req.target();
      if (target.substr(0, target.find('?')) != "/.circlecdn/ws") {
        auto w = co_await write_message(
            stream, plain_error(http::status::not_found, req.version(), "no WebSocket here"));
        record.finish(w.status, w.body_bytes);
        break;
      }
      ws::upgrade_answer answer;
      if (ctx.stopping) {
        answer.status = http::status::service_unavailable;
        answer.reason = "server is stopping";
      } else if (auto origin = req.find(http::field::origin); !origin_allowed(
                     origin == req.end() ? std::nullopt
                                         : std::optional<std::string_view>(origin->value()),
                     req[http::field::host], from.https, ctx.cfg.origins)) {
        ++ctx.counters.ws_refused_origin;
        answer.status = http::status::forbidden;
        answer.reason = "origin not allowed";
      } else if (ctx.tracker.peers_online() >= ctx.peers_max) {
        // The descriptors left are the origin's: a full crowd must not stop the site.
        ++ctx.counters.ws_refused_full;
        answer.status = http::status::service_unavailable;
        answer.reason = "peer limit reached";
      } else if (ctx.tracker.peers_from(from.client.to_string()) >= ctx.cfg.peers_per_address) {
        ++ctx.counters.ws_refused_address;
        answer.status = http::status::too_many_requests;
        answer.reason = "too many connections from your address";
      } else {
        answer = ws::answer_upgrade(req, "circlecdn.1");
      }
      if (!answer.accepted()) {
        auto w = co_await write_message(
            stream, plain_error(answer.status, req.version(), answer.reason,
                                answer.version_hint ? std::pair{http::field::sec_websocket_version,
                                                                std::string_view("13")}
                                                    : std::pair<http::field, std::string_view>{}));
        record.finish(w.status, w.body_bytes);
        break;
      }
      stream.expires_after(ctx.cfg.http_idle_timeout);
      auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(answer.response),
                                                  asio::as_tuple(asio::use_awaitable));
      record.finish(101, 0);
      if (hec) break;
      // The session runs on callbacks of its own, so this coroutine frame, the request, the
      // parser and the read buffer are freed now instead of living as long as the peer. A client
      // cannot send frames before our 101, so the buffer holds nothing.
      signal::start_tracker_session(take_stream(stream), ctx.ws_hub, ctx.tracker, visitor,
                                    from.client.to_string());
      co_return;
    }

    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    if (may_stream_dashboard(ctx, req, path)) {
      ctx.metrics.http_answered(200, std::chrono::steady_clock::duration::zero());
      co_await stream_dashboard_events(stream, ctx);
      break;
    }

    auto answer = route(ctx, req, visitor, from.https);
    stream.expires_after(ctx.cfg.http_idle_timeout);
    beast::error_code wec;
    bool keep;
    unsigned status = 0;
    std::uint64_t file_bytes = 0;  // a site file's body bytes (200/206), for the origin's count
    std::uint64_t body_bytes = 0;  // any answer's, for the access log
    if (auto* file = std::get_if<origin::reply>(&answer)) {
      keep = file->keep_alive && !ctx.stopping;
      // The status line starts the prepared head, or the tail when there is none (a range).
      status = status_of(file->head.empty() ? std::string_view(file->tail) : file->head);
      body_bytes = file_bytes = file->omits_body ? 0 : file->length;
      wec = co_await origin::write_reply(stream, *file, ctx.cfg.http_idle_timeout, ctx.origin_cap);
    } else {
      auto msg = origin::to_generator(std::move(answer));
      keep = msg.keep_alive() && !ctx.stopping;
      auto w = co_await write_message(stream, std::move(msg));
      wec = w.ec;
      status = w.status;
      body_bytes = w.body_bytes;
    }
    // One clock read for the access log and the histogram, which both measure from the request
    // being read (record.started) to the response written.
    const auto ended = std::chrono::steady_clock::now();
    record.finish(status, body_bytes, ended);
    ctx.metrics.http_answered(status, ended - record.started);
    if (!wec && file_bytes > 0 && (status == 200 || status == 206))
      count_origin_bytes(ctx, target, file_bytes);
    if (wec || !keep) break;
  }
  finish(stream);
}

}  // namespace

asio::awaitable<void> run_http_session(tcp::socket socket, context& ctx) {
  ++ctx.counters.connections;
  ++ctx.counters.connections_open;
  struct open_count {
    std::uint64_t& n;
    ~open_count() { --n; }
  } closes{ctx.counters.connections_open};
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec).address();
  if (ec) co_return;
  if (!ctx.tls) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve(stream, ctx, peer, false);
    co_return;
  }
  SSL* ssl = ctx.tls->new_ssl();
  if (!ssl) co_return;
  net::async_stream stream(net::stream(std::move(socket), ssl));
  stream.expires_after(ctx.cfg.limits.handshake_timeout);
  auto [hec, hn] = co_await stream.async_handshake(asio::as_tuple(asio::use_awaitable));
  if (hec) {
    // A scanner, an old client (TLS < 1.2), one with no ALPN overlap: nothing to answer.
    spdlog::debug("event=tls_handshake_failed client={} error=\"{}\"", peer.to_string(),
                  hec.message());
    co_return;
  }
  co_await serve(stream, ctx, peer, true);
}

}  // namespace circlecdn::app
