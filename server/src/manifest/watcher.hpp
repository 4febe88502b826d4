#pragma once
// Watches the site directory (inotify, recursively) and rescans the manifest store after a short
// quiet period, so a changed, added or removed file shows up without a restart.
#include <memory>

#include "core/net.hpp"
#include "manifest/store.hpp"

namespace circlecdn::manifest {

// Destroy the watcher before its io_context (as with any Asio I/O object).
class watcher {
 public:
  watcher(asio::any_io_executor ex, store& s);
  ~watcher();
  void start();  // begins watching on the executor; throws std::system_error if inotify fails
  void stop();   // idempotent; from another thread it takes effect on the executor
  // A rescan is in progress. After stop() it ends within a turn or two of the executor; the
  // server waits for that before it lets the store go (the rescan holds the store's scan lock).
  bool rescanning() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace circlecdn::manifest
