#pragma once
// The server's own background loops (accept, expiry, redirect) must not die silently: each runs
// under a supervisor that logs a failure and starts the loop again after a pause, until the
// server is stopping. A loop that returns normally is finished and not restarted.
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/net.hpp"

namespace circlecdn::app {

// Pause before a failed loop starts again: long enough not to spin on a persistent failure.
constexpr auto loop_restart_delay = std::chrono::milliseconds(1000);

using loop_factory = std::function<asio::awaitable<void>()>;

// make() must return a coroutine whose frame does not point into make itself (call a member or
// free coroutine; a capturing coroutine lambda would dangle). Spawns make() on ex; when it throws,
// logs `event=loop_failed loop=<name>` at error and spawns a fresh one after `delay`, unless
// stopping() says the server is on its way out.
inline void supervise(asio::any_io_executor ex, std::string name, loop_factory make,
                      std::function<bool()> stopping,
                      std::chrono::milliseconds delay = loop_restart_delay) {
  asio::co_spawn(ex, make(), [ex, name, make, stopping, delay](std::exception_ptr e) {
    if (!e) return;
    std::string why = "unknown exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      why = ex.what();
    } catch (...) {
    }
    if (stopping()) return;
    spdlog::error("event=loop_failed loop={} error=\"{}\" restart_in_ms={}", name, why,
                  delay.count());
    auto timer = std::make_shared<asio::steady_timer>(ex, delay);
    timer->async_wait([ex, name, make, stopping, delay, timer](const beast::error_code& ec) {
      if (ec || stopping()) return;
      spdlog::info("event=loop_restarted loop={}", name);
      supervise(ex, name, make, stopping, delay);
    });
  });
}

}  // namespace circlecdn::app
