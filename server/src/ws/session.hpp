#pragma once
// One server-side WebSocket connection over a net::stream (plain TCP or TLS), driven by
// readiness callbacks with our own RFC 6455 codec. It knows nothing of what the messages mean:
// whole text and binary messages, its start and its end go to a message_sink (the signaling
// tracker's adapter lives in signal/). An idle peer costs the session object, one pending
// readiness wait and whatever the sink keeps: no read buffer, no coroutine frame, no timer (and
// under TLS no record buffer: see net/stream.hpp). Frames are read into a buffer shared by the
// thread and copied aside only while a frame is incomplete; frames out are written at once when
// the socket takes them and queued only when it does not. Pings and close deadlines come from a
// sweep over all sessions (keep_alive) instead of a timer per peer.
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "net/stream.hpp"
#include "ws/frame.hpp"
#include "ws/message_assembler.hpp"

namespace circlecdn::ws {

class session;
using session_registry = std::unordered_set<session*>;
// A message written to one or many sessions: one immutable buffer, shared, never copied per peer.
using payload = std::shared_ptr<const std::string>;

struct session_limits {
  std::size_t frame_hard_cap_bytes = 64 * 1024;  // larger frames/messages: close 1009
  std::size_t write_queue_messages = 256;        // a slower reader is disconnected (1008)
  std::chrono::seconds ping_after{30};    // a silent peer is pinged, then dropped as long again
  std::chrono::seconds close_timeout{5};  // for the peer's answer to our close frame
};

// What every session of a server shares.
struct session_hub {
  session_registry sessions;
  session_limits lim;
};

// Where a session's traffic goes. Calls come from inside the session's handlers; the sink may
// call send_text() and close() on its session from any of them.
class message_sink {
 public:
  // The session has started (it is registered and reading is about to begin).
  virtual void on_open() = 0;
  // One whole message (fragments joined; text is valid UTF-8). Not called once our close frame
  // is out.
  virtual void on_text(std::string_view message) = 0;
  virtual void on_binary(std::string_view message) = 0;
  // The session has ended (either side closed, the peer vanished or was cut off). Called once.
  virtual void on_close() = 0;

 protected:
  ~message_sink() = default;
};

class session : public std::enable_shared_from_this<session> {
 public:
  using clock = std::chrono::steady_clock;

  // `stream` has completed the opening handshake (our 101 is sent). `sink` must outlive the
  // session (the signaling adapter is the sink and derives from session: one allocation).
  session(net::stream stream, session_hub& hub, message_sink& sink);
  virtual ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Registers, tells the sink (on_open) and starts reading.
  void start();
  // Sends a text message. A peer that lets lim.write_queue_messages pile up is cut off: the
  // queue is dropped and a close frame (1008, "too slow to read") follows.
  void send_text(payload message);
  // Sends our close frame; the session ends when the peer answers, or after close_timeout.
  void close(std::uint16_t code, std::string_view reason);

  // Pings a peer silent for ping_after; returns true when the peer should be dropped: silent as
  // long again after the ping, not answering our close frame within close_timeout, or sending one
  // frame or message for longer than ping_after without finishing it.
  bool keep_alive_due(clock::time_point now);
  // Ends the connection without a close handshake (the peer stopped answering).
  void drop();

  bool is_tls() const { return stream_.is_tls(); }
  std::size_t queued() const { return queue_.size(); }

 private:
  struct out_frame {
    opcode op;
    payload bytes;
  };

  void wait_readable();
  void on_readable(const beast::error_code& ec);
  // Parses and handles whole frames in `bytes`; returns bytes consumed, or nullopt once the
  // session is ending.
  std::optional<std::size_t> handle_frames(std::span<char> bytes);
  bool handle(const event& e);  // false: stop reading
  void send(opcode op, payload bytes);
  void send_close(std::uint16_t code, std::string_view reason);
  void write_queued();
  void wait_writable();
  void fail_write();
  // Leaves the sink; queued frames (a close frame) are written, then the goodbye.
  void end();
  void finish_sending();
  void drain(const beast::error_code& ec);
  void close_socket();

  net::stream stream_;
  session_hub& hub_;
  message_sink& sink_;
  message_assembler assembler_;
  std::unique_ptr<std::string> partial_;  // the start of a frame not yet complete
  std::vector<out_frame> queue_;          // frames the socket has not taken yet
  std::size_t head_written_ = 0;          // bytes of queue_.front() (header + payload) sent
  clock::time_point heard_;               // last bytes from the peer
  clock::time_point mark_;                // when we pinged, or sent our close frame
  clock::time_point incomplete_since_;    // since when a frame or message is half-received
  net::stream::wait_type read_wait_ = net::stream::wait_type::wait_read;
  bool pinged_ = false, close_sent_ = false, ended_ = false, broken_ = false;
  bool waiting_write_ = false;
};

// Called every few seconds: pings silent peers, drops dead ones. Returns how many it dropped.
std::size_t keep_alive(session_registry& sessions, session::clock::time_point now);

}  // namespace circlecdn::ws
