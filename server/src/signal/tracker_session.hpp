#pragma once
// The tracker's side of a signaling WebSocket: a ws::session whose sink is the tracker. It joins
// the tracker when the session opens, feeds it every message, leaves when the session ends, and
// is the tracker's peer_link back to the socket. Session and adapter are one object, so a peer
// costs one allocation.
#include <optional>
#include <string>

#include "core/peer_id.hpp"
#include "net/stream.hpp"
#include "signal/peer_link.hpp"
#include "signal/tracker.hpp"
#include "ws/session.hpp"

namespace circlecdn::signal {

// (message_sink comes first: it must be constructed before the session binds a reference to it.)
class tracker_session final : private ws::message_sink, public ws::session, public peer_link {
 public:
  tracker_session(net::stream stream, ws::session_hub& hub, signal::tracker& tracker);

  // Starts the session; it joins the tracker with the visitor's secret from the upgrade request's
  // cookie, if it had a well-formed one (the served record's key, never shown to anyone).
  // `address`: the client's, as the server sees it (through --trust-proxy).
  void begin(std::optional<peer_id> visitor, std::string address);

  // peer_link
  void deliver(frame f) override { send_text(std::move(f)); }
  void close(std::uint16_t code, std::string_view reason) override {
    ws::session::close(code, reason);
  }

 private:
  // ws::message_sink
  void on_open() override;
  void on_text(std::string_view message) override;
  void on_binary(std::string_view message) override;
  void on_close() override;

  signal::tracker& tracker_;
  peer_state* state_ = nullptr;
  const std::optional<peer_id>* joining_ = nullptr;  // begin()'s arguments, while it runs
  std::string* joining_address_ = nullptr;
};

// Runs a signaling session on `stream` (its 101 is sent); it keeps itself alive.
void start_tracker_session(net::stream stream, ws::session_hub& hub, signal::tracker& tracker,
                           std::optional<peer_id> cookie_id, std::string address);

}  // namespace circlecdn::signal
