#pragma once
// The command-line options (and [serve] TOML keys) for the operator token that guards /metrics,
// /.circlecdn/stats and the dashboard. Kept apart from main.cpp like cli/ice_options.hpp.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace circlecdn::cli {

// Shorter tokens are refused: the token is all that stands between the internet and the counters.
inline constexpr std::size_t operator_token_min_chars = 16;

class operator_options {
 public:
  // Registers --operator-token and --operator-token-file on `serve`; the token lands in `token`.
  void add(CLI::App& serve, std::string& token);
  // After parsing: reads the file and checks the token. A message naming the option, or nullopt.
  std::optional<std::string> finish(std::string& token) const;

 private:
  std::string file_;
};

// nullopt when `token` is usable: at least operator_token_min_chars printable ASCII characters, no
// spaces (it travels in an Authorization header).
std::optional<std::string> operator_token_problem(const std::string& token);

}  // namespace circlecdn::cli
