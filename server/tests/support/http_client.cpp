#include "support/http_client.hpp"

#include <limits>
#include <stdexcept>

namespace circlecdn::test {

namespace {
// Response headers of a test server are small; this only guards against a runaway parse.
constexpr std::uint32_t response_header_limit_bytes = 64 * 1024;
}  // namespace

http_connection::http_connection(std::uint16_t port, std::chrono::milliseconds timeout)
    : socket_(ioc_), timeout_(timeout) {
  bool done = false;
  beast::error_code result;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  run_with_deadline(
      [&] {
        socket_.async_connect(endpoint, [&](beast::error_code ec) {
          result = ec;
          done = true;
        });
      },
      done);
  if (result) throw beast::system_error(result, "connect");
}

template <class Initiate>
void http_connection::run_with_deadline(Initiate&& initiate, bool& done) {
  initiate();
  ioc_.restart();
  ioc_.run_for(timeout_);
  if (done) return;
  beast::error_code ignored;
  socket_.cancel(ignored);
  ioc_.restart();
  ioc_.run();  // let the cancelled operation complete before its captures go away
  throw std::runtime_error("http test client: timed out");
}

void http_connection::write(std::string_view raw) {
  bool done = false;
  beast::error_code result;
  run_with_deadline(
      [&] {
        asio::async_write(socket_, asio::buffer(raw.data(), raw.size()),
                          [&](beast::error_code ec, std::size_t) {
                            result = ec;
                            done = true;
                          });
      },
      done);
  if (result) throw beast::system_error(result, "write");
}

http_response http_connection::read(bool head) {
  http::response_parser<http::string_body> parser;
  parser.skip(head);
  parser.header_limit(response_header_limit_bytes);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  bool done = false;
  beast::error_code result;
  run_with_deadline(
      [&] {
        http::async_read(socket_, buffer_, parser, [&](beast::error_code ec, std::size_t) {
          result = ec;
          done = true;
        });
      },
      done);
  if (result) throw beast::system_error(result, "read");
  return parser.release();
}

std::vector<http_response> http_connection::read_many(std::size_t count, bool head) {
  std::vector<http_response> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(read(head));
  return out;
}

bool http_connection::closed_by_peer() {
  if (buffer_.size() > 0) return false;
  bool done = false;
  beast::error_code result;
  std::size_t got = 0;
  try {
    run_with_deadline(
        [&] {
          socket_.async_read_some(buffer_.prepare(1024), [&](beast::error_code ec, std::size_t n) {
            result = ec;
            got = n;
            done = true;
          });
        },
        done);
  } catch (const std::runtime_error&) {
    return false;
  }
  buffer_.commit(got);
  return result == asio::error::eof || result == asio::error::connection_reset;
}

std::string build_request(std::string_view method, std::string_view target,
                          const header_list& headers, std::string_view body) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const auto& [name, value] : headers) out.append(name).append(": ").append(value) += "\r\n";
  if (!body.empty()) out.append("Content-Length: ").append(std::to_string(body.size())) += "\r\n";
  out.append("\r\n").append(body);
  return out;
}

std::vector<http_response> exchange(std::uint16_t port, std::string_view raw, std::size_t count,
                                    bool head) {
  http_connection c(port);
  c.write(raw);
  return c.read_many(count, head);
}

http_response request(std::uint16_t port, std::string_view method, std::string_view target,
                      const header_list& headers, std::string_view body) {
  return exchange(port, build_request(method, target, headers, body), 1, method == "HEAD").front();
}

}  // namespace circlecdn::test
