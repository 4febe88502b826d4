#pragma once
// What the manifest keeps of a file besides its hashes, so the origin can answer without touching
// the file system: the bytes themselves (small files) or a descriptor open on the very inode that
// was hashed (larger ones). Immutable and shared: a snapshot, and every response being written
// from it, hold it; the descriptor closes when the last of them lets go.
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>

namespace circlecdn::manifest {

class cached_file {
 public:
  explicit cached_file(std::string bytes) : bytes_(std::move(bytes)), in_memory_(true) {}
  explicit cached_file(int fd) : fd_(fd) {}
  ~cached_file() {
    if (fd_ >= 0) ::close(fd_);
  }
  cached_file(const cached_file&) = delete;
  cached_file& operator=(const cached_file&) = delete;

  bool in_memory() const { return in_memory_; }
  const std::string& bytes() const { return bytes_; }  // in_memory() only
  int fd() const { return fd_; }                       // !in_memory() only

 private:
  std::string bytes_;
  int fd_ = -1;
  bool in_memory_ = false;
};

}  // namespace circlecdn::manifest
