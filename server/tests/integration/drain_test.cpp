// Draining shutdown of the real binary: SIGTERM stops accepting but lets an HTTP response in
// flight finish within --shutdown-grace-ms; past the grace period the response is cut. The file
// is made slow with --origin-rate-limit, so the response is surely in flight when the signal
// arrives (the test waits for its header first).
#include <gtest/gtest.h>

#include <thread>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

constexpr std::size_t big_file_bytes = 1 << 20;
constexpr const char* rate_bytes_per_s = "524288";  // the body takes ~2 s

struct slow_download {
  std::size_t content_length = 0;
  std::size_t body_received = 0;
};

// Sends GET /big.bin and reads until the header is complete; the rest is read by finish().
class raw_download {
 public:
  explicit raw_download(std::uint16_t port) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(socket_, asio::buffer(build_request("GET", "/big.bin")));
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos) {
      auto n = socket_.read_some(asio::buffer(buf));
      got.append(buf, n);
    }
    auto head_end = got.find("\r\n\r\n") + 4;
    auto cl = got.find("Content-Length: ");
    result_.content_length = std::stoul(got.substr(cl + 16));
    result_.body_received = got.size() - head_end;
  }
  // Reads until the server closes the connection.
  slow_download finish() {
    char buf[65536];
    for (;;) {
      beast::error_code ec;
      auto n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) break;
      result_.body_received += n;
    }
    return result_;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  slow_download result_;
};

// The binary serving one big file slowly (--origin-rate-limit), with the given grace period.
std::unique_ptr<child_server> slow_server(const temp_dir& site, const char* grace_ms) {
  site.write("big.bin", std::string(big_file_bytes, 'x'));
  return std::make_unique<child_server>(
      CIRCLECDN_BIN, site.path(),
      std::vector<std::string>{"--listen", "127.0.0.1:0", "--origin-rate-limit", rate_bytes_per_s,
                               "--shutdown-grace-ms", grace_ms, "--log-level", "warn"});
}

}  // namespace

TEST(Drain, SigtermLetsASlowResponseInFlightCompleteWithinGrace) {
  temp_dir site;
  auto server = slow_server(site, "60000");
  raw_download download(server->port);
  ::kill(server->pid, SIGTERM);
  auto got = download.finish();
  EXPECT_EQ(got.content_length, big_file_bytes);
  EXPECT_EQ(got.body_received, big_file_bytes);  // every byte, though the server was stopping
  EXPECT_EQ(server->wait(), 0);
}

TEST(Drain, ResponsesPastTheGracePeriodAreCut) {
  temp_dir site;
  auto server = slow_server(site, "200");
  raw_download download(server->port);
  ::kill(server->pid, SIGTERM);
  auto got = download.finish();
  EXPECT_LT(got.body_received, big_file_bytes);  // 200 ms of a ~2 s body
  EXPECT_EQ(server->wait(), 0);
}

TEST(Drain, StopsAcceptingAtOnce) {
  temp_dir site;
  auto server = slow_server(site, "60000");
  raw_download download(server->port);
  ::kill(server->pid, SIGTERM);
  // While the slow response drains, new connections are refused (the listener is closed).
  bool refused = false;
  for (int i = 0; i < 500 && !refused; ++i) {
    asio::io_context ioc;
    tcp::socket s(ioc);
    beast::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), server->port}, ec);
    refused = ec == asio::error::connection_refused;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(download.finish().body_received, big_file_bytes);
  EXPECT_EQ(server->wait(), 0);
}
