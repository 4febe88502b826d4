// manifest::watcher on real inotify: changes on disk reach the store without an explicit rescan.
// Waits are bounded by a generous deadline (a safety net, not a timing assertion).
#include "manifest/watcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>

#include "support/temp_dir.hpp"

namespace circlecdn::manifest {
namespace {

namespace fs = std::filesystem;
using test::temp_dir;

constexpr auto wait_limit = std::chrono::seconds(20);
constexpr auto run_slice = std::chrono::milliseconds(10);

class watcher_test : public ::testing::Test {
 protected:
  watcher_test() : store_(site_.path()), watcher_(ioc_.get_executor(), store_) {}
  ~watcher_test() override {
    watcher_.stop();
    ioc_.restart();
    ioc_.run();  // both loops fall out after stop(): run() must return
  }

  // Runs the io_context until pred() holds or the safety deadline passes.
  bool run_until(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ioc_.restart();
      ioc_.run_for(run_slice);
    }
    return true;
  }

  bool has(const std::string& url) { return store_.current()->find(url) != nullptr; }

  temp_dir site_;
  asio::io_context ioc_;
  store store_;
  watcher watcher_;
};

TEST_F(watcher_test, new_file_appears) {
  watcher_.start();
  site_.write("hello.txt", "hello");
  ASSERT_TRUE(run_until([&] { return has("/hello.txt"); }));
  EXPECT_EQ(store_.current()->find("/hello.txt")->sha256, content_hash::of("hello"));
  EXPECT_GE(store_.current()->generation, 2u);
}

std::size_t threads_of_this_process() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& t : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A second thread, even one that has ended, switches glibc and libstdc++ to their locked paths for
// the rest of the process (manifest/file_hasher.hpp): rescans, hashing included, stay on the io
// thread.
TEST_F(watcher_test, rescans_start_no_thread) {
  watcher_.start();
  site_.write("large.bin", test::pattern_bytes(3 * 1024 * 1024, 3));
  ASSERT_TRUE(run_until([&] { return has("/large.bin"); }));
  EXPECT_EQ(store_.current()->find("/large.bin")->size, 3u * 1024 * 1024);
  EXPECT_EQ(threads_of_this_process(), 1u) << "the test, the store and the watcher: one thread";
}

TEST_F(watcher_test, file_in_new_directories_appears) {
  watcher_.start();
  fs::create_directories(site_.path() / "a" / "b" / "c");
  site_.write("a/b/c/deep.txt", "deep");
  ASSERT_TRUE(run_until([&] { return has("/a/b/c/deep.txt"); }));
  // The new directories are watched too: a later file in them is noticed.
  site_.write("a/b/later.txt", "later");
  ASSERT_TRUE(run_until([&] { return has("/a/b/later.txt"); }));
}

TEST_F(watcher_test, change_and_removal_are_seen) {
  site_.write("x.txt", "one");
  store_.rescan();
  watcher_.start();
  site_.write("x.txt", "two, longer");
  ASSERT_TRUE(run_until([&] {
    const auto* e = store_.current()->find("/x.txt");
    return e && e->sha256 == content_hash::of("two, longer");
  }));
  fs::remove(site_.path() / "x.txt");
  ASSERT_TRUE(run_until([&] { return !has("/x.txt"); }));
}

TEST_F(watcher_test, rename_into_place_is_seen) {
  const auto tmp = site_.write(".upload.tmp", "renamed");
  watcher_.start();
  fs::rename(tmp, site_.path() / "final.txt");
  ASSERT_TRUE(run_until([&] { return has("/final.txt"); }));
}

TEST_F(watcher_test, directory_moved_in_is_seen_and_watched) {
  temp_dir other;
  other.write("incoming/file.txt", "moved");
  // Same file system is required for rename: stage it inside the site under a hidden name.
  fs::rename(other.path() / "incoming", site_.path() / ".staging");
  watcher_.start();
  fs::rename(site_.path() / ".staging", site_.path() / "incoming");
  ASSERT_TRUE(run_until([&] { return has("/incoming/file.txt"); }));
  site_.write("incoming/second.txt", "second");
  ASSERT_TRUE(run_until([&] { return has("/incoming/second.txt"); }));
}

TEST_F(watcher_test, change_before_start_is_picked_up_by_the_first_rescan) {
  site_.write("early.txt", "early");  // after the store's scan, before the watcher existed
  watcher_.start();
  ASSERT_TRUE(run_until([&] { return has("/early.txt"); }));
}

// The origin's cache is trusted from the first rescan on, not from a reported change until the
// rescan that follows it, and never once the watcher stopped.
TEST_F(watcher_test, cache_is_trusted_only_between_a_rescan_and_the_next_change) {
  site_.write("x.txt", "one");
  store_.rescan();
  EXPECT_FALSE(store_.cache_trusted());
  watcher_.start();
  EXPECT_FALSE(store_.cache_trusted());
  ASSERT_TRUE(run_until([&] { return store_.cache_trusted(); }));
  site_.write("x.txt", "two");
  ASSERT_TRUE(run_until([&] { return !store_.cache_trusted(); }));
  ASSERT_TRUE(run_until([&] { return store_.cache_trusted(); }));
  EXPECT_EQ(store_.current()->find("/x.txt")->sha256, content_hash::of("two"));
  watcher_.stop();
  ioc_.restart();
  ioc_.poll();
  EXPECT_FALSE(store_.cache_trusted());
}

TEST_F(watcher_test, stop_is_idempotent_and_ends_the_loops) {
  watcher_.start();
  watcher_.stop();
  watcher_.stop();
  ioc_.restart();
  ioc_.run();  // returns: nothing is left waiting
  site_.write("after.txt", "after");
  ioc_.restart();
  ioc_.run();
  EXPECT_FALSE(has("/after.txt"));
}

TEST_F(watcher_test, start_after_stop_does_nothing) {
  watcher_.stop();
  watcher_.start();
  ioc_.restart();
  ioc_.run();
  SUCCEED();
}

}  // namespace
}  // namespace circlecdn::manifest
