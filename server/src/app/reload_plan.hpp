#pragma once
// What a SIGHUP found in the configuration: the configuration to run with from now on (the old
// one with the live options that changed taken over), and what to say in the log about it.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace circlecdn::app {

struct reload_plan {
  std::optional<config> next;             // nullopt: the file was refused, nothing changes
  std::vector<std::string> changed;       // "messages-per-s: 200 -> 50", applied live
  std::vector<std::string> need_restart;  // "listen: 127.0.0.1:8080 -> 0.0.0.0:80 (kept ...)"
  std::vector<std::string> problems;      // why the file was refused
};

// Re-reads the configuration against the one running; the server calls it on its io thread.
using config_reader = std::function<reload_plan(const config& running)>;

}  // namespace circlecdn::app
