#include "signal/ws_session.hpp"

#include <spdlog/spdlog.h>

namespace circlecdn::signal {

namespace {
constexpr auto idle_ping_after =
    std::chrono::seconds(30);  // a silent peer gets pinged, then dropped
}

ws_session::ws_session(beast::tcp_stream&& stream, tracker& t, session_registry& registry,
                       const limits& lim)
    : ws_(std::move(stream)),
      tracker_(t),
      registry_(registry),
      lim_(lim),
      wake_(ws_.get_executor(), asio::steady_timer::time_point::max()) {}

ws_session::~ws_session() {
  registry_.erase(this);
}

asio::awaitable<void> ws_session::run(http::request<http::string_body> req,
                                      std::optional<peer_id> cookie_id) {
  beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = lim_.handshake_timeout;
  timeouts.idle_timeout = idle_ping_after;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(lim_.frame_hard_cap_bytes);
  {
    // The request is freed once the handshake is done: an idle session keeps no headers.
    auto upgrade = std::move(req);
    bool offered_protocol = upgrade.count(http::field::sec_websocket_protocol) > 0;
    ws_.set_option(
        websocket::stream_base::decorator([offered_protocol](websocket::response_type& res) {
          res.set(http::field::server, "circlecdn");
          if (offered_protocol) res.set(http::field::sec_websocket_protocol, "circlecdn.1");
        }));
    auto [ec] = co_await ws_.async_accept(upgrade, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
  // The decorator is no longer needed; replace it with an empty one.
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type&) {}));

  registry_.insert(this);
  state_ = tracker_.join(*this, cookie_id, tracker::clock::now());
  asio::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), asio::detached);
  co_await read_loop();
  tracker_.leave(state_);
  state_ = nullptr;
  registry_.erase(this);
  done_ = true;
  wake_.cancel();
}

asio::awaitable<void> ws_session::read_loop() {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == websocket::error::message_too_big) close(1009, "frame too large");
      if (ec != websocket::error::closed && ec != asio::error::operation_aborted &&
          ec != beast::error::timeout && ec != asio::error::eof &&
          ec != asio::error::connection_reset)
        spdlog::debug("ws read: {}", ec.message());
      co_return;
    }
    if (close_) {  // closing: read until the peer's close frame, ignoring content
      buffer.consume(n);
      continue;
    }
    auto now = tracker::clock::now();
    if (ws_.got_text()) {
      auto data = buffer.cdata();
      tracker_.on_text(state_, {static_cast<const char*>(data.data()), data.size()}, now);
    } else {
      tracker_.on_binary(state_, now);
    }
    buffer.consume(n);
    buffer.shrink_to_fit();  // an idle peer keeps no read buffer
  }
}

void ws_session::deliver(frame f) {
  if (done_ || close_) return;
  if (queue_.size() >= lim_.write_queue_messages) {
    // A reader this slow would make us buffer without bound: cut it off.
    queue_.clear();
    close(1008, "too slow to read");
    return;
  }
  queue_.push_back(std::move(f));
  wake_.cancel_one();
}

void ws_session::close(std::uint16_t code, std::string_view reason) {
  if (close_ || done_) return;
  close_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
  wake_.cancel_one();
}

asio::awaitable<void> ws_session::write_loop(std::shared_ptr<ws_session> self) {
  (void)self;  // keeps the session alive while this loop runs
  std::vector<frame> batch;
  while (!done_) {
    if (queue_.empty()) {
      if (close_) {
        co_await ws_.async_close(*close_, asio::as_tuple(asio::use_awaitable));
        co_return;
      }
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    batch.swap(queue_);
    for (auto& f : batch) {
      ws_.text(true);
      auto [ec, n] =
          co_await ws_.async_write(asio::buffer(*f), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        done_ = true;
        co_return;
      }
    }
    batch.clear();
    if (queue_.empty() && !close_) {
      queue_.shrink_to_fit();
      batch.shrink_to_fit();
    }
  }
}

}  // namespace circlecdn::signal
