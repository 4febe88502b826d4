#include "signal/ws_session.hpp"

#include <spdlog/spdlog.h>

namespace circlecdn::signal {

namespace {
constexpr auto idle_ping_after =
    std::chrono::seconds(30);  // a silent peer gets pinged, then dropped
}

ws_session::ws_session(beast::tcp_stream&& stream, tracker& t, session_registry& registry,
                       const limits& lim)
    : ws_(std::move(stream)), tracker_(t), registry_(registry), lim_(lim) {}

ws_session::~ws_session() {
  registry_.erase(this);
}

asio::awaitable<void> ws_session::run(http::request<http::string_body> req,
                                      std::optional<peer_id> cookie_id,
                                      std::shared_ptr<ws_session> self) {
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
  (void)self;  // the caller's reference keeps the session alive while it runs
  // The reader runs inline: a nested coroutine frame would cost every idle peer more bytes.
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == websocket::error::message_too_big) close(1009, "frame too large");
      if (ec != websocket::error::closed && ec != asio::error::operation_aborted &&
          ec != beast::error::timeout && ec != asio::error::eof &&
          ec != asio::error::connection_reset)
        spdlog::debug("ws read: {}", ec.message());
      break;
    }
    if (!close_) {  // once closing, read until the peer's close frame, ignoring content
      auto now = tracker::clock::now();
      if (ws_.got_text()) {
        auto data = buffer.cdata();
        tracker_.on_text(state_, {static_cast<const char*>(data.data()), data.size()}, now);
      } else {
        tracker_.on_binary(state_, now);
      }
    }
    buffer.consume(n);
    buffer.shrink_to_fit();  // an idle peer keeps no read buffer
  }
  tracker_.leave(state_);
  state_ = nullptr;
  registry_.erase(this);
  done_ = true;
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
  start_writer();
}

void ws_session::close(std::uint16_t code, std::string_view reason) {
  if (close_ || done_) return;
  close_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
  start_writer();
}

// The writer runs only while there is something to send, so an idle peer has no writer
// coroutine, no parked timer and no queue storage.
void ws_session::start_writer() {
  if (writing_ || done_) return;
  writing_ = true;
  asio::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> ws_session::write_loop(std::shared_ptr<ws_session> self) {
  (void)self;  // keeps the session alive while this loop runs
  std::vector<frame> batch;
  while (!queue_.empty() && !done_) {
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
  }
  queue_ = {};
  if (close_ && !done_) co_await ws_.async_close(*close_, asio::as_tuple(asio::use_awaitable));
  writing_ = false;
}

}  // namespace circlecdn::signal
