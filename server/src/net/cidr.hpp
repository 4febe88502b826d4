#pragma once
// An address range in CIDR notation ("10.0.0.0/8", "2001:db8::/32", a bare address = one host),
// IPv4 or IPv6. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack listener sees)
// matches as the IPv4 address it carries. Bits past the prefix are ignored ("10.1.2.3/8" is
// 10.0.0.0/8), as nginx's allow and set_real_ip_from do.
#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "core/net.hpp"

namespace circlecdn::net {

class cidr {
 public:
  static std::optional<cidr> parse(std::string_view text);
  bool contains(const asio::ip::address& a) const;
  unsigned prefix() const { return bits_; }
  bool is_v4() const { return v4_; }

 private:
  std::array<unsigned char, 16> net_{};
  unsigned bits_ = 0;
  bool v4_ = true;
};

// True when `a` is inside any of `ranges`.
bool contains_any(std::span<const cidr> ranges, const asio::ip::address& a);

// IPv4-mapped IPv6 as IPv4; any other address as it is.
asio::ip::address unmapped(const asio::ip::address& a);

}  // namespace circlecdn::net
