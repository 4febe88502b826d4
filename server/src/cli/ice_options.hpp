#pragma once
// The command-line options (and [serve] TOML keys) for signal::ice_config: STUN and TURN servers,
// the TURN secret, relay-only mode and the peer path budgets. Kept apart from main.cpp so the
// option list of each part stays with that part.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "signal/ice_config.hpp"

namespace circlecdn::cli {

class ice_options {
 public:
  // Registers the options on `serve`; values land in `ice` (and in this object until finish()).
  void add(CLI::App& serve, signal::ice_config& ice);
  // After parsing: reads --turn-secret-file and checks everything. Returns a message naming the
  // option at fault, or nullopt.
  std::optional<std::string> finish(signal::ice_config& ice) const;

 private:
  std::string secret_file_;
  std::int64_t ttl_s_ = 0, connect_ms_ = 0, first_byte_ms_ = 0;
};

}  // namespace circlecdn::cli
