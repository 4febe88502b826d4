// inotify watcher. Two coroutines on the executor: a reader that turns events into "something
// changed" (adding watches for new directories at once), and a debouncer that rescans the store
// once the site has been quiet for a moment. The rescan stats files on the io thread in steps,
// yielding to requests between them, and hands the files to read to a child process
// (manifest/hash_child.hpp): hashing a freshly written 50 MiB file takes ~100 ms, and a restart
// with a hash cache leaves every changed file of a large site to this rescan, so it must not stall
// the origin (which serves a file the manifest has not hashed yet from disk, without an ETag). Not
// a thread: one more thread costs every request (manifest/hash_child.hpp).
#include "manifest/watcher.hpp"

#include "manifest/hash_child.hpp"

#include <spdlog/spdlog.h>

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/post.hpp>

#include "manifest/visibility.hpp"

namespace circlecdn::manifest {

namespace fs = std::filesystem;

namespace {

using clock = std::chrono::steady_clock;

// Quiet period before a rescan: an editor's save or a `cp -r` is a burst of events; 50 ms
// coalesces a burst into one rescan while still feeling instant.
constexpr auto debounce_quiet = std::chrono::milliseconds(50);
// Under a continuous stream of events (a large copy), rescan at least this often anyway.
constexpr auto debounce_max_delay = std::chrono::milliseconds(500);
// One read takes many events; 64 KiB holds ~1000 events with short names.
constexpr std::size_t event_buffer_bytes = 64 * 1024;
constexpr int max_watch_depth = 64;  // as the store's scan depth
// Reading per rescan step before requests get their turn: about 0.2 ms of SHA-256 here.
constexpr std::uint64_t rescan_step_bytes = 256 * 1024;

constexpr std::uint32_t watch_mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                     IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF |
                                     IN_ATTRIB | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

}  // namespace

struct watcher_state {
  watcher_state(asio::any_io_executor ex, store& s)
      : executor(ex),
        manifest(s),
        descriptor(ex),
        hash_pipe(ex),
        timer(ex, clock::time_point::max()) {}

  asio::any_io_executor executor;
  store& manifest;
  asio::posix::stream_descriptor descriptor;
  asio::posix::stream_descriptor hash_pipe;   // from the hashing child, while one runs
  asio::steady_timer timer;                   // at "never" while nothing is pending
  std::unordered_map<int, fs::path> watched;  // watch descriptor -> directory
  alignas(inotify_event) std::array<char, event_buffer_bytes> buffer{};
  bool started = false;
  bool stopped = false;
  bool rescanning = false;  // a rescan job (which holds the store's scan lock) is alive
  bool pending = false;
  clock::time_point first_pending{};
  clock::time_point deadline{};

  // Adds watches for dir and every public directory below it (directory symlinks not followed,
  // like the scan). Adding an existing watch is harmless: inotify returns the same descriptor.
  void watch_tree(const fs::path& dir, int depth, std::unordered_set<int>* seen) {
    if (depth > max_watch_depth || !descriptor.is_open()) return;
    const int wd = ::inotify_add_watch(descriptor.native_handle(), dir.c_str(), watch_mask);
    if (wd < 0) return;  // gone already, or not a directory
    watched[wd] = dir;
    if (seen) seen->insert(wd);
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::error_code sec;
      if (!is_public_name(it->path().filename().string())) continue;
      if (it->symlink_status(sec).type() == fs::file_type::directory)
        watch_tree(it->path(), depth + 1, seen);
    }
  }

  // Re-walks the whole tree: catches directories created before their parent's watch existed or
  // lost in a queue overflow, fixes paths of renamed directories, drops watches that left the tree.
  void rewatch_all() {
    std::unordered_set<int> seen;
    watch_tree(manifest.root(), 0, &seen);
    for (auto it = watched.begin(); it != watched.end();) {
      if (seen.contains(it->first)) {
        ++it;
        continue;
      }
      ::inotify_rm_watch(descriptor.native_handle(), it->first);
      it = watched.erase(it);
    }
  }

  void schedule() {
    if (stopped) return;
    const auto now = clock::now();
    if (!pending) {
      pending = true;
      first_pending = now;
    }
    deadline = std::min(now + debounce_quiet, first_pending + debounce_max_delay);
    timer.expires_at(deadline);  // wakes the debouncer, which waits again until the deadline
  }

  void on_events(std::size_t size) {
    bool changed = false;
    for (std::size_t offset = 0; offset + sizeof(inotify_event) <= size;) {
      inotify_event ev;
      std::memcpy(&ev, buffer.data() + offset, sizeof ev);
      const char* name_start = buffer.data() + offset + sizeof ev;
      offset += sizeof ev + ev.len;
      if (offset > size) break;
      const std::string_view name(name_start, ev.len ? ::strnlen(name_start, ev.len) : 0);

      if (ev.mask & IN_Q_OVERFLOW) {  // events were lost: trust nothing, rebuild everything
        rewatch_all();
        changed = true;
        continue;
      }
      if (ev.mask & IN_IGNORED) {  // the watch is gone (directory deleted or moved away)
        watched.erase(ev.wd);
        changed = true;
        continue;
      }
      // Editors' swap files and the like never reach the manifest; do not rescan for them.
      if (!name.empty() && !is_public_name(name)) continue;
      if ((ev.mask & IN_ISDIR) && (ev.mask & (IN_CREATE | IN_MOVED_TO))) {
        if (const auto it = watched.find(ev.wd); it != watched.end())
          watch_tree(it->second / name, 0, nullptr);
      }
      changed = true;
    }
    if (!changed) return;
    manifest.note_change();  // the origin stops trusting its cache until the rescan
    schedule();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    beast::error_code ignored;
    descriptor.close(ignored);  // cancels the read; the watches go with the descriptor
    hash_pipe.close(ignored);   // a rescan waiting for its child gives up (the child is killed)
    timer.cancel();
    watched.clear();
    if (started) manifest.watch_stopped();  // nobody reports changes any more
  }
};

