#include "ws/handshake.hpp"

#include <openssl/evp.h>

#include <array>

namespace circlecdn::ws {

namespace {

constexpr char base64_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const unsigned char* p, std::size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (std::size_t i = 0; i < n; i += 3) {
    std::uint32_t v = static_cast<std::uint32_t>(p[i]) << 16;
    if (i + 1 < n) v |= static_cast<std::uint32_t>(p[i + 1]) << 8;
    if (i + 2 < n) v |= p[i + 2];
    out += base64_digits[v >> 18 & 63];
    out += base64_digits[v >> 12 & 63];
    out += i + 1 < n ? base64_digits[v >> 6 & 63] : '=';
    out += i + 2 < n ? base64_digits[v & 63] : '=';
  }
  return out;
}

bool is_base64_digit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// 16 bytes encode to 22 digits and "==".
bool is_base64_of_16_bytes(std::string_view key) {
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (std::size_t i = 0; i < 22; ++i)
    if (!is_base64_digit(key[i])) return false;
  // The last digit carries 2 data bits; the other 4 must be zero in a canonical encoding.
  auto last = std::string_view(base64_digits).find(key[21]);
  return (last & 0x0F) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> accept_key(std::string_view client_key) {
  client_key = trim(client_key);
  if (!is_base64_of_16_bytes(client_key)) return std::nullopt;
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input += guid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &len, EVP_sha1(), nullptr) != 1)
    return std::nullopt;
  return base64(digest.data(), len);
}

std::string switching_protocols(std::string_view accept, std::string_view subprotocol) {
  std::string r =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Server: circlecdn\r\n"
      "Sec-WebSocket-Accept: ";
  r += accept;
  r += "\r\n";
  if (!subprotocol.empty()) {
    r += "Sec-WebSocket-Protocol: ";
    r += subprotocol;
    r += "\r\n";
  }
  r += "\r\n";
  return r;
}

bool offers_subprotocol(const http::fields& request, std::string_view ours) {
  auto it = request.find(http::field::sec_websocket_protocol);
  if (it == request.end()) return true;  // no subprotocol offered: version 1
  std::string_view offered = it->value();
  while (!offered.empty()) {
    auto comma = offered.find(',');
    if (trim(offered.substr(0, comma)) == ours) return true;
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return false;
}

upgrade_answer answer_upgrade(const http::fields& request, std::string_view subprotocol) {
  upgrade_answer a;
  if (!offers_subprotocol(request, subprotocol)) {
    a.status = http::status::bad_request;
    a.reason = "unsupported subprotocol: need " + std::string(subprotocol);
    return a;
  }
  if (request[http::field::sec_websocket_version] != "13") {
    a.status = http::status::upgrade_required;
    a.reason = "WebSocket version 13 only";
    a.version_hint = true;
    return a;
  }
  auto accept = accept_key(request[http::field::sec_websocket_key]);
  if (!accept) {
    a.status = http::status::bad_request;
    a.reason = "bad Sec-WebSocket-Key";
    return a;
  }
  bool offered = request.count(http::field::sec_websocket_protocol) > 0;
  a.response = switching_protocols(*accept, offered ? subprotocol : std::string_view{});
  return a;
}

}  // namespace circlecdn::ws
