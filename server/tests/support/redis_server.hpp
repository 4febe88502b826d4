#pragma once
// Debian's redis-server for the cluster tests: started by the test on a free loopback port (no
// persistence, no config file), stopped by its PID, restartable on the same port. A small
// synchronous hiredis client reads what the processes wrote.
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"

namespace circlecdn::test {

inline const char* redis_server_bin = "/usr/bin/redis-server";

inline bool redis_server_available() {
  return ::access(redis_server_bin, X_OK) == 0;
}

// A loopback port nobody listens on now (bound, read and released).
inline std::uint16_t free_loopback_port() {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  ::close(s);
  return ntohs(a.sin_port);
}

class redis_client {
 public:
  explicit redis_client(std::uint16_t port) {
    timeval tv{2, 0};
    ctx_.reset(redisConnectWithTimeout("127.0.0.1", port, tv));
    if (!ctx_ || ctx_->err) throw std::runtime_error("cannot connect to the test's Redis");
    redisSetTimeout(ctx_.get(), tv);
  }
  // The reply to one command (argv form); throws when the connection fails.
  std::unique_ptr<redisReply, void (*)(void*)> run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (!r) throw std::runtime_error("Redis: " + std::string(ctx_->errstr));
    return {r, freeReplyObject};
  }
  long long integer(const std::vector<std::string>& args) { return run(args)->integer; }
  std::vector<std::string> strings(const std::vector<std::string>& args) {
    auto r = run(args);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str);
    return out;
  }

 private:
  std::unique_ptr<redisContext, void (*)(redisContext*)> ctx_{nullptr, redisFree};
};

class redis_server {
 public:
  // Its log goes to `log_file` (or nowhere), not into the test's output.
  explicit redis_server(std::filesystem::path log_file = "/dev/null")
      : port_(free_loopback_port()), log_(std::move(log_file)) {
    start();
  }
  ~redis_server() { stop(); }
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  void start() {
    pid_ = spawn_binary(
        redis_server_bin,
        {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--protected-mode", "no", "--loglevel", "warning", "--logfile", log_.string()},
        nullptr, -1);
    for (int i = 0; i < 500; ++i) {  // until it answers (a safety net, not a timing check)
      try {
        redis_client c(port_);
        if (c.run({"PING"})->type == REDIS_REPLY_STATUS) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("redis-server did not start");
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Freezes it (SIGSTOP): connections stay open and nothing answers. resume() thaws it.
  void pause() { ::kill(pid_, SIGSTOP); }
  void resume() { ::kill(pid_, SIGCONT); }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  redis_client client() const { return redis_client(port_); }

 private:
  std::uint16_t port_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

}  // namespace circlecdn::test
