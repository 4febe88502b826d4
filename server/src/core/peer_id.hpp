#pragma once
// A peer id: 128 random bits chosen by the server, written as 22 base64url characters.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace circlecdn {

struct peer_id {
  std::array<std::uint8_t, 16> bytes{};

  static peer_id random();
  // Exactly 22 base64url characters whose last one carries no stray bits; else nullopt.
  static std::optional<peer_id> parse(std::string_view text);
  std::string str() const;

  friend bool operator==(const peer_id&, const peer_id&) = default;
  friend auto operator<=>(const peer_id&, const peer_id&) = default;
};

}  // namespace circlecdn

template <>
struct std::hash<circlecdn::peer_id> {
  std::size_t operator()(const circlecdn::peer_id& p) const noexcept {
    std::size_t v;  // random bits already
    std::memcpy(&v, p.bytes.data(), sizeof v);
    return v;
  }
};
