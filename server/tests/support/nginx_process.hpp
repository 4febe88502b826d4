#pragma once
// Debian's nginx for the tests of the repo's configs in deploy/nginx/: the repo's files with only
// what must change on a test machine rewritten (listen addresses, certificate paths, upstream
// ports, file locations), started on free loopback ports, stopped by its PID.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "core/net.hpp"
#include "support/test_cert.hpp"

extern char** environ;

namespace circlecdn::test {

inline const char* nginx_binary() {
  const char* env = std::getenv("NGINX");
  return env ? env : "/usr/sbin/nginx";
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces every match of `pattern`; fails the test when there is none (the repo's config no
// longer looks the way the test expects: update both together).
inline void replace(std::string& text, const std::string& pattern, const std::string& with) {
  std::regex re(pattern);
  ASSERT_TRUE(std::regex_search(text, re)) << "deploy/nginx: no line matches " << pattern;
  text = std::regex_replace(text, re, with);
}

inline std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

inline bool accepts(std::uint16_t port) {
  asio::io_context io;
  tcp::socket s(io);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

// deploy/nginx/circlecdn.conf on 127.0.0.1's https_port and http_port with the test's
// certificate. The upstream block is left as it is: each test points it where it needs.
inline std::string site_conf_for_test(const std::filesystem::path& repo, std::uint16_t https_port,
                                      std::uint16_t http_port, const test_cert& cert) {
  auto conf = read_file(repo / "deploy/nginx/circlecdn.conf");
  replace(conf, R"(listen 443 ssl;)", "listen 127.0.0.1:" + std::to_string(https_port) + " ssl;");
  replace(conf, R"(\n *listen \[::\]:443 ssl;)", "");
  replace(conf, R"(listen 80;)", "listen 127.0.0.1:" + std::to_string(http_port) + ";");
  replace(conf, R"(\n *listen \[::\]:80;)", "");
  replace(conf, R"(ssl_certificate +/\S+;)", "ssl_certificate " + cert.cert_file.string() + ";");
  replace(conf, R"(ssl_certificate_key +/\S+;)",
          "ssl_certificate_key " + cert.key_file.string() + ";");
  return conf;
}

// deploy/nginx/nginx.conf with every file location inside `dir`, including `site_conf`
// (written there as circlecdn.conf). Returns the path of the main config.
inline std::filesystem::path write_nginx_conf(const std::filesystem::path& repo,
                                              const std::filesystem::path& dir,
                                              const std::string& site_conf) {
  std::ofstream(dir / "circlecdn.conf") << site_conf;
  auto conf = read_file(repo / "deploy/nginx/nginx.conf");
  // Workers run as root only when the test does (they must reach the test's files).
  replace(conf, R"(user www-data;)", ::geteuid() == 0 ? "user root;" : "");
  replace(conf, R"(worker_processes auto;)", "worker_processes 1;");
  replace(conf, R"(pid /run/nginx.pid;)", "pid " + (dir / "nginx.pid").string() + ";");
  replace(conf, R"(error_log /var/log/nginx/error.log warn;)",
          "error_log " + (dir / "error.log").string() + " warn;");
  std::string temp;
  for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    temp += "\n  " + std::string(t) + "_temp_path " + (dir / t).string() + ";";
  replace(conf, R"(access_log /var/log/nginx/access.log;)",
          "access_log " + (dir / "access.log").string() + ";" + temp);
  replace(conf, R"(include /etc/nginx/conf\.d/circlecdn\.conf;)",
          "include " + (dir / "circlecdn.conf").string() + ";");
  std::ofstream(dir / "nginx.conf") << conf;
  return dir / "nginx.conf";
}

struct nginx_process {
  nginx_process(const std::filesystem::path& prefix, const std::filesystem::path& conf) {
    std::string p = prefix.string(), c = conf.string(), e = (prefix / "error.log").string();
    std::vector<const char*> argv{nginx_binary(), "-p",      p.c_str(), "-c",          c.c_str(),
                                  "-e",           e.c_str(), "-g",      "daemon off;", nullptr};
    if (posix_spawn(&pid, nginx_binary(), nullptr, nullptr, const_cast<char**>(argv.data()),
                    environ) != 0)
      throw std::runtime_error("cannot start nginx");
  }
  ~nginx_process() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);  // by its PID, never by name
    ::waitpid(pid, nullptr, 0);
  }
  // Waits (a safety net of 10 s, not a timing check) until nginx accepts on `port`.
  static bool up(std::uint16_t port) {
    for (int i = 0; i < 1000; ++i) {
      if (accepts(port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  pid_t pid = -1;
};

}  // namespace circlecdn::test
