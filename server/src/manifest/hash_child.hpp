#pragma once
// Hashes files in a child process: the watcher's rescans read and hash changed files off the io
// thread without a second thread in the server. A thread, even one that has ended, switches glibc
// and libstdc++ to their multi-threaded paths for the life of the process (locked malloc, atomic
// reference counts, cancellation points around every syscall), which cost the origin ~5 % CPU on
// every 1 KiB request (docs/benchmarks.md). The server is single-threaded, so fork() is safe: the
// child touches only its copy of the list, writes one record per file to a pipe and _exit()s.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "manifest/store.hpp"

namespace circlecdn::manifest {

// One child per batch. Its destructor kills a child still running and reaps it.
class hash_child {
 public:
  // Forks; throws std::system_error when pipe() or fork() fails.
  hash_child(std::vector<hash_request> files, std::uint64_t piece_size);
  ~hash_child();
  hash_child(const hash_child&) = delete;
  hash_child& operator=(const hash_child&) = delete;

  // The pipe's read end (non-blocking): hand it to an asio::posix::stream_descriptor, which then
  // owns it (release() gives up ownership here).
  int release_fd();
  // Feeds bytes read from the pipe; complete records come out of take().
  void feed(std::span<const char> bytes);
  // Entries finished so far: each a hashed file, or nullopt for one that could not be read or
  // changed while being read (left out of the manifest, as a rescan does).
  std::vector<std::optional<file_entry>> take();
  // Every file reported: the batch is complete (check after the pipe's end of file).
  bool complete() const { return reported_ == count_; }
  // Reaps the child after the pipe's end of file; true when it exited with status 0.
  bool wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::size_t count_ = 0, reported_ = 0;
  std::string pending_;  // bytes of a record not complete yet
  std::vector<std::optional<file_entry>> ready_;
  std::vector<std::string> urls_;  // the records carry an index into this
};

}  // namespace circlecdn::manifest
