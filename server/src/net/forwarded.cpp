#include "net/forwarded.hpp"

#include <boost/beast/core/string.hpp>
#include <string>

namespace circlecdn::net {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<asio::ip::address> parse_address(std::string_view s) {
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  beast::error_code ec;
  auto a = asio::ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

}  // namespace

asio::ip::address client_from_forwarded_for(std::string_view list, const asio::ip::address& peer,
                                            std::span<const cidr> trusted) {
  auto client = unmapped(peer);
  while (contains_any(trusted, client)) {
    if (trim(list).empty()) break;
    auto comma = list.rfind(',');
    auto entry = trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
    auto a = parse_address(entry);
    if (!a) break;
    client = *a;
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(0, comma);
  }
  return client;
}

request_origin origin_of(const http::fields& request, const asio::ip::address& peer, bool tls,
                         std::span<const cidr> trusted) {
  request_origin o{tls, unmapped(peer)};
  if (trusted.empty() || !contains_any(trusted, o.client)) return o;
  // The nearest proxy's word on the scheme: the last X-Forwarded-Proto entry.
  if (auto it = request.find("X-Forwarded-Proto"); it != request.end()) {
    std::string_view v = it->value();
    auto comma = v.rfind(',');
    if (comma != std::string_view::npos) v = v.substr(comma + 1);
    if (beast::iequals(trim(v), "https")) o.https = true;
  }
  std::string list;
  for (auto [it, last] = request.equal_range("X-Forwarded-For"); it != last; ++it) {
    if (!list.empty()) list += ',';
    list += it->value();
  }
  if (!list.empty()) o.client = client_from_forwarded_for(list, o.client, trusted);
  return o;
}

}  // namespace circlecdn::net
