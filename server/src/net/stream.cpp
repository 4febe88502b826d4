#include "net/stream.hpp"

#include <openssl/err.h>

#include <array>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>
#include <utility>

namespace circlecdn::net {

namespace {

// One TLS record's plaintext: the most one SSL_write takes from us (see write_some).
constexpr std::size_t tls_record_bytes = 16 * 1024;

}  // namespace

stream::stream(tcp::socket socket) : socket_(std::move(socket)) {}

stream::stream(tcp::socket socket, SSL* ssl) : socket_(std::move(socket)), ssl_(ssl) {
  beast::error_code ec;
  socket_.native_non_blocking(true, ec);  // OpenSSL reads and writes the descriptor itself
  SSL_set_fd(ssl_, static_cast<int>(socket_.native_handle()));
  SSL_set_accept_state(ssl_);
}

stream::stream(stream&& other) noexcept
    : socket_(std::move(other.socket_)),
      ssl_(std::exchange(other.ssl_, nullptr)),
      unsent_(std::move(other.unsent_)),
      want_(other.want_),
      failed_(other.failed_) {}

stream& stream::operator=(stream&& other) noexcept {
  if (this != &other) {
    if (ssl_) SSL_free(ssl_);
    socket_ = std::move(other.socket_);
    ssl_ = std::exchange(other.ssl_, nullptr);
    unsent_ = std::move(other.unsent_);
    want_ = other.want_;
    failed_ = other.failed_;
  }
  return *this;
}

stream::~stream() {
  if (ssl_) SSL_free(ssl_);  // the descriptor stays the socket's (SSL_set_fd does not own it)
}

// Maps an OpenSSL result to ours: WANT_READ / WANT_WRITE are would_block plus the readiness to
// wait for; a close_notify (or, with SSL_OP_IGNORE_UNEXPECTED_EOF, a bare FIN) is eof.
std::size_t stream::tls_result(int ok, std::size_t n, beast::error_code& ec) {
  if (ok > 0) {
    ec = {};
    return n;
  }
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, ok)) {
    case SSL_ERROR_WANT_READ:
      want_ = wait_type::wait_read;
      ec = asio::error::would_block;
      break;
    case SSL_ERROR_WANT_WRITE:
      want_ = wait_type::wait_write;
      ec = asio::error::would_block;
      break;
    case SSL_ERROR_ZERO_RETURN:
      ec = asio::error::eof;
      break;
    case SSL_ERROR_SYSCALL:
      failed_ = true;
      ec = saved_errno != 0 ? beast::error_code(saved_errno, beast::system_category())
                            : beast::error_code(asio::error::eof);
      break;
    default:
      failed_ = true;
      ec = beast::error_code(static_cast<int>(ERR_peek_last_error()),
                             asio::error::get_ssl_category());
      break;
  }
  ERR_clear_error();
  return 0;
}

bool stream::handshake(beast::error_code& ec) {
  if (!ssl_) return true;
  ERR_clear_error();
  errno = 0;
  tls_result(SSL_do_handshake(ssl_), 0, ec);
  return !ec;
}

std::size_t stream::read_some(std::span<char> into, beast::error_code& ec) {
  if (!ssl_) {
    want_ = wait_type::wait_read;
    return socket_.read_some(asio::buffer(into.data(), into.size()), ec);
  }
  ERR_clear_error();
  errno = 0;
  std::size_t n = 0;
  int ok = SSL_read_ex(ssl_, into.data(), into.size(), &n);
  return tls_result(ok, n, ec);
}

// Under TLS: the buffers are gathered into one record's worth and handed to SSL_write. When the
// socket is full OpenSSL keeps the encrypted record and must be offered the same bytes again:
// they are copied aside (unsent_) and reported taken, so the caller's queue can move on.
std::size_t stream::write_some(std::span<const asio::const_buffer> bufs, beast::error_code& ec) {
  if (!ssl_) {
    want_ = wait_type::wait_write;
    return socket_.write_some(bufs, ec);
  }
  ec = {};
  if (unsent_) {
    ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    int ok = SSL_write_ex(ssl_, unsent_->data(), unsent_->size(), &n);
    tls_result(ok, n, ec);
    if (ec) return 0;
    unsent_.reset();
  }
  thread_local std::array<char, tls_record_bytes> scratch;
  std::size_t len = 0;
  for (const auto& b : bufs) {
    std::size_t take = std::min(b.size(), scratch.size() - len);
    std::memcpy(scratch.data() + len, b.data(), take);
    len += take;
    if (len == scratch.size()) break;
  }
  if (len == 0) return 0;
  ERR_clear_error();
  errno = 0;
  std::size_t n = 0;
  int ok = SSL_write_ex(ssl_, scratch.data(), len, &n);
  n = tls_result(ok, n, ec);
  if (ec == asio::error::would_block) {
    unsent_ = std::make_unique<std::string>(scratch.data(), len);
    ec = {};
    return len;
  }
  return n;
}

void stream::shutdown_send() {
  if (ssl_ && !failed_ && !unsent_ && SSL_is_init_finished(ssl_)) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // queues and tries to send close_notify; never waits for the peer's
    ERR_clear_error();
  }
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void stream::cancel() {
  beast::error_code ignored;
  socket_.cancel(ignored);
}

void stream::close() {
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace circlecdn::net