namespace {

// A read that fails for another reason than stop() is logged and retried after this long, so
// the manifest does not silently stop following the site.
constexpr auto read_retry_delay = std::chrono::seconds(1);

asio::awaitable<void> read_loop(std::shared_ptr<watcher_state> s) {
  while (!s->stopped) {
    auto [ec, n] = co_await s->descriptor.async_read_some(asio::buffer(s->buffer),
                                                          asio::as_tuple(asio::use_awaitable));
    if (s->stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      spdlog::error("event=loop_failed loop=manifest_watch error=\"{}\" restart_in_ms={}",
                    ec.message(), std::chrono::milliseconds(read_retry_delay).count());
      asio::steady_timer pause(s->executor, read_retry_delay);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      s->manifest.note_change();  // events may have been lost: rescan everything
      s->rewatch_all();
      s->schedule();
      continue;
    }
    s->on_events(n);
  }
}

asio::awaitable<void> debounce_loop(std::shared_ptr<watcher_state> s) {
  while (!s->stopped) {
    co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));  // expiry or re-arm
    if (s->stopped) co_return;
    if (!s->pending || clock::now() < s->deadline) continue;
    s->pending = false;
    s->timer.expires_at(clock::time_point::max());
    auto& manifest = s->manifest;
    auto before = manifest.current();
    // However the rescan ends (published, failed, or dropped by stop()), the pipe closes with it;
    // left open, the next rescan could not assign its own.
    struct rescan_scope {
      watcher_state& s;
      explicit rescan_scope(watcher_state& st) : s(st) { s.rescanning = true; }
      ~rescan_scope() {
        beast::error_code ignored;
        s.hash_pipe.close(ignored);
        s.rescanning = false;
      }
    } scope(*s);
    std::exception_ptr error;
    try {
      store::rescan_job job(manifest, true);
      bool done = false;
      while (!(done = job.step(rescan_step_bytes)) && !job.walked()) {
        co_await asio::post(s->executor, asio::use_awaitable);  // requests waiting go first
        if (s->stopped) co_return;  // the job is dropped: nothing is published
      }
      if (!done) {
        hash_child child(job.take_files_to_hash(), manifest.piece_size());
        s->hash_pipe.assign(child.release_fd());
        std::array<char, 64 * 1024> bytes;
        for (;;) {
          auto [ec, n] = co_await s->hash_pipe.async_read_some(asio::buffer(bytes),
                                                               asio::as_tuple(asio::use_awaitable));
          child.feed({bytes.data(), n});
          for (auto& e : child.take()) job.hashed(std::move(e));
          if (s->stopped) co_return;
          if (ec == asio::error::eof) break;
          if (ec) throw std::system_error(ec, "reading the hashing process");
        }
        const bool all = child.complete();
        if (!child.wait() || !all) throw std::runtime_error("the hashing process ended early");
        job.step(std::numeric_limits<std::uint64_t>::max());  // publishes
      }
    } catch (...) {
      error = std::current_exception();
    }
    if (s->stopped) co_return;
    if (error) {
      // Out of memory or similar mid-scan: the old snapshot stays valid; the next change retries.
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::error("event=manifest_rescan_failed error=\"{}\" (the old manifest stays)",
                      e.what());
      } catch (...) {
        spdlog::error("event=manifest_rescan_failed (the old manifest stays)");
      }
    } else {
      s->rewatch_all();
      auto after = manifest.current();
      if (after->generation != before->generation)
        spdlog::info("event=manifest generation={} files={} was_files={}", after->generation,
                     after->files.size(), before->files.size());
    }
  }
}

}  // namespace

struct watcher::impl {
  std::shared_ptr<watcher_state> state;
};

watcher::watcher(asio::any_io_executor ex, store& s) : impl_(std::make_unique<impl>()) {
  impl_->state = std::make_shared<watcher_state>(ex, s);
}

watcher::~watcher() {
  stop();
}

bool watcher::rescanning() const {
  return impl_->state->rescanning;
}

void watcher::start() {
  auto s = impl_->state;
  if (s->started || s->stopped) return;
  s->started = true;
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  s->descriptor.assign(fd);
  // Watches are added here, synchronously, so nothing written after start() returns is missed.
  // Until the first rescan below, the cache is not trusted (changes before this are unknown).
  s->manifest.watch_started();
  s->watch_tree(s->manifest.root(), 0, nullptr);
  asio::dispatch(s->executor, [s] {
    if (s->stopped) return;
    asio::co_spawn(s->executor, read_loop(s), asio::detached);
    asio::co_spawn(s->executor, debounce_loop(s), asio::detached);
    s->schedule();  // one rescan for changes made between the store's scan and now
  });
}

void watcher::stop() {
  auto s = impl_->state;
  asio::dispatch(s->executor, [s] { s->stop(); });
}

}  // namespace circlecdn::manifest
