#pragma once
// RFC 6455 frames as the server sees them, as pure functions of bytes: parse one client frame
// (masked, no extensions), encode a server frame header. No socket, no allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace circlecdn::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// Close codes we send (RFC 6455 section 7.4.1).
namespace close_code {
constexpr std::uint16_t normal = 1000, going_away = 1001, protocol_error = 1002,
                        invalid_payload = 1007, policy = 1008, too_big = 1009, no_status = 1005;
}

struct frame {
  bool fin = true;
  opcode op = opcode::text;
  std::span<char> payload;  // unmasked in place
};

struct parse_result {
  enum status_t { incomplete, complete, error } status = incomplete;
  std::size_t consumed = 0;  // complete: header + payload bytes
  frame f;
  std::uint16_t code = 0;  // error: the close code to answer with
  std::string_view reason;
};

// Parses the frame at the start of `bytes`. A frame whose payload is over `max_payload` is an
// error as soon as its header is in (1009), so nobody has to buffer it. On `complete` the payload
// has been unmasked in place.
parse_result parse_client_frame(std::span<char> bytes, std::size_t max_payload);

// Largest header a server frame needs: 2 bytes + 8 for a 64-bit length (servers never mask).
constexpr std::size_t max_header_bytes = 10;

// Writes the header of a final, unmasked frame into `out`; returns its length.
std::size_t encode_header(std::span<char, max_header_bytes> out, opcode op,
                          std::size_t payload_bytes);

}  // namespace circlecdn::ws
