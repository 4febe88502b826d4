// A supervised background loop that throws is started again (and logged), until the server says
// it is stopping; one that returns is not restarted.
#include "app/background_loop.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace circlecdn::app;

namespace {
constexpr auto quick_restart = std::chrono::milliseconds(1);

// A loop that fails until its run number reaches ok_at (a free coroutine: its frame owns its
// arguments, where a capturing coroutine lambda would point into a closure already gone).
asio::awaitable<void> fail_until(int* runs, int ok_at, bool* stopping) {
  ++*runs;
  if (stopping) *stopping = true;  // the server began to stop while this run failed
  if (*runs < ok_at) throw std::runtime_error("boom");
  co_return;
}
}  // namespace

TEST(BackgroundLoop, AFailingLoopIsRestartedUntilItSucceeds) {
  asio::io_context io;
  int runs = 0;
  supervise(
      io.get_executor(), "test", [&runs] { return fail_until(&runs, 3, nullptr); },
      [] { return false; }, quick_restart);
  io.run();  // returns when nothing is left: the third run ended normally
  EXPECT_EQ(runs, 3);
}

TEST(BackgroundLoop, NoRestartOnceStopping) {
  asio::io_context io;
  int runs = 0;
  bool stopping = false;
  supervise(
      io.get_executor(), "test", [&] { return fail_until(&runs, 100, &stopping); },
      [&] { return stopping; }, quick_restart);
  io.run();
  EXPECT_EQ(runs, 1);
}
