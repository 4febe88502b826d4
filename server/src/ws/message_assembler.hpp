#pragma once
// Turns parsed client frames into what the session acts on: whole messages (fragments joined),
// pings, pongs, a close, or a failure with the close code to send. Pure; tested and fuzzed with
// the frame parser. Holds no memory between messages, so an idle peer costs it 16 bytes.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ws/frame.hpp"

namespace circlecdn::ws {

struct event {
  enum kind_t { none, text, binary, ping, pong, close, fail } kind = none;
  std::string_view payload;  // text/binary: the message; ping: data to echo; close/fail: reason
  std::uint16_t code = 0;    // close: the peer's code (1005 if it sent none); fail: ours to send
};

class message_assembler {
 public:
  explicit message_assembler(std::size_t max_message_bytes) : max_(max_message_bytes) {}

  // The frame's payload must stay valid until the returned event has been handled. `none` means
  // a fragment was stored and the message is not complete yet.
  event on_frame(const frame& f);
  // Frees a joined message once its event has been handled (else the next frame does).
  void release();
  // True between the first and the last frame of a fragmented message.
  bool in_message() const { return parts_ && !joined_; }

 private:
  std::size_t max_;
  std::unique_ptr<std::string> parts_;  // the fragments of a message split over several frames
  opcode parts_op_ = opcode::text;
  bool joined_ = false;  // parts_ holds a complete message handed out by the last event
};

}  // namespace circlecdn::ws
