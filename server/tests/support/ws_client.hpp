#pragma once
// A blocking WebSocket client for integration tests: a real Beast client over a real socket, with
// a receive deadline on the socket so a missing message fails the test instead of hanging it.
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/net.hpp"

namespace circlecdn::test {

class ws_client {
 public:
  struct options {
    std::string cookie;         // sent as `Cookie:` when not empty
    std::string subprotocol;    // sent as `Sec-WebSocket-Protocol:` when not empty
    std::string forwarded_for;  // sent as `X-Forwarded-For:` (a server trusting 127.0.0.1 uses it)
    std::chrono::milliseconds timeout{10'000};
  };
  ws_client(std::uint16_t port, options opts);
  explicit ws_client(std::uint16_t port) : ws_client(port, options{}) {}

  void send(const std::string& text);
  void send_binary(const std::string& bytes);
  // Bytes straight onto the socket, bypassing the WebSocket framing (for hostile frames).
  void send_raw(const std::string& bytes);
  // The next message as a JSON object; throws on timeout, close or non-JSON.
  boost::json::object read();
  // Reads messages until one has this type (others are skipped); throws on timeout.
  boost::json::object read_type(std::string_view type);
  // Everything the server queued for this client so far: sends a marker want (a hash no manifest
  // has) and reads up to its miss, which the server answers after what came before. Proves what
  // did NOT arrive without waiting for a timeout.
  std::vector<boost::json::object> drain();
  // Reads until the server closes; returns its close code (nullopt if the socket just died).
  std::optional<std::uint16_t> read_until_close();
  void close();  // a polite close handshake

  const std::string& peer() const { return peer_; }
  const boost::json::object& welcome() const { return welcome_; }
  std::string negotiated_subprotocol;

 private:
  websocket::stream<tcp::socket> ws_;  // blocking calls only: no io_context runs
  std::string peer_;
  boost::json::object welcome_;
};

inline ws_client::options with_cookie(std::string cookie) {
  ws_client::options o;
  o.cookie = std::move(cookie);
  return o;
}
// A client the server sees at `address` (it must trust 127.0.0.1 as a proxy: --trust-proxy).
inline ws_client::options from_address(std::string address) {
  ws_client::options o;
  o.forwarded_for = std::move(address);
  return o;
}
inline ws_client::options with_subprotocol(std::string protocol) {
  ws_client::options o;
  o.subprotocol = std::move(protocol);
  return o;
}

// The string inside a JSON value.
std::string str(const boost::json::value& v);

}  // namespace circlecdn::test
