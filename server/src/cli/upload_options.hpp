#pragma once
// The command-line options (and [serve] TOML keys) for signal::upload_policy: what every visitor's
// library is told about its uploads (Global Privacy Control, a budget, hidden tabs).
#include <CLI/CLI.hpp>

#include "signal/upload_policy.hpp"

namespace circlecdn::cli {

class upload_options {
 public:
  void add(CLI::App& serve, signal::upload_policy& policy);
  void finish(signal::upload_policy& policy) const;

 private:
  std::string gpc_ = "honor", hidden_ = "pause";
};

}  // namespace circlecdn::cli
