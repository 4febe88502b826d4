#include "app/http_session.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <array>
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
#include "origin/target.hpp"
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

constexpr std::size_t sendfile_slice_bytes = 1 << 20;  // one call's share, so others get a turn
// Below this a body is read into memory and written with its header in one sendmsg (one TCP
// segment); above it sendfile's zero copy wins over the extra syscall.
constexpr std::uint64_t sendfile_min_bytes = 64 * 1024;

// Waits until the socket can take more bytes, or gives up on a stalled peer.
asio::awaitable<beast::error_code> wait_writable(tcp::socket& socket,
                                                 std::chrono::seconds stall_timeout) {
  asio::steady_timer deadline(socket.get_executor(), stall_timeout);
  deadline.async_wait([&socket](const beast::error_code& e) {
    if (!e) socket.cancel();
  });
  auto [wait_ec] =
      co_await socket.async_wait(tcp::socket::wait_write, asio::as_tuple(asio::use_awaitable));
  deadline.cancel();
  if (wait_ec)
    co_return wait_ec == asio::error::operation_aborted ? beast::error::timeout : wait_ec;
  co_return beast::error_code{};
}

beast::error_code make_non_blocking(tcp::socket& socket) {
  beast::error_code ec;
  if (!socket.native_non_blocking()) socket.native_non_blocking(true, ec);
  return ec;
}

