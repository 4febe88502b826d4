#pragma once
// Watches the site directory (inotify, recursively) and rescans the manifest store after a short
// quiet period, so a changed, added or removed file shows up without a restart.
#include <memory>

#include "core/net.hpp"
#include "manifest/store.hpp"

namespace circlecdn::manifest {

class watcher {
 public:
  watcher(asio::any_io_executor ex, store& s);
  ~watcher();
  void start();  // begins watching on the executor
  void stop();   // idempotent

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace circlecdn::manifest
