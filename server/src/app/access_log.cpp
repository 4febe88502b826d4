#include "app/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace circlecdn::app {

namespace {

// Quotes and control bytes in a combined-format field as \xHH (nginx does the same), so a
// visitor's User-Agent cannot forge a second line or a field boundary.
void append_quoted(std::string& out, std::string_view v) {
  out += '"';
  if (v.empty()) out += '-';
  for (unsigned char c : v) {
    if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::tm utc(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&s, &tm);
  return tm;
}

// strftime once per second, not once per line (the io thread writes every line).
const std::string& formatted_second(std::chrono::system_clock::time_point t, const char* format) {
  thread_local std::time_t cached_second = -1;
  thread_local const char* cached_format = nullptr;
  thread_local std::string cached;
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  if (s != cached_second || format != cached_format) {
    auto tm = utc(t);
    char buf[64];
    cached.assign(buf, std::strftime(buf, sizeof buf, format, &tm));
    cached_second = s;
    cached_format = format;
  }
  return cached;
}

constexpr const char* combined_time_format = " - - [%d/%b/%Y:%H:%M:%S +0000] ";
constexpr const char* json_time_format = "%Y-%m-%dT%H:%M:%S";

std::string protocol(unsigned version) {
  return "HTTP/" + std::to_string(version / 10) + "." + std::to_string(version % 10);
}

}  // namespace

std::string combined_line(const access_record& r) {
  std::string s = r.client.to_string();
  s += formatted_second(r.when, combined_time_format);
  std::string request =
      std::string(r.method) + " " + std::string(r.target) + " " + protocol(r.version);
  append_quoted(s, request);
  s += " " + std::to_string(r.status) + " " + std::to_string(r.body_bytes) + " ";
  append_quoted(s, r.referer);
  s += ' ';
  append_quoted(s, r.user_agent);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, " %.3f\n", static_cast<double>(r.duration.count()) / 1e6);
  s += seconds;
  return s;
}

std::string json_line(const access_record& r) {
  const auto& when = formatted_second(r.when, json_time_format);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.when.time_since_epoch()) % 1000;
  char full[48];
  std::snprintf(full, sizeof full, "%s.%03dZ", when.c_str(), static_cast<int>(ms.count()));
  boost::json::object o;
  o["time"] = full;
  o["client"] = r.client.to_string();
  o["method"] = r.method;
  o["target"] = r.target;
  o["protocol"] = protocol(r.version);
  o["status"] = r.status;
  o["bytes"] = r.body_bytes;
  o["referer"] = r.referer;
  o["user_agent"] = r.user_agent;
  o["duration_ms"] = static_cast<double>(r.duration.count()) / 1e3;
  return boost::json::serialize(o) + "\n";
}

access_log::access_log(const std::string& path, access_format format) : format_(format) {
  if (path == "-") {
    fd_ = STDERR_FILENO;
    return;
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0)
    throw std::runtime_error("--access-log: cannot open " + path + ": " + std::strerror(errno));
  owned_ = true;
}

access_log::~access_log() {
  if (owned_) ::close(fd_);
}

void access_log::write(const access_record& r) {
  auto line = format_ == access_format::json ? json_line(r) : combined_line(r);
  // One write per line; a short write (disk full) loses the rest of this line, not the server.
  for (std::size_t done = 0; done < line.size();) {
    auto n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace circlecdn::app
