#pragma once
// One signaling WebSocket, driven by callbacks over the plain TCP socket with our own RFC 6455
// codec (server/src/ws). An idle peer costs the session object, one pending readiness wait and
// the tracker's record: no read buffer, no coroutine frame, no timer. Frames are read into a
// buffer shared by the thread and copied aside only while a frame is incomplete; frames out are
// written at once when the socket takes them and queued only when it does not. Pings and close
// deadlines come from a sweep over all sessions (keep_alive) instead of a timer per peer.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/net.hpp"
#include "signal/peer_link.hpp"
#include "signal/tracker.hpp"
#include "ws/frame.hpp"
#include "ws/message_assembler.hpp"

namespace circlecdn::signal {

class ws_session;
using session_registry = std::unordered_set<ws_session*>;

// What every session of a server shares.
struct session_hub {
  signal::tracker& tracker;
  session_registry& sessions;
  const limits& lim;
};

class ws_session final : public peer_link, public std::enable_shared_from_this<ws_session> {
 public:
  using clock = tracker::clock;

  // `socket` has completed the opening handshake (our 101 is sent).
  ws_session(tcp::socket socket, session_hub& hub);
  ~ws_session() override;

  // Joins the tracker and starts reading. `cookie_id` is the visitor id from the upgrade request.
  void start(std::optional<peer_id> cookie_id);

  void deliver(frame f) override;
  void close(std::uint16_t code, std::string_view reason) override;

  // Pings a peer silent for limits::ping_after; returns true when the peer should be dropped:
  // silent as long again after the ping, not answering our close frame within close_timeout, or
  // sending one frame or message for longer than ping_after without finishing it.
  bool keep_alive_due(clock::time_point now);
  // Ends the connection without a close handshake (the peer stopped answering).
  void drop();

 private:
  struct out_frame {
    ws::opcode op;
    frame payload;
  };

  void wait_readable();
  void on_readable(const beast::error_code& ec);
  // Parses and handles whole frames in `bytes`; returns bytes consumed, or nullopt once the
  // session is ending.
  std::optional<std::size_t> handle_frames(std::span<char> bytes);
  bool handle(const ws::event& e);  // false: stop reading
  void send(ws::opcode op, frame payload);
  void send_close(std::uint16_t code, std::string_view reason);
  void write_queued();
  void wait_writable();
  void fail_write();
  // Leaves the tracker; queued frames (a close frame) are written, then the goodbye.
  void end();
  void finish_sending();
  void drain(const beast::error_code& ec);
  void close_socket();

  tcp::socket socket_;
  session_hub& hub_;
  peer_state* state_ = nullptr;
  ws::message_assembler assembler_;
  std::unique_ptr<std::string> partial_;  // the start of a frame not yet complete
  std::vector<out_frame> queue_;          // frames the socket has not taken yet
  std::size_t head_written_ = 0;          // bytes of queue_.front() (header + payload) sent
  clock::time_point heard_;               // last bytes from the peer
  clock::time_point mark_;                // when we pinged, or sent our close frame
  clock::time_point incomplete_since_;    // since when a frame or message is half-received
  bool pinged_ = false, close_sent_ = false, ended_ = false, broken_ = false;
  bool waiting_write_ = false;
};

// Called every few seconds: pings silent peers, drops dead ones. Returns how many it dropped.
std::size_t keep_alive(session_registry& sessions, ws_session::clock::time_point now);

}  // namespace circlecdn::signal
