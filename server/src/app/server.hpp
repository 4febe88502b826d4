#pragma once
// The whole circlecdn process as an object: origin, manifest watcher and tracker on one
// io_context thread. main() and the integration tests both use it.
#include <cstdint>
#include <memory>

#include "app/config.hpp"
#include "app/reload_plan.hpp"

namespace circlecdn::app {

class server {
 public:
  // reread: how SIGHUP gets the configuration again (main parses the command line and the file
  // again); without it a reload re-reads the TLS pair only.
  explicit server(config cfg, config_reader reread = {});
  ~server();  // stops if still running
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and starts serving on a background thread; returns the bound port.
  std::uint16_t start();
  // Graceful stop: stop accepting, close frames to every WebSocket, let HTTP responses in flight
  // finish; a hard stop once all are done or after the grace period.
  // Blocks until the thread has finished. Idempotent.
  void stop();
  // Runs on the calling thread until SIGINT/SIGTERM (used by main); SIGHUP calls reload().
  void run_until_signal();
  // Re-reads what can change while running: the configuration (through reread), whose live
  // options apply at once, and the TLS certificate and key, for new connections. The access log
  // is reopened. Anything that fails to load is refused with a log line and the old value stays.
  // False when something was refused. Any thread.
  bool reload();
  // The --redirect-http listener's port (0 without one); valid after start().
  std::uint16_t redirect_port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace circlecdn::app
