#include "support/tls_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include "support/test_cert.hpp"

namespace circlecdn::test {

namespace {

asio::io_context& shared_context() {
  static asio::io_context io;
  return io;
}

// A client context with the options (before any stream is made from it: SSL_new copies them).
asio::ssl::context client_context(const tls_options& opts) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX* c = ctx.native_handle();
  SSL_CTX_set_security_level(c, 0);  // so that a test can offer TLS 1.0/1.1 and be refused
  SSL_CTX_set_min_proto_version(c, opts.min_version);
  SSL_CTX_set_max_proto_version(c, opts.max_version);
  if (opts.max_version != 0 && opts.max_version < TLS1_2_VERSION)
    SSL_CTX_set_cipher_list(c, "DEFAULT:@SECLEVEL=0");
  if (!opts.alpn.empty()) {
    std::string wire;
    for (const auto& p : opts.alpn) {
      wire += static_cast<char>(p.size());
      wire += p;
    }
    SSL_CTX_set_alpn_protos(c, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
  }
  ctx.set_verify_mode(asio::ssl::verify_none);  // tests check the fingerprint instead
  return ctx;
}

void connect_with_deadline(tcp::socket& s, std::uint16_t port, std::chrono::milliseconds t) {
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(t.count() % 1000 * 1000);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string peer_fingerprint(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  auto f = sha256_fingerprint(cert);
  X509_free(cert);
  return f;
}

}  // namespace

tls_connection::tls_connection(std::uint16_t port, tls_options opts)
    : ctx_(client_context(opts)), stream_(shared_context(), ctx_) {
  connect_with_deadline(stream_.next_layer(), port, opts.timeout);
  stream_.handshake(asio::ssl::stream_base::client);
}

std::string tls_connection::fingerprint() const {
  return peer_fingerprint(const_cast<asio::ssl::stream<tcp::socket>&>(stream_).native_handle());
}

std::string tls_connection::alpn() const {
  const unsigned char* p = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(const_cast<asio::ssl::stream<tcp::socket>&>(stream_).native_handle(), &p,
                         &len);
  return std::string(reinterpret_cast<const char*>(p), len);
}

std::string tls_connection::version() const {
  return SSL_get_version(const_cast<asio::ssl::stream<tcp::socket>&>(stream_).native_handle());
}

void tls_connection::write(std::string_view raw) {
  asio::write(stream_, asio::buffer(raw));
}

http_response tls_connection::read(bool head) {
  http::response_parser<http::string_body> parser;
  parser.skip(head);
  parser.body_limit(1ull << 30);
  http::read(stream_, buffer_, parser);
  return parser.release();
}

http_response https_get(std::uint16_t port, std::string_view target, const header_list& headers) {
  tls_connection c(port);
  c.write(build_request("GET", target, headers));
  return c.read();
}

wss_client::wss_client(std::uint16_t port, tls_options opts)
    : ctx_(client_context(opts)), ws_(shared_context(), ctx_) {
  connect_with_deadline(beast::get_lowest_layer(ws_), port, opts.timeout);
  ws_.next_layer().handshake(asio::ssl::stream_base::client);
  if (!opts.cookie.empty())
    ws_.set_option(
        websocket::stream_base::decorator([cookie = opts.cookie](websocket::request_type& req) {
          req.set(http::field::cookie, cookie);
        }));
  ws_.handshake("127.0.0.1", "/.circlecdn/ws");
  welcome_ = read();
  if (welcome_["type"] != "welcome") throw std::runtime_error("first message is not a welcome");
}

boost::json::object wss_client::read() {
  beast::flat_buffer buffer;
  ws_.read(buffer);
  return boost::json::parse(beast::buffers_to_string(buffer.data())).as_object();
}

void wss_client::send(const std::string& text) {
  ws_.text(true);
  ws_.write(asio::buffer(text));
}

std::string wss_client::fingerprint() const {
  return peer_fingerprint(const_cast<websocket::stream<asio::ssl::stream<tcp::socket>>&>(ws_)
                              .next_layer()
                              .native_handle());
}

void wss_client::close() {
  beast::error_code ec;  // the close frames are exchanged; how the TCP connection ends is not ours
  ws_.close(websocket::close_code::normal, ec);
}

}  // namespace circlecdn::test
