#pragma once
// Builds client frames byte by byte (masked unless told otherwise) for tests of the server's
// codec, including frames no honest client would send.
#include <cstdint>
#include <string>
#include <string_view>

namespace circlecdn::test {

struct frame_spec {
  std::uint8_t op = 0x1;
  bool fin = true;
  bool masked = true;
  std::uint8_t rsv = 0;  // bits 4-6 of the first byte
  std::uint32_t key = 0x37fa213d;
  // Length field as sent (default: the payload's size, minimally encoded).
  std::int64_t declared_length = -1;
  bool long_form_16 = false;  // force the 16-bit length form even for short payloads
};

inline std::string client_frame(std::string_view payload, frame_spec s = {}) {
  std::string out;
  out += static_cast<char>((s.fin ? 0x80 : 0) | (s.rsv << 4) | s.op);
  std::uint64_t len =
      s.declared_length >= 0 ? static_cast<std::uint64_t>(s.declared_length) : payload.size();
  char mask_bit = s.masked ? static_cast<char>(0x80) : 0;
  if (len < 126 && !s.long_form_16) {
    out += static_cast<char>(mask_bit | static_cast<char>(len));
  } else if (len <= 0xFFFF) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(len >> 8);
    out += static_cast<char>(len & 0xFF);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>(len >> (8 * i) & 0xFF);
  }
  unsigned char key[4] = {
      static_cast<unsigned char>(s.key >> 24), static_cast<unsigned char>(s.key >> 16),
      static_cast<unsigned char>(s.key >> 8), static_cast<unsigned char>(s.key)};
  if (s.masked) out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += s.masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return out;
}

inline std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code & 0xFF);
  p += reason;
  return p;
}

}  // namespace circlecdn::test
