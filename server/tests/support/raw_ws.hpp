#pragma once
// A WebSocket client that writes frames byte by byte, for hostile input the Beast client will not
// send: unmasked frames, reserved bits, bad UTF-8, split headers, lying lengths, silence.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/net.hpp"

namespace circlecdn::test {

struct server_frame {
  std::uint8_t op = 0;
  std::string payload;
  std::uint16_t close_code() const;  // op 8 with a payload of 2 bytes or more
};

class raw_ws {
 public:
  // Connects and performs the opening handshake; throws unless the server answers 101.
  explicit raw_ws(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  void write(const std::string& bytes);
  // The next frame from the server; nullopt when the server closed the TCP connection.
  std::optional<server_frame> read_frame();
  // The next frame that is not a text frame (skips messages); nullopt on TCP close.
  std::optional<server_frame> read_control();
  // True once the server has closed the TCP connection (reads until EOF, skipping frames).
  bool closed_by_server();

 private:
  bool fill(std::size_t n);  // until buf_ holds n bytes; false on EOF
  asio::io_context io_;
  tcp::socket socket_{io_};
  std::string buf_;
};

// Sends a raw HTTP upgrade request and returns the server's status line and headers.
std::string raw_upgrade(std::uint16_t port, const std::string& extra_headers,
                        const std::string& key = "dGhlIHNhbXBsZSBub25jZQ==",
                        const std::string& version = "13");

}  // namespace circlecdn::test
