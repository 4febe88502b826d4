// Restarts of the real binary: the manifest's ETag is the same for the same files (a cached
// manifest revalidates across a restart, and a changed one does not), and with --hash-cache the
// second start reads no unchanged file and re-hashes a changed one.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/content_hash.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace circlecdn {
namespace {

using test::get;
using test::temp_dir;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The binary with stdout and stderr (the listening line and the log) in one file per start.
struct child {
  child(const std::filesystem::path& site, const std::filesystem::path& log,
        std::vector<std::string> args) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string site_arg = site.string();
    std::vector<const char*> argv{
        CIRCLECDN_BIN, "serve", site_arg.c_str(), "--listen", "127.0.0.1:0", "--log-level", "info"};
    for (auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    if (posix_spawn(&pid, CIRCLECDN_BIN, &actions, nullptr, const_cast<char**>(argv.data()),
                    environ) != 0)
      throw std::runtime_error("cannot start " CIRCLECDN_BIN);
    posix_spawn_file_actions_destroy(&actions);
    constexpr std::string_view marker = "circlecdn listening on http://127.0.0.1:";
    for (int i = 0; i < 600 && port == 0; ++i) {
      const auto text = read_file(log);
      if (const auto at = text.find(marker); at != std::string::npos)
        port = static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (port == 0) throw std::runtime_error("no listening line in " + log.string());
  }
  ~child() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  }
  pid_t pid = -1;
  std::uint16_t port = 0;
};

// Waits (with a deadline) until the log has a line containing `text`.
bool logged(const std::filesystem::path& log, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    if (read_file(log).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class restart_test : public ::testing::Test {
 protected:
  restart_test() {
    for (int i = 0; i < 20; ++i)
      site_.write("f" + std::to_string(i) + ".txt", test::pattern_bytes(1000 + i, i));
    site_.write("big.bin", test::pattern_bytes(700 * 1024, 99));
  }
  std::string manifest_etag(std::uint16_t port) {
    return std::string(get(port, "/.circlecdn/manifest.json")[http::field::etag]);
  }
  temp_dir site_, state_;
  std::filesystem::path cache_ = state_.path() / "hashes.bin";
  std::filesystem::path log(int start) {
    return state_.path() / ("log" + std::to_string(start) + ".txt");
  }
};

TEST_F(restart_test, the_manifest_etag_is_the_same_after_a_restart_for_the_same_files) {
  std::string first;
  {
    child c(site_.path(), log(1), {"--hash-cache", "none"});
    first = manifest_etag(c.port);
    EXPECT_TRUE(first.starts_with("W/\"")) << first;
  }
  {
    child c(site_.path(), log(2), {"--hash-cache", "none"});
    EXPECT_EQ(manifest_etag(c.port), first);
    const auto r = get(c.port, "/.circlecdn/manifest.json", {{"If-None-Match", first}});
    EXPECT_EQ(r.result(), http::status::not_modified);
  }
  site_.write("f3.txt", "changed");
  {
    child c(site_.path(), log(3), {"--hash-cache", "none"});
    EXPECT_NE(manifest_etag(c.port), first);
    const auto r = get(c.port, "/.circlecdn/manifest.json", {{"If-None-Match", first}});
    EXPECT_EQ(r.result(), http::status::ok);
  }
}

TEST_F(restart_test, a_second_start_reads_no_unchanged_file_and_rehashes_a_changed_one) {
  std::string etag;
  {
    child c(site_.path(), log(4), {"--hash-cache", cache_.string()});
    EXPECT_TRUE(logged(log(4), "manifest: 0 files from the hash cache, 21 hashed"));
    etag = manifest_etag(c.port);
  }
  ASSERT_TRUE(std::filesystem::exists(cache_));
  {
    child c(site_.path(), log(5), {"--hash-cache", cache_.string()});
    EXPECT_TRUE(
        logged(log(5), "manifest: 21 files from the hash cache, 0 hashed (0 bytes), 0 left"));
    EXPECT_EQ(manifest_etag(c.port), etag);                       // complete at once
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the watcher's first rescan
    EXPECT_EQ(read_file(log(5)).find(" hashed ("), read_file(log(5)).rfind(" hashed ("))
        << "something was hashed after the start:\n"
        << read_file(log(5));
  }
  site_.write("f7.txt", "new bytes for seven");
  {
    child c(site_.path(), log(6), {"--hash-cache", cache_.string()});
    EXPECT_TRUE(
        logged(log(6), "manifest: 20 files from the hash cache, 0 hashed (0 bytes), 1 left"));
    // The worker hashes it and the manifest updates.
    EXPECT_TRUE(
        logged(log(6), "manifest: 0 files from the hash cache, 1 hashed (19 bytes), 0 left"));
    const auto m = boost::json::parse(get(c.port, "/.circlecdn/manifest.json").body());
    bool found = false;
    for (const auto& f : m.at("files").as_array())
      if (f.at("path") == "/f7.txt") {
        found = true;
        EXPECT_EQ(f.at("sha256").as_string(), content_hash::of("new bytes for seven").hex());
      }
    EXPECT_TRUE(found);
  }
}

TEST_F(restart_test, a_corrupt_cache_file_is_ignored_with_a_log_line) {
  {
    std::ofstream out(cache_);
    out << "circlecdn-hashes 1 262144\n1 2 3 4 nothex 0\t/f1.txt\nend 1\n";
  }
  child c(site_.path(), log(7), {"--hash-cache", cache_.string()});
  EXPECT_TRUE(logged(log(7), "ignored: line 2 is malformed"));
  EXPECT_TRUE(logged(log(7), "manifest: 0 files from the hash cache, 21 hashed"));
  EXPECT_EQ(boost::json::parse(get(c.port, "/.circlecdn/manifest.json").body())
                .at("files")
                .as_array()
                .size(),
            21u);
}

TEST_F(restart_test, a_cache_file_inside_the_site_is_refused) {
  const auto inside = (site_.path() / "hashes.bin").string();
  const std::string bin = CIRCLECDN_BIN;
  const std::string cmd = bin + " serve " + site_.path().string() + " --hash-cache " + inside +
                          " --listen 127.0.0.1:0 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = ::pclose(p);
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(out.find("--hash-cache"), std::string::npos) << out;
  EXPECT_NE(out.find("must not be inside the served site"), std::string::npos) << out;
}

}  // namespace
}  // namespace circlecdn
