#include "app/http_session.hpp"

#include <boost/asio/ssl/error.hpp>
#include <tuple>
#include <utility>

#include <spdlog/spdlog.h>

#include "app/routes.hpp"
#include "core/http_date.hpp"
#include "net/async_stream.hpp"
#include "net/forwarded.hpp"
#include "origin/reply_writer.hpp"
#include "signal/tracker_session.hpp"
#include "ws/handshake.hpp"

namespace circlecdn::app {

namespace {

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
      co_await beast::async_write(stream, plain_error(status, 11, ec.message()),
                                  asio::as_tuple(asio::use_awaitable));
      break;
    }
    auto req = parser.release();
    ++ctx.counters.requests;
    auto visitor = visitor_cookie(req);
    auto from = net::origin_of(req, peer, tls, ctx.trusted_proxies);
    if (spdlog::should_log(spdlog::level::debug))
      spdlog::debug("http {} {} {}{}", from.client.to_string(),
                    std::string_view(req.method_string()), std::string_view(req.target()),
                    from.https ? " (https)" : "");

    if (websocket::is_upgrade(req)) {
      std::string_view target = req.target();
      if (target.substr(0, target.find('?')) != "/.circlecdn/ws") {
        co_await beast::async_write(
            stream, plain_error(http::status::not_found, req.version(), "no WebSocket here"),
            asio::as_tuple(asio::use_awaitable));
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
      } else {
        answer = ws::answer_upgrade(req, "circlecdn.1");
      }
      if (!answer.accepted()) {
        co_await beast::async_write(
            stream,
            plain_error(answer.status, req.version(), answer.reason,
                        answer.version_hint
                            ? std::pair{http::field::sec_websocket_version, std::string_view("13")}
                            : std::pair<http::field, std::string_view>{}),
            asio::as_tuple(asio::use_awaitable));
        break;
      }
      stream.expires_after(ctx.cfg.http_idle_timeout);
      auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(answer.response),
                                                  asio::as_tuple(asio::use_awaitable));
      if (hec) break;
      // The session runs on callbacks of its own, so this coroutine frame, the request, the
      // parser and the read buffer are freed now instead of living as long as the peer. A client
      // cannot send frames before our 101, so the buffer holds nothing.
      signal::start_tracker_session(take_stream(stream), ctx.ws_hub, ctx.tracker, visitor);
      co_return;
    }

    auto answer = route(ctx, req, visitor, from.https);
    stream.expires_after(ctx.cfg.http_idle_timeout);
    beast::error_code wec;
    bool keep;
    if (auto* file = std::get_if<origin::reply>(&answer)) {
      keep = file->keep_alive && !ctx.stopping;
      wec = co_await origin::write_reply(stream, *file, ctx.cfg.http_idle_timeout, ctx.origin_cap);
    } else {
      auto msg = origin::to_generator(std::move(answer));
      keep = msg.keep_alive() && !ctx.stopping;
      std::tie(wec, std::ignore) =
          co_await beast::async_write(stream, std::move(msg), asio::as_tuple(asio::use_awaitable));
    }
    if (wec || !keep) break;
  }
  finish(stream);
}

}  // namespace

asio::awaitable<void> run_http_session(tcp::socket socket, context& ctx) {
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
    spdlog::debug("tls handshake from {}: {}", peer.to_string(), hec.message());
    co_return;
  }
  co_await serve(stream, ctx, peer, true);
}

}  // namespace circlecdn::app
