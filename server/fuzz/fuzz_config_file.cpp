// libFuzzer target for the operator's TOML config file (`circlecdn serve --config FILE`,
// `circlecdn check-config FILE`): CLI11's reader and every row of the option table behind it. No
// input may crash them, and whatever the file says, the answer is a list of problems (each naming
// an option, a key or the file), never an exception.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "cli/command_line.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;  // a config file, not a corpus of them
  // In tmpfs when there is one: on ext4, rewriting a truncated file makes close() wait for the
  // disk (auto_da_alloc), which held this target to ~280 executions a second on one core.
  static const std::string path = [] {
    std::string dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm/circlecdn-fuzz-config-XXXXXX"
                                                      : "/tmp/circlecdn-fuzz-config-XXXXXX";
    if (!::mkdtemp(dir.data())) std::abort();
    return dir + "/circlecdn.toml";
  }();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  static circlecdn::cli::config_checker checker;  // one, reused: each check answers afresh
  auto problems = checker.check(path);
  for (const auto& p : problems)
    if (p.empty()) std::abort();  // every problem says something
  return 0;
}
