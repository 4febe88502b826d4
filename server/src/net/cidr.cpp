#include "net/cidr.hpp"

#include <charconv>

namespace circlecdn::net {

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<cidr> cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  std::string addr_text(text.substr(0, slash));
  beast::error_code ec;
  auto a = asio::ip::make_address(addr_text, ec);
  if (ec) return std::nullopt;
  a = unmapped(a);
  cidr c;
  c.v4_ = a.is_v4();
  const unsigned max_bits = c.v4_ ? 32 : 128;
  c.bits_ = max_bits;
  if (slash != std::string_view::npos) {
    auto bits = text.substr(slash + 1);
    unsigned value = 0;
    auto [end, err] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
    if (bits.empty() || err != std::errc{} || end != bits.data() + bits.size() || value > max_bits)
      return std::nullopt;
    c.bits_ = value;
  }
  if (c.v4_) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), c.net_.begin());
  } else {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), c.net_.begin());
  }
  // Clear the host bits, so contains() compares whole bytes and one partial byte.
  for (unsigned i = 0; i < max_bits / 8; ++i) {
    unsigned keep = c.bits_ > i * 8 ? std::min(8u, c.bits_ - i * 8) : 0;
    c.net_[i] &= static_cast<unsigned char>(0xFF00u >> keep);
  }
  return c;
}

bool cidr::contains(const asio::ip::address& addr) const {
  auto a = unmapped(addr);
  if (a.is_v4() != v4_) return false;
  std::array<unsigned char, 16> bytes{};
  if (v4_) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  } else {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  }
  unsigned whole = bits_ / 8, rest = bits_ % 8;
  for (unsigned i = 0; i < whole; ++i)
    if (bytes[i] != net_[i]) return false;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xFF00u >> rest);
  return (bytes[whole] & mask) == net_[whole];
}

bool contains_any(std::span<const cidr> ranges, const asio::ip::address& a) {
  for (const auto& r : ranges)
    if (r.contains(a)) return true;
  return false;
}

}  // namespace circlecdn::net