// Sends [offset, offset + length) of fd straight from the page cache to the socket with
// sendfile(2), waiting for writability (with a deadline) whenever the socket buffer is full. No
// user-space copy, one syscall per socket-buffer's worth.
asio::awaitable<beast::error_code> send_file_range(tcp::socket& socket, int fd, off_t offset,
                                                   std::uint64_t left,
                                                   std::chrono::seconds stall_timeout,
                                                   upload_cap& cap) {
  while (left > 0) {
    auto slice = static_cast<std::size_t>(std::min<std::uint64_t>(left, sendfile_slice_bytes));
    if (cap.enabled()) {
      slice = static_cast<std::size_t>(std::min<std::uint64_t>(slice, cap.slice_bytes()));
      if (auto wait = cap.take(slice, upload_cap::clock::now()); wait.count() > 0) {
        asio::steady_timer pause(socket.get_executor(), wait);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    }
    ssize_t sent = ::sendfile(socket.native_handle(), fd, &offset, slice);
    if (cap.enabled() && static_cast<std::size_t>(std::max<ssize_t>(sent, 0)) < slice)
      cap.refund(slice - static_cast<std::size_t>(std::max<ssize_t>(sent, 0)));
    if (sent > 0) {
      left -= static_cast<std::uint64_t>(sent);
      continue;
    }
    if (sent == 0) co_return http::error::short_read;  // the file shrank under us
    if (errno == EINTR) continue;
    if (errno != EAGAIN) co_return beast::error_code(errno, beast::system_category());
    if (auto ec = co_await wait_writable(socket, stall_timeout)) co_return ec;
  }
  co_return beast::error_code{};
}

// Writes a file response: the header through Beast, then the body with sendfile.
asio::awaitable<beast::error_code> write_file_response(beast::tcp_stream& stream,
                                                       origin::file_response& res,
                                                       std::chrono::seconds stall_timeout,
                                                       upload_cap& cap) {
  http::serializer<false, origin::file_range_body> sr(res);
  auto [ec, n] = co_await http::async_write_header(stream, sr, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return ec;
  auto& socket = stream.socket();
  if ((ec = make_non_blocking(socket))) co_return ec;
  co_return co_await send_file_range(socket, res.body().fd(),
                                     static_cast<off_t>(res.body().offset()), res.body().size(),
                                     stall_timeout, cap);
}

// Writes an answer from the origin's cache: its header block, the per-request lines and a body
// held in memory in one sendmsg (no serializer, no copy); a cached descriptor's bytes follow with
// sendfile, the header sent with MSG_MORE so that it shares the first segment with them.
asio::awaitable<beast::error_code> write_cached_response(beast::tcp_stream& stream,
                                                         origin::cached_response& res,
                                                         std::chrono::seconds stall_timeout,
                                                         upload_cap& cap) {
  auto& socket = stream.socket();
  if (auto ec = make_non_blocking(socket)) co_return ec;
  if (cap.enabled() && !res.body.empty()) {
    if (auto wait = cap.take(res.body.size(), upload_cap::clock::now()); wait.count() > 0) {
      asio::steady_timer pause(socket.get_executor(), wait);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  std::array<iovec, 3> iov{{{const_cast<char*>(res.head.data()), res.head.size()},
                            {res.tail.data(), res.tail.size()},
                            {const_cast<char*>(res.body.data()), res.body.size()}}};
  std::size_t first = 0;
  const int flags = MSG_NOSIGNAL | (res.length > 0 ? MSG_MORE : 0);
  while (first < iov.size()) {
    msghdr msg{};
    msg.msg_iov = iov.data() + first;
    msg.msg_iovlen = iov.size() - first;
    const ssize_t sent = ::sendmsg(socket.native_handle(), &msg, flags);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) co_return beast::error_code(errno, beast::system_category());
      if (auto ec = co_await wait_writable(socket, stall_timeout)) co_return ec;
      continue;
    }
    for (auto n = static_cast<std::size_t>(sent); first < iov.size(); ++first) {
      if (n < iov[first].iov_len) {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + n;
        iov[first].iov_len -= n;
        break;
      }
      n -= iov[first].iov_len;
    }
  }
  co_return co_await send_file_range(socket, res.fd, static_cast<off_t>(res.offset), res.length,
                                     stall_timeout, cap);
}

// --- Over TLS there is no sendfile: file bytes go through one bounded buffer into SSL_write.

// One pread and one write per slice (four TLS records); the buffer lives only while a body is
// being written.
constexpr std::size_t tls_body_slice_bytes = 64 * 1024;

// Writes [offset, offset + left) of fd, each slice within the stall timeout, under the cap.
asio::awaitable<beast::error_code> send_file_range(net::async_stream& stream, int fd,
                                                   std::uint64_t offset, std::uint64_t left,
                                                   std::chrono::seconds stall_timeout,
                                                   upload_cap& cap) {
  if (left == 0) co_return beast::error_code{};
  auto buffer = std::make_unique<char[]>(std::min<std::uint64_t>(left, tls_body_slice_bytes));
  while (left > 0) {
    auto slice = static_cast<std::size_t>(std::min<std::uint64_t>(left, tls_body_slice_bytes));
    if (cap.enabled()) {
      slice = static_cast<std::size_t>(std::min<std::uint64_t>(slice, cap.slice_bytes()));
      if (auto wait = cap.take(slice, upload_cap::clock::now()); wait.count() > 0) {
        asio::steady_timer pause(stream.get_executor(), wait);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    }
    ssize_t got = ::pread(fd, buffer.get(), slice, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) {
      if (cap.enabled()) cap.refund(slice);
      continue;
    }
    if (cap.enabled() && static_cast<std::size_t>(std::max<ssize_t>(got, 0)) < slice)
      cap.refund(slice - static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
    if (got == 0) co_return http::error::short_read;  // the file shrank under us
    if (got < 0) co_return beast::error_code(errno, beast::system_category());
    stream.expires_after(stall_timeout);
    auto [ec, n] = co_await asio::async_write(
        stream, asio::buffer(buffer.get(), static_cast<std::size_t>(got)),
        asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
    offset += static_cast<std::uint64_t>(got);
    left -= static_cast<std::uint64_t>(got);
  }
  co_return beast::error_code{};
}

asio::awaitable<beast::error_code> write_file_response(net::async_stream& stream,
                                                       origin::file_response& res,
                                                       std::chrono::seconds stall_timeout,
                                                       upload_cap& cap) {
  http::serializer<false, origin::file_range_body> sr(res);
  stream.expires_after(stall_timeout);
  auto [ec, n] = co_await http::async_write_header(stream, sr, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return ec;
  co_return co_await send_file_range(stream, res.body().fd(), res.body().offset(),
                                     res.body().size(), stall_timeout, cap);
}

asio::awaitable<beast::error_code> write_cached_response(net::async_stream& stream,
                                                         origin::cached_response& res,
                                                         std::chrono::seconds stall_timeout,
                                                         upload_cap& cap) {
  if (cap.enabled() && !res.body.empty()) {
    if (auto wait = cap.take(res.body.size(), upload_cap::clock::now()); wait.count() > 0) {
      asio::steady_timer pause(stream.get_executor(), wait);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  std::array<asio::const_buffer, 3> parts{asio::buffer(res.head), asio::buffer(res.tail),
                                          asio::buffer(res.body)};
  stream.expires_after(stall_timeout);
  auto [ec, n] = co_await asio::async_write(stream, parts, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return ec;
  co_return co_await send_file_range(stream, res.fd, res.offset, res.length, stall_timeout, cap);
}

// --- What differs between the two streams besides the body writers.

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

    const auto started = std::chrono::steady_clock::now();
    auto answer = route(ctx, req, visitor, from.https);
    stream.expires_after(ctx.cfg.http_idle_timeout);
    beast::error_code wec;
    bool keep;
    unsigned status = 0;
    std::uint64_t file_bytes = 0;  // a site file's body bytes (200/206), for the origin's count
    auto* file = std::get_if<origin::file_response>(&answer);
    if (auto* cached = std::get_if<origin::cached_response>(&answer)) {
      keep = cached->keep_alive && !ctx.stopping;
      // A range answer keeps its whole header in `tail`.
      status = status_of(cached->head.empty() ? std::string_view(cached->tail) : cached->head);
      file_bytes = cached->body.size() + cached->length;
      wec = co_await write_cached_response(stream, *cached, ctx.cfg.http_idle_timeout,
                                           ctx.origin_cap);
      record.finish(status, cached->body.size() + cached->length);
    } else if (file && (file->body().size() >= sendfile_min_bytes || ctx.origin_cap.enabled())) {
      keep = file->keep_alive() && !ctx.stopping;
      status = file->result_int();
      file_bytes = file->body().size();
      wec = co_await write_file_response(stream, *file, ctx.cfg.http_idle_timeout, ctx.origin_cap);
      record.finish(file->result_int(), file->body().size());
    } else {
      if (file) {
        status = file->result_int();
        file_bytes = file->body().size();
      }
      auto msg = origin::to_generator(std::move(answer));
      keep = msg.keep_alive() && !ctx.stopping;
      auto w = co_await write_message(stream, std::move(msg));
      wec = w.ec;
      record.finish(w.status, w.body_bytes);
      if (status == 0) status = w.status;
    }
    ctx.metrics.http_answered(status, std::chrono::steady_clock::now() - started);
    if (!wec && file_bytes > 0 && (status == 200 || status == 206)) {
      // Per file under its canonical path, so spellings of one file (`/a/./b`, `%62`) add up.
      if (auto url = origin::normalise_target(target); auto* p = std::get_if<std::string>(&url))
        ctx.metrics.origin_wrote(p->ends_with('/') ? *p + "index.html" : *p, file_bytes);
    }
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
