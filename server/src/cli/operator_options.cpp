#include "cli/operator_options.hpp"

#include "signal/ice_config.hpp"  // read_secret_file

namespace circlecdn::cli {

void operator_options::add(CLI::App& serve, std::string& token) {
  auto* flag = serve.add_option(
      "--operator-token", token,
      "Bearer token for /metrics, /.circlecdn/stats and /.circlecdn/dashboard (visible in ps: "
      "prefer the file). Without one those answer 404");
  serve.add_option("--operator-token-file", file_, "file holding the operator token")
      ->excludes(flag);
}

std::optional<std::string> operator_token_problem(const std::string& token) {
  if (token.size() < operator_token_min_chars)
    return "shorter than " + std::to_string(operator_token_min_chars) + " characters";
  for (char c : token)
    if (c <= ' ' || c > '~') return "only printable ASCII without spaces is allowed";
  return std::nullopt;
}

std::optional<std::string> operator_options::finish(std::string& token) const {
  const char* option = "--operator-token";
  if (!file_.empty()) {
    option = "--operator-token-file";
    std::string problem;
    auto secret = signal::read_secret_file(file_, problem);
    if (!secret) {
      // read_secret_file names the TURN option; this is ours.
      if (auto colon = problem.find(':'); colon != std::string::npos)
        problem = std::string(option) + problem.substr(colon);
      return problem;
    }
    token = std::move(*secret);
  }
  if (token.empty()) return std::nullopt;
  if (auto problem = operator_token_problem(token)) return std::string(option) + ": " + *problem;
  return std::nullopt;
}

}  // namespace circlecdn::cli
