// circlecdn: wires the command line to the server object. Nothing else lives here.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>

#include "app/server.hpp"
#include "cli/command_line.hpp"
#include "cli/reload.hpp"

int main(int argc, char** argv) {
  using namespace circlecdn;
  // SIGHUP's default action ends the process: until the server installs its reload handler (after
  // the first scan of the site, which takes a while on a large one) a reload is ignored instead.
  std::signal(SIGHUP, SIG_IGN);
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = cli::parse_command_line(args);
  if (parsed.what == cli::command::done) return parsed.exit_code;
  if (parsed.what == cli::command::check_config) {
    auto problems = cli::check_config_file(parsed.config_file);
    for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.c_str());
    if (!problems.empty()) return cli::exit_bad_config;
    std::printf("ok\n");
    return 0;
  }
  if (!parsed.problems.empty()) {
    for (const auto& p : parsed.problems) std::fprintf(stderr, "%s\n", p.c_str());
    return cli::exit_bad_config;
  }
  // Logs go to stderr: stdout carries only the startup lines scripts read (spdlog's default
  // logger writes to stdout, which put an info line before "circlecdn listening on").
  spdlog::set_default_logger(spdlog::stderr_color_mt("circlecdn"));
  // Every peer is a socket: take all the file descriptors the hard limit allows.
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  try {
    // SIGHUP parses the same command line again: the config file is re-read, flags still win.
    app::server server(std::move(parsed.cfg), [args](const app::config& running) {
      return cli::plan_reload(args, running);
    });
    server.run_until_signal();
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}
