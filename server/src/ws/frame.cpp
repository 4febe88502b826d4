#include "ws/frame.hpp"

#include <cstring>

namespace circlecdn::ws {

namespace {

bool is_known(std::uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

parse_result fail(std::uint16_t code, std::string_view reason) {
  parse_result r;
  r.status = parse_result::error;
  r.code = code;
  r.reason = reason;
  return r;
}

void unmask(std::span<char> payload, const unsigned char key[4]) {
  // Word at a time where we can: SDPs are hundreds of bytes and every inbound byte passes here.
  std::uint64_t key64;
  unsigned char k8[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
  std::memcpy(&key64, k8, 8);
  std::size_t i = 0;
  for (; i + 8 <= payload.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, payload.data() + i, 8);
    w ^= key64;
    std::memcpy(payload.data() + i, &w, 8);
  }
  for (; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
}

}  // namespace

parse_result parse_client_frame(std::span<char> bytes, std::size_t max_payload) {
  parse_result r;
  if (bytes.size() < 2) return r;
  auto b0 = static_cast<unsigned char>(bytes[0]), b1 = static_cast<unsigned char>(bytes[1]);
  if (b0 & 0x70) return fail(close_code::protocol_error, "reserved bits set");
  std::uint8_t op = b0 & 0x0F;
  if (!is_known(op)) return fail(close_code::protocol_error, "unknown opcode");
  bool fin = (b0 & 0x80) != 0;
  bool control = op >= 0x8;
  if (!(b1 & 0x80)) return fail(close_code::protocol_error, "client frames must be masked");
  std::uint64_t len = b1 & 0x7F;
  std::size_t header = 2;
  if (len == 126) {
    if (bytes.size() < 4) return r;
    len = static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[2])) << 8 |
          static_cast<unsigned char>(bytes[3]);
    if (len < 126) return fail(close_code::protocol_error, "length not minimally encoded");
    header = 4;
  } else if (len == 127) {
    if (bytes.size() < 10) return r;
    len = 0;
    for (int i = 2; i < 10; ++i) len = len << 8 | static_cast<unsigned char>(bytes[i]);
    if (len >> 63) return fail(close_code::protocol_error, "length has its top bit set");
    if (len <= 0xFFFF) return fail(close_code::protocol_error, "length not minimally encoded");
    header = 10;
  }
  if (control && (len > 125 || !fin))
    return fail(close_code::protocol_error, "control frames are short and never fragmented");
  if (len > max_payload) return fail(close_code::too_big, "frame too large");
  if (bytes.size() < header + 4) return r;
  unsigned char key[4];
  std::memcpy(key, bytes.data() + header, 4);
  header += 4;
  if (bytes.size() - header < len) return r;
  r.status = parse_result::complete;
  r.consumed = header + static_cast<std::size_t>(len);
  r.f.fin = fin;
  r.f.op = static_cast<opcode>(op);
  r.f.payload = bytes.subspan(header, static_cast<std::size_t>(len));
  unmask(r.f.payload, key);
  return r;
}

std::size_t encode_header(std::span<char, max_header_bytes> out, opcode op,
                          std::size_t payload_bytes) {
  out[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
  if (payload_bytes < 126) {
    out[1] = static_cast<char>(payload_bytes);
    return 2;
  }
  if (payload_bytes <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<char>(payload_bytes >> 8);
    out[3] = static_cast<char>(payload_bytes & 0xFF);
    return 4;
  }
  out[1] = 127;
  auto len = static_cast<std::uint64_t>(payload_bytes);
  for (int i = 9; i >= 2; --i, len >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(len & 0xFF);
  return 10;
}

}  // namespace circlecdn::ws
