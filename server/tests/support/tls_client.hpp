#pragma once
// Blocking TLS clients for integration tests (OpenSSL through Asio's ssl::stream): an HTTPS
// request and a WSS session, with the TLS versions and ALPN offers a test chooses, and the
// server certificate's fingerprint. Every read has a socket deadline.
#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/net.hpp"
#include "support/http_client.hpp"

namespace circlecdn::test {

struct tls_options {
  int min_version = TLS1_2_VERSION;
  int max_version = 0;  // 0 = the newest
  std::vector<std::string> alpn{"http/1.1"};
  std::chrono::milliseconds timeout{10'000};
  std::string cookie;  // wss_client: sent as `Cookie:` on the handshake when not empty
};

// One TLS connection to 127.0.0.1:port; the constructor performs the handshake (throws
// beast::system_error when the server refuses it).
class tls_connection {
 public:
  explicit tls_connection(std::uint16_t port, tls_options opts = {});
  std::string fingerprint() const;  // the server certificate's SHA-256, hex
  std::string alpn() const;         // the protocol the server selected ("" = none)
  std::string version() const;      // "TLSv1.3", ...
  void write(std::string_view raw);
  http_response read(bool head = false);
  asio::ssl::stream<tcp::socket>& stream() { return stream_; }

 private:
  asio::ssl::context ctx_;
  asio::ssl::stream<tcp::socket> stream_;
  beast::flat_buffer buffer_;
};

http_response https_get(std::uint16_t port, std::string_view target,
                        const header_list& headers = {});

// A WebSocket session over TLS; the constructor reads the welcome.
class wss_client {
 public:
  explicit wss_client(std::uint16_t port, tls_options opts = {});
  boost::json::object read();
  void send(const std::string& text);
  const boost::json::object& welcome() const { return welcome_; }
  std::string fingerprint() const;
  void close();

 private:
  asio::ssl::context ctx_;
  websocket::stream<asio::ssl::stream<tcp::socket>> ws_;
  boost::json::object welcome_;
};

}  // namespace circlecdn::test
