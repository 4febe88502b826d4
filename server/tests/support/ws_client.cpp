#include "support/ws_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <stdexcept>

namespace circlecdn::test {

namespace {
// Blocking socket calls never run the context; one for every client keeps a client to one fd.
asio::io_context& shared_context() {
  static asio::io_context io;
  return io;
}
}  // namespace

ws_client::ws_client(std::uint16_t port, options opts) : ws_(shared_context()) {
  ws_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(opts.timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(opts.timeout.count() % 1000 * 1000);
  ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ws_.set_option(websocket::stream_base::decorator([opts](websocket::request_type& req) {
    if (!opts.cookie.empty()) req.set(http::field::cookie, opts.cookie);
    if (!opts.subprotocol.empty()) req.set(http::field::sec_websocket_protocol, opts.subprotocol);
    if (!opts.forwarded_for.empty()) req.set("X-Forwarded-For", opts.forwarded_for);
  }));
  websocket::response_type res;
  ws_.handshake(res, "127.0.0.1", "/.circlecdn/ws");
  negotiated_subprotocol = std::string(res[http::field::sec_websocket_protocol]);
  welcome_ = read();
  if (welcome_["type"] != "welcome") throw std::runtime_error("first message is not a welcome");
  peer_ = str(welcome_["peer"]);
}

void ws_client::send(const std::string& text) {
  ws_.text(true);
  ws_.write(asio::buffer(text));
}

void ws_client::send_binary(const std::string& bytes) {
  ws_.binary(true);
  ws_.write(asio::buffer(bytes));
}

void ws_client::send_raw(const std::string& bytes) {
  asio::write(ws_.next_layer(), asio::buffer(bytes));
}

boost::json::object ws_client::read() {
  beast::flat_buffer buffer;
  ws_.read(buffer);  // throws on timeout (EAGAIN), close or error
  return boost::json::parse(beast::buffers_to_string(buffer.data())).as_object();
}

boost::json::object ws_client::read_type(std::string_view type) {
  for (;;) {
    auto o = read();
    if (auto* t = o["type"].if_string(); t && *t == type) return o;
  }
}

std::vector<boost::json::object> ws_client::drain() {
  static int marker = 1'000'000;  // ids no test uses for its own wants
  const int id = ++marker;
  send(R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + std::string(64, '0') +
       R"("})");
  std::vector<boost::json::object> got;
  for (;;) {
    auto o = read();
    if (o["type"] == "miss" && o["id"] == id) return got;
    got.push_back(std::move(o));
  }
}

std::optional<std::uint16_t> ws_client::read_until_close() {
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec == websocket::error::closed) return ws_.reason().code;
    if (ec) return std::nullopt;
    buffer.clear();
  }
}

void ws_client::close() {
  beast::error_code ec;
  ws_.close(websocket::close_code::normal, ec);
}

std::string str(const boost::json::value& v) {
  return std::string(v.as_string());
}

}  // namespace circlecdn::test
