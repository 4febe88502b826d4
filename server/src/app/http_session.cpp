#include "app/http_session.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "app/routes.hpp"

namespace circlecdn::app {

namespace {

constexpr std::size_t request_body_limit_bytes = 4096;  // GET/HEAD carry no body

// The visitor id from `Cookie: ...; circle_id=<id>; ...`, if present and well-formed.
std::optional<peer_id> cookie_peer_id(const http::request<http::string_body>& req) {
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

http::message_generator plain_error(http::status status, unsigned version, std::string_view text) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, "circlecdn");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::string(text) + "\n";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

bool offers_our_protocol(const http::request<http::string_body>& req) {
  auto it = req.find(http::field::sec_websocket_protocol);
  if (it == req.end()) return true;  // no subprotocol offered: version 1
  std::string_view offered = it->value();
  while (!offered.empty()) {
    auto comma = offered.find(',');
    auto token = offered.substr(0, comma);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token == "circlecdn.1") return true;
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

asio::awaitable<void> run_http_session(tcp::socket socket, context& ctx) {
  ++ctx.http_sessions;
  struct leave_guard {
    context& c;
    ~leave_guard() { --c.http_sessions; }
  } guard{ctx};

  beast::tcp_stream stream(std::move(socket));
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
    auto cookie_id = cookie_peer_id(req);

    if (websocket::is_upgrade(req)) {
      std::string_view target = req.target();
      if (target.substr(0, target.find('?')) != "/.circlecdn/ws") {
        co_await beast::async_write(
            stream, plain_error(http::status::not_found, req.version(), "no WebSocket here"),
            asio::as_tuple(asio::use_awaitable));
        break;
      }
      if (!offers_our_protocol(req) || ctx.stopping) {
        co_await beast::async_write(
            stream,
            plain_error(
                ctx.stopping ? http::status::service_unavailable : http::status::bad_request,
                req.version(),
                ctx.stopping ? "server is stopping" : "unsupported subprotocol: need circlecdn.1"),
            asio::as_tuple(asio::use_awaitable));
        break;
      }
      // The WebSocket session runs as a coroutine of its own, so this frame, its parser and its
      // read buffer are freed now instead of living as long as the peer (an idle peer should
      // cost little). A client cannot send frames before our 101, so the buffer holds nothing.
      auto session = std::make_shared<signal::ws_session>(std::move(stream), ctx.tracker,
                                                          ctx.sessions, ctx.cfg.limits);
      auto ex = session->get_executor();
      asio::co_spawn(ex, session->run(std::move(req), cookie_id, session), asio::detached);
      co_return;
    }

    auto msg = route(ctx, req, cookie_id);
    bool keep = msg.keep_alive() && !ctx.stopping;
    auto [wec, written] =
        co_await beast::async_write(stream, std::move(msg), asio::as_tuple(asio::use_awaitable));
    if (wec || !keep) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace circlecdn::app
