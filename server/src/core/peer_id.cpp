#include "core/peer_id.hpp"

#include "core/random_id.hpp"

namespace circlecdn {

peer_id peer_id::random() {
  peer_id p;
  std::string bytes = random_bytes(p.bytes.size());
  std::memcpy(p.bytes.data(), bytes.data(), p.bytes.size());
  return p;
}

std::optional<peer_id> peer_id::parse(std::string_view text) {
  if (text.size() != 22) return std::nullopt;
  auto bytes = base64url_decode(text);
  if (!bytes) return std::nullopt;
  peer_id p;
  std::memcpy(p.bytes.data(), bytes->data(), p.bytes.size());
  return p;
}

std::string peer_id::str() const {
  return base64url(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace circlecdn
