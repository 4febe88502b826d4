#pragma once
// The command line of `circlecdn`: `serve SITE_DIR [options] [--config FILE]`, `check-config FILE`,
// `--version` and `--help`. Options come from the table in cli/options.hpp; every value is checked
// here, so the server only ever sees a valid configuration.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace circlecdn::cli {

// The exit status for a configuration that is refused (bad value, unknown key, missing file).
constexpr int exit_bad_config = 2;

enum class command { serve, check_config, done };

struct parse_result {
  command what = command::done;
  int exit_code = 0;  // for done: --help, --version, or a refusal already printed
  app::config cfg;
  std::filesystem::path config_file;  // --config FILE (empty without one)
  // One line per problem, each naming the option (or the file's key) at fault.
  std::vector<std::string> problems;
};

// Parses argv (argv[0] is the program). Prints --help and --version itself (result: done, 0).
// With problems, what is serve or check_config and the caller prints them and exits 2.
parse_result parse_command_line(const std::vector<std::string>& args);

// `circlecdn check-config FILE`: the file alone, as `serve` would read it (every key known, every
// value in range); the site directory is not needed.
std::vector<std::string> check_config_file(const std::filesystem::path& file);

// The same check, many times over: building the command line from the option table costs far more
// than reading a file, so the fuzzer (and anything checking many files) keeps one and reuses it.
// Each check answers as a fresh one would.
class config_checker {
 public:
  config_checker();
  ~config_checker();
  config_checker(const config_checker&) = delete;
  config_checker& operator=(const config_checker&) = delete;
  std::vector<std::string> check(const std::filesystem::path& file);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// What the build calls itself: the CMake project version, plus `git describe` when the source was
// a git checkout at configure time.
std::string version();

}  // namespace circlecdn::cli
