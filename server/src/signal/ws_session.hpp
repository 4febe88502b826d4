#pragma once
// One signaling WebSocket: a reader loop that feeds the tracker, and a writer that runs only while
// its capped queue has frames, one write in flight. The session owns the socket; the tracker and
// the registry hold plain pointers that the session removes before it dies.
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "core/net.hpp"
#include "signal/peer_link.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

class ws_session;
using session_registry = std::unordered_set<ws_session*>;

class ws_session final : public peer_link, public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(beast::tcp_stream&& stream, tracker& t, session_registry& registry, const limits& lim);
  ~ws_session() override;

  // Completes the handshake for `req` (already read by the HTTP session), then runs until the
  // connection ends. `cookie_id` is the visitor id from the request's cookie, if any.
  // `self` keeps the session alive for as long as it runs.
  asio::awaitable<void> run(http::request<http::string_body> req, std::optional<peer_id> cookie_id,
                            std::shared_ptr<ws_session> self);
  asio::any_io_executor get_executor() { return ws_.get_executor(); }

  void deliver(frame f) override;
  void close(std::uint16_t code, std::string_view reason) override;

 private:
  void start_writer();
  asio::awaitable<void> write_loop(std::shared_ptr<ws_session> self);

  websocket::stream<beast::tcp_stream> ws_;
  tracker& tracker_;
  session_registry& registry_;
  const limits& lim_;
  peer_state* state_ = nullptr;
  std::vector<frame> queue_;
  std::optional<websocket::close_reason> close_;  // set: the writer closes after draining
  bool done_ = false;
  bool writing_ = false;
};

}  // namespace circlecdn::signal
