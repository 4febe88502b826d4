#pragma once
// A small raw-socket HTTP/1.1 client for integration tests: it sends exactly the bytes it is given
// (hostile targets stay hostile) and parses what comes back with Beast. Every wait has a deadline.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/net.hpp"

namespace circlecdn::test {

using http_response = http::response<http::string_body>;
using header_list = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::chrono::milliseconds default_io_timeout{10'000};

// One connection to 127.0.0.1:port. Not thread-safe; one per test thread.
class http_connection {
 public:
  explicit http_connection(std::uint16_t port,
                           std::chrono::milliseconds timeout = default_io_timeout);
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;

  // Writes raw bytes (one or several requests, or garbage).
  void write(std::string_view raw);
  // Reads the next response; head = it answers a HEAD request, so no body follows.
  // Throws beast::system_error on a read error (e.g. end of stream), std::runtime_error on timeout.
  http_response read(bool head = false);
  std::vector<http_response> read_many(std::size_t count, bool head = false);
  // Waits for the server to close the connection: true on end of stream or reset, false if bytes
  // arrive instead (they stay buffered for the next read) or the deadline passes.
  bool closed_by_peer();

  tcp::socket& socket() { return socket_; }

 private:
  template <class Initiate>
  void run_with_deadline(Initiate&& initiate, bool& done);

  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

// "METHOD target HTTP/1.1\r\nHost: 127.0.0.1\r\n<headers>\r\n<body>"; adds Content-Length when
// body is not empty. The target is copied verbatim.
std::string build_request(std::string_view method, std::string_view target,
                          const header_list& headers = {}, std::string_view body = {});

// Connects, writes raw, reads count responses (head: they answer HEAD requests).
std::vector<http_response> exchange(std::uint16_t port, std::string_view raw, std::size_t count = 1,
                                    bool head = false);

// One request on a fresh connection.
http_response request(std::uint16_t port, std::string_view method, std::string_view target,
                      const header_list& headers = {}, std::string_view body = {});
inline http_response get(std::uint16_t port, std::string_view target,
                         const header_list& headers = {}) {
  return request(port, "GET", target, headers);
}

}  // namespace circlecdn::test
