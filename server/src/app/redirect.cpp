#include "app/redirect.hpp"

#include "core/http_date.hpp"

namespace circlecdn::app {

namespace {

constexpr std::size_t max_host_bytes = 253;  // a DNS name's limit

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

bool is_v6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

bool is_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  for (char c : p)
    if (c < '0' || c > '9') return false;
  return true;
}

// The host part of a Host value, without its port; empty when the value is not acceptable.
std::string_view host_name(std::string_view host) {
  if (host.empty()) return {};
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || close < 3) return {};
    auto inside = host.substr(1, close - 1);
    for (char c : inside)
      if (!is_v6_char(c)) return {};
    auto rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !is_port(rest.substr(1)))) return {};
    return host.substr(0, close + 1);
  }
  auto colon = host.find(':');
  auto name = host.substr(0, colon);
  if (colon != std::string_view::npos && !is_port(host.substr(colon + 1))) return {};
  if (name.empty() || name.size() > max_host_bytes || name.front() == '.' || name.front() == '-')
    return {};
  for (char c : name)
    if (!is_name_char(c)) return {};
  return name;
}

http::response<http::string_body> answer(http::status status, std::string_view location,
                                         std::string_view text) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::server, "circlecdn");
  res.set(http::field::date, http_date_now());
  if (!location.empty()) res.set(http::field::location, location);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::string(text) + "\n";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace

std::optional<std::string> https_location(std::string_view host, std::string_view target,
                                          std::uint16_t https_port) {
  auto name = host_name(host);
  if (name.empty() || target.empty() || target.front() != '/') return std::nullopt;
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return std::nullopt;
  std::string url = "https://";
  url += name;
  if (https_port != 443) url += ":" + std::to_string(https_port);
  url += target;
  return url;
}

asio::awaitable<void> run_redirect_session(tcp::socket socket, std::uint16_t https_port,
                                           std::chrono::seconds timeout,
                                           std::size_t header_limit_bytes) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit_bytes));
  stream.expires_after(timeout);
  auto [ec, n] =
      co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (ec == http::error::end_of_stream || ec == beast::error::timeout) co_return;
  http::response<http::string_body> res;
  if (ec) {
    res = answer(http::status::bad_request, {}, ec.message());
  } else {
    auto& req = parser.get();
    auto location = https_location(req[http::field::host], req.target(), https_port);
    res = location ? answer(http::status::moved_permanently, *location, "moved to " + *location)
                   : answer(http::status::bad_request, {}, "bad Host or target");
  }
  stream.expires_after(timeout);
  co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace circlecdn::app
