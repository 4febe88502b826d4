#pragma once
// One file as the origin keeps it open: its bytes (small files) or a descriptor on the very inode
// the manifest hashed (larger ones). Immutable and shared: the open-file cache and every response
// being written from it hold it; the descriptor closes when the last of them lets go. A file
// opened for one response only (the disk renderer) is wrapped the same way, so both renderers
// hand the writer the same kind of body.
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>

namespace circlecdn::origin {

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

}  // namespace circlecdn::origin
