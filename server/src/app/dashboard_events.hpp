#pragma once
// The dashboard's live feed: a server-sent-events stream (text/event-stream) with one frame of
// app/dashboard_data.hpp per interval, on a connection the session hands over once the token was
// checked. It ends when a write fails (the page went away) or the server stops; the connection
// closes with it (the body is delimited by the close: no Content-Length, no chunking).
#include <chrono>
#include <string>

#include "app/context.hpp"
#include "app/dashboard_data.hpp"
#include "core/http_date.hpp"
#include "core/net.hpp"

namespace circlecdn::app {

inline constexpr std::chrono::milliseconds dashboard_interval{1000};

template <class Stream>
asio::awaitable<void> stream_dashboard_events(Stream& stream, context& ctx) {
  std::string head =
      "HTTP/1.1 200 OK\r\nServer: circlecdn\r\nDate: " + std::string(http_date_now()) +
      "\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
      "X-Accel-Buffering: no\r\nConnection: close\r\n\r\n"
      // The browser's EventSource reconnects after this many ms; the page's own reader does too.
      "retry: 2000\n\n";
  asio::steady_timer tick(stream.get_executor());
  std::string frame = std::move(head);
  for (;;) {
    frame += "data: " + dashboard_json(ctx) + "\n\n";
    stream.expires_after(ctx.cfg.http_idle_timeout);  // a reader that stops reading is dropped
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(frame),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec || ctx.stopping) co_return;
    frame.clear();
    tick.expires_after(dashboard_interval);
    co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ctx.stopping) co_return;
  }
}

}  // namespace circlecdn::app
