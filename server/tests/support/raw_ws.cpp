#include "support/raw_ws.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <stdexcept>

namespace circlecdn::test {

namespace {

void set_timeout(tcp::socket& s, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

std::string upgrade_request(const std::string& key, const std::string& version,
                            const std::string& extra) {
  return "GET /.circlecdn/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: " +
         key + "\r\nSec-WebSocket-Version: " + version + "\r\n" + extra + "\r\n";
}

// Reads until the blank line that ends a response's headers.
std::string read_head(tcp::socket& s, std::string& rest) {
  std::string data;
  for (;;) {
    auto end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      rest = data.substr(end + 4);
      return data.substr(0, end + 4);
    }
    char chunk[4096];
    beast::error_code ec;
    auto n = s.read_some(asio::buffer(chunk), ec);
    if (ec) throw std::runtime_error("no HTTP response: " + ec.message());
    data.append(chunk, n);
  }
}

}  // namespace

std::uint16_t server_frame::close_code() const {
  if (op != 8 || payload.size() < 2) return 0;
  return static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 |
                                    static_cast<unsigned char>(payload[1]));
}

raw_ws::raw_ws(std::uint16_t port, std::chrono::milliseconds timeout) {
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_timeout(socket_, timeout);
  write(upgrade_request("dGhlIHNhbXBsZSBub25jZQ==", "13", ""));
  auto head = read_head(socket_, buf_);
  if (!head.starts_with("HTTP/1.1 101 ")) throw std::runtime_error("handshake refused: " + head);
  if (head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == std::string::npos)
    throw std::runtime_error("wrong Sec-WebSocket-Accept: " + head);
}

void raw_ws::write(const std::string& bytes) {
  asio::write(socket_, asio::buffer(bytes));
}

bool raw_ws::fill(std::size_t n) {
  while (buf_.size() < n) {
    char chunk[65536];
    beast::error_code ec;
    auto got = socket_.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) return false;
    if (ec) throw std::runtime_error("read: " + ec.message());
    buf_.append(chunk, got);
  }
  return true;
}

std::optional<server_frame> raw_ws::read_frame() {
  if (!fill(2)) return std::nullopt;
  auto b0 = static_cast<unsigned char>(buf_[0]), b1 = static_cast<unsigned char>(buf_[1]);
  if (b1 & 0x80) throw std::runtime_error("server frames must not be masked");
  std::uint64_t len = b1 & 0x7F;
  std::size_t header = 2;
  if (len == 126) {
    if (!fill(4)) return std::nullopt;
    len = static_cast<std::uint64_t>(static_cast<unsigned char>(buf_[2])) << 8 |
          static_cast<unsigned char>(buf_[3]);
    header = 4;
  } else if (len == 127) {
    if (!fill(10)) return std::nullopt;
    len = 0;
    for (int i = 2; i < 10; ++i) len = len << 8 | static_cast<unsigned char>(buf_[i]);
    header = 10;
  }
  if (!fill(header + len)) return std::nullopt;
  server_frame f{static_cast<std::uint8_t>(b0 & 0x0F), buf_.substr(header, len)};
  buf_.erase(0, header + len);
  return f;
}

std::optional<server_frame> raw_ws::read_control() {
  for (;;) {
    auto f = read_frame();
    if (!f || f->op != 1) return f;
  }
}

bool raw_ws::closed_by_server() {
  while (read_frame()) {
  }
  return true;  // read_frame throws on a timeout, so reaching here means EOF
}

std::string raw_upgrade(std::uint16_t port, const std::string& extra_headers,
                        const std::string& key, const std::string& version) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_timeout(s, std::chrono::seconds(10));
  asio::write(s, asio::buffer(upgrade_request(key, version, extra_headers)));
  std::string rest;
  return read_head(s, rest);
}

}  // namespace circlecdn::test
