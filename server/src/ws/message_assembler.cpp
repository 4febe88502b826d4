#include "ws/message_assembler.hpp"

#include "ws/utf8.hpp"

namespace circlecdn::ws {

namespace {

event failure(std::uint16_t code, std::string_view reason) {
  return {event::fail, reason, code};
}

bool valid_close_code(std::uint16_t c) {
  // RFC 6455 section 7.4: codes a peer may send; 1004-1006 and 1015 are reserved.
  if (c >= 3000 && c <= 4999) return true;
  return c >= 1000 && c <= 1014 && c != 1004 && c != 1005 && c != 1006;
}

event whole(opcode op, std::string_view data) {
  if (op == opcode::binary) return {event::binary, data, 0};
  if (!valid_utf8(data)) return failure(close_code::invalid_payload, "text is not UTF-8");
  return {event::text, data, 0};
}

}  // namespace

void message_assembler::release() {
  if (joined_) parts_.reset();
  joined_ = false;
}

event message_assembler::on_frame(const frame& f) {
  release();
  std::string_view data(f.payload.data(), f.payload.size());
  switch (f.op) {
    case opcode::ping:
      return {event::ping, data, 0};
    case opcode::pong:
      return {event::pong, data, 0};
    case opcode::close: {
      if (data.empty()) return {event::close, {}, close_code::no_status};
      if (data.size() == 1) return failure(close_code::protocol_error, "close payload of 1 byte");
      auto code = static_cast<std::uint16_t>(static_cast<unsigned char>(data[0]) << 8 |
                                             static_cast<unsigned char>(data[1]));
      if (!valid_close_code(code)) return failure(close_code::protocol_error, "bad close code");
      auto reason = data.substr(2);
      if (!valid_utf8(reason)) return failure(close_code::invalid_payload, "reason is not UTF-8");
      return {event::close, reason, code};
    }
    case opcode::text:
    case opcode::binary:
      if (parts_) return failure(close_code::protocol_error, "new message inside a fragmented one");
      if (f.fin) return whole(f.op, data);
      parts_ = std::make_unique<std::string>(data);
      parts_op_ = f.op;
      return {};
    case opcode::continuation:
      if (!parts_) return failure(close_code::protocol_error, "continuation without a message");
      if (parts_->size() + data.size() > max_) {
        parts_.reset();
        return failure(close_code::too_big, "message too large");
      }
      parts_->append(data);
      if (!f.fin) return {};
      joined_ = true;  // handed out from parts_, freed by release() or the next frame
      return whole(parts_op_, *parts_);
  }
  return failure(close_code::protocol_error, "unknown opcode");
}

}  // namespace circlecdn::ws
