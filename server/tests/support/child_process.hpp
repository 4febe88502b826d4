#pragma once
// The real `circlecdn` binary as a child process, for integration tests: started with arguments,
// its startup line read from stdout (the port), stderr optionally into a file the test reads;
// killed (SIGKILL) if the test did not stop it.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace circlecdn::test {

// Spawns bin with args; stdout into a pipe whose read end is returned in *out_fd (if given),
// stderr into err_fd (if >= 0).
inline pid_t spawn_binary(const std::string& bin, const std::vector<std::string>& args, int* out_fd,
                          int err_fd) {
  int out[2] = {-1, -1};
  if (out_fd && ::pipe(out) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd) {
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
  }
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<const char*> argv{bin.c_str()};
  for (auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, bin.c_str(), &actions, nullptr, const_cast<char**>(argv.data()), environ) !=
      0)
    throw std::runtime_error("cannot start " + bin);
  posix_spawn_file_actions_destroy(&actions);
  if (out_fd) {
    ::close(out[1]);
    *out_fd = out[0];
  }
  return pid;
}

// `circlecdn serve SITE args...`, running until the test stops it.
struct child_server {
  child_server(const std::string& bin, const std::filesystem::path& site,
               std::vector<std::string> args, const std::filesystem::path& stderr_file = {}) {
    std::vector<std::string> all{"serve", site.string()};
    all.insert(all.end(), args.begin(), args.end());
    int err = -1;
    if (!stderr_file.empty()) {
      err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (err < 0) throw std::runtime_error("cannot open " + stderr_file.string());
    }
    int out = -1;
    pid = spawn_binary(bin, all, &out, err);
    if (err >= 0) ::close(err);
    stdout_ = ::fdopen(out, "r");
    char line[256];
    if (!std::fgets(line, sizeof line, stdout_)) throw std::runtime_error("no startup line");
    first_line = line;
    auto colon = first_line.rfind(':');
    port = static_cast<std::uint16_t>(std::stoi(first_line.substr(colon + 1)));
  }
  ~child_server() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (stdout_) std::fclose(stdout_);
  }
  child_server(const child_server&) = delete;
  child_server& operator=(const child_server&) = delete;

  int terminate_and_wait() {
    ::kill(pid, SIGTERM);
    return wait();
  }
  int wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }
  // Still running (not exited, not killed by a signal)?
  bool running() const {
    int status = 0;
    return pid > 0 && ::waitpid(pid, &status, WNOHANG) == 0;
  }

  pid_t pid = -1;
  std::uint16_t port = 0;
  std::string first_line;
  FILE* stdout_ = nullptr;
};

// Runs the binary to its exit; returns its wait status, stdout and stderr.
struct exit_result {
  int status = 0;
  std::string out, err;
  int code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
};

inline exit_result run_to_exit(const std::string& bin, const std::vector<std::string>& args) {
  auto dir = std::filesystem::temp_directory_path();
  auto err_file = dir / ("circlecdn-err-" + std::to_string(::getpid()));
  int err = ::open(err_file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int out = -1;
  pid_t pid = spawn_binary(bin, args, &out, err);
  ::close(err);
  exit_result r;
  char buf[4096];
  for (ssize_t n; (n = ::read(out, buf, sizeof buf)) > 0;)
    r.out.append(buf, static_cast<std::size_t>(n));
  ::close(out);
  ::waitpid(pid, &r.status, 0);
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  std::filesystem::remove(err_file);
  return r;
}

// The text of a file (empty if it does not exist).
inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls a file until it contains `needle` or ~10 s have passed (a safety net, not a timing check).
inline bool wait_for_text(const std::filesystem::path& file, const std::string& needle) {
  for (int i = 0; i < 1000; ++i) {
    if (read_text(file).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace circlecdn::test
