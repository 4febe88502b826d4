#pragma once
// What the access log and the drain learn from one HTTP request: a record opened when the request
// was read (it counts as a response in flight until finished) and closed with the status and body
// size that went out. write_message() writes a Beast message the way beast::async_write would and
// reads its status line and header size on the way, since a message_generator hides them.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/access_log.hpp"
#include "app/context.hpp"

namespace circlecdn::app {

// Writes any other message (Beast serializes it), and says what its status line and body were.
struct written {
  beast::error_code ec;
  unsigned status = 0;
  std::uint64_t body_bytes = 0;
};

constexpr std::size_t max_header_scan_bytes = 16 * 1024;  // our headers are far smaller

template <class Stream>
asio::awaitable<written> write_message(Stream& stream, http::message_generator msg) {
  written w;
  std::uint64_t total = 0, header_bytes = 0;
  std::string head;  // the bytes up to the end of the header, kept only until it is seen
  bool header_seen = false;
  while (!msg.is_done()) {
    auto buffers = msg.prepare(w.ec);
    if (w.ec) co_return w;
    if (!header_seen) {
      for (auto b : beast::buffers_range_ref(buffers)) {
        std::string_view part(static_cast<const char*>(b.data()), b.size());
        head.append(part.substr(0, std::min(part.size(), max_header_scan_bytes - head.size())));
        if (auto end = head.find("\r\n\r\n"); end != std::string::npos) {
          header_bytes = end + 4;
          header_seen = true;
          break;
        }
        if (head.size() >= max_header_scan_bytes) {
          header_bytes = head.size();
          header_seen = true;
          break;
        }
      }
    }
    auto [ec, n] = co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
    total += n;
    if (ec) {
      w.ec = ec;
      break;
    }
    msg.consume(n);
  }
  if (head.size() >= 12) w.status = static_cast<unsigned>(std::atoi(head.c_str() + 9));
  w.body_bytes = total > header_bytes ? total - header_bytes : 0;
  co_return w;
}

inline unsigned status_of(std::string_view head) {
  return head.size() >= 12
             ? static_cast<unsigned>(std::atoi(std::string(head.substr(9, 3)).c_str()))
             : 0;
}

// One request's line in the access log, and its end as a response in flight (for the drain).
struct request_record {
  context& ctx;
  access_record rec;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  request_record(context& c, const asio::ip::address& client) : ctx(c) {
    // Clock reads cost ~1 % of a 1 KiB request each: the wall clock only for an access log.
    if (ctx.access) rec.when = std::chrono::system_clock::now();
    rec.client = client;
    rec.method = rec.target = "-";
    ++ctx.http_in_flight;
  }
  // `ended`: when the response went out (the session reads the clock once for this and for the
  // response-time histogram).
  void finish(unsigned status, std::uint64_t body_bytes,
              std::chrono::steady_clock::time_point ended = std::chrono::steady_clock::now()) {
    --ctx.http_in_flight;
    if (!ctx.access) return;
    rec.status = status;
    rec.body_bytes = body_bytes;
    rec.duration = std::chrono::duration_cast<std::chrono::microseconds>(ended - started);
    ctx.access->write(rec);
  }
};

}  // namespace circlecdn::app
