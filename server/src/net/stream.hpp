#pragma once
// A connected TCP socket, plain or with TLS on it, read and written without blocking: the one
// transport under the WebSocket session and, through net::async_stream, under HTTPS. TLS is
// OpenSSL working directly on the non-blocking descriptor (SSL_set_fd), so an idle peer holds a
// readiness wait on its socket and nothing else, with or without TLS; SSL_MODE_RELEASE_BUFFERS
// makes OpenSSL free its record buffers whenever they are empty.
//
// read_some / write_some never block. "Nothing to do now" is the error would_block, and wants()
// then says which readiness to wait for: under TLS a read may need the socket to be writable (a
// key update to answer) and a write may need it readable.
#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "core/net.hpp"

namespace circlecdn::net {

class stream {
 public:
  using wait_type = tcp::socket::wait_type;

  // A plain stream.
  explicit stream(tcp::socket socket);
  // A TLS stream (server side); takes ownership of `ssl`, not yet bound to the socket.
  stream(tcp::socket socket, SSL* ssl);
  stream(stream&& other) noexcept;
  stream& operator=(stream&& other) noexcept;
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  ~stream();

  bool is_tls() const { return ssl_ != nullptr; }
  SSL* ssl() const { return ssl_; }
  tcp::socket& socket() { return socket_; }
  auto get_executor() { return socket_.get_executor(); }

  // One step of the TLS server handshake; true once it is complete (always true for plain).
  bool handshake(beast::error_code& ec);
  // Reads what is there now (at most into.size() bytes). End of stream (a FIN, or a TLS
  // close_notify) is asio::error::eof.
  std::size_t read_some(std::span<char> into, beast::error_code& ec);
  // Writes what the socket takes now, gathered from `bufs`. Under TLS at most one record's worth
  // is taken per call; bytes it reports taken may still sit in OpenSSL's record buffer when the
  // socket was full: has_unsent() says so, and a write_some (with no buffers at all, if need be)
  // after the next writability pushes them.
  std::size_t write_some(std::span<const asio::const_buffer> bufs, beast::error_code& ec);
  bool has_unsent() const { return unsent_ != nullptr; }
  // After would_block: the readiness the blocked operation waits for.
  wait_type wants() const { return want_; }

  template <class Handler>
  void async_wait(wait_type w, Handler&& handler) {
    socket_.async_wait(w, std::forward<Handler>(handler));
  }

  // Our last bytes are out: a TLS close_notify (best effort, never waits), then a FIN.
  void shutdown_send();
  void cancel();
  void close();
  bool is_open() const { return socket_.is_open(); }

 private:
  std::size_t tls_result(int ok, std::size_t n, beast::error_code& ec);

  tcp::socket socket_;
  SSL* ssl_ = nullptr;
  // TLS: bytes SSL_write has taken (encrypted, waiting in its record buffer for the socket) that
  // must be offered again unchanged until it reports them written. Only while the socket is full.
  std::unique_ptr<std::string> unsent_;
  wait_type want_ = wait_type::wait_read;
  bool bound_ = false;   // TLS: SSL_set_fd done
  bool failed_ = false;  // TLS: a fatal error; no close_notify may follow
};

}  // namespace circlecdn::net
