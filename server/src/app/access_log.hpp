#pragma once
// The access log (`--access-log PATH|-`, `--access-log-format combined|json`): one line per HTTP
// request, WebSocket upgrades included, written with one write(2) to a file opened O_APPEND (or
// stderr), so lines from a crash or a rotation are never torn. SIGHUP reopens the file: rotate by
// renaming it and sending SIGHUP.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/net.hpp"

namespace circlecdn::app {

struct access_record {
  std::chrono::system_clock::time_point when;  // when the request was read
  asio::ip::address client;  // the TCP peer, or X-Forwarded-For's client behind --trust-proxy
  std::string_view method, target;
  unsigned version = 11;  // 10 or 11
  unsigned status = 0;
  std::uint64_t body_bytes = 0;  // the response body (Content-Length of what was sent)
  std::string_view referer, user_agent;
  std::chrono::microseconds duration{0};  // from the request read to the response written
};

enum class access_format { combined, json };

// The Apache/nginx "combined" line plus the duration in seconds:
//   1.2.3.4 - - [07/Dec/2026:08:00:00 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/7.88" 0.001
std::string combined_line(const access_record& r);
// One JSON object: time (RFC 3339, UTC, ms), client, method, target, protocol, status, bytes,
// referer, user_agent, duration_ms.
std::string json_line(const access_record& r);

class access_log {
 public:
  // path "-" is stderr. Throws std::runtime_error naming the file when it cannot be opened.
  access_log(const std::string& path, access_format format);
  ~access_log();
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  void write(const access_record& r);

 private:
  int fd_ = -1;
  bool owned_ = false;
  access_format format_;
};

}  // namespace circlecdn::app
