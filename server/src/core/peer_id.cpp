#include "core/peer_id.hpp"

#include "core/random_id.hpp"

namespace circlecdn {

namespace {
int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}
}  // namespace

peer_id peer_id::random() {
  peer_id p;
  std::string bytes = random_bytes(p.bytes.size());
  std::memcpy(p.bytes.data(), bytes.data(), p.bytes.size());
  return p;
}

std::optional<peer_id> peer_id::parse(std::string_view text) {
  if (text.size() != 22) return std::nullopt;
  peer_id p;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t out = 0;
  for (char c : text) {
    int v = b64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      p.bytes[out++] = static_cast<std::uint8_t>(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return std::nullopt;  // non-canonical: the 4 spare bits must be zero
  return p;
}

std::string peer_id::str() const {
  return base64url(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace circlecdn
