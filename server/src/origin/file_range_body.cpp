#include "origin/file_range_body.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace circlecdn::origin {

file_range_body::value_type::value_type(value_type&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), offset_(other.offset_), length_(other.length_) {}

file_range_body::value_type& file_range_body::value_type::operator=(value_type&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    offset_ = other.offset_;
    length_ = other.length_;
  }
  return *this;
}

file_range_body::value_type::~value_type() {
  if (fd_ >= 0) ::close(fd_);
}

void file_range_body::value_type::reset(int fd, std::uint64_t offset, std::uint64_t length) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  offset_ = offset;
  length_ = length;
}

void file_range_body::writer::init(beast::error_code& ec) {
  ec = {};
  if (remaining_ > 0 && body_.fd() < 0) ec = make_error_code(beast::errc::bad_file_descriptor);
}

boost::optional<std::pair<file_range_body::writer::const_buffers_type, bool>>
file_range_body::writer::get(beast::error_code& ec) {
  ec = {};
  if (remaining_ == 0) return boost::none;
  if (!buffer_) buffer_ = std::make_unique<char[]>(range_read_chunk_bytes);
  const auto want =
      static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, range_read_chunk_bytes));
  ssize_t n;
  do {
    n = ::pread(body_.fd(), buffer_.get(), want, static_cast<off_t>(position_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    ec = beast::error_code(errno, beast::system_category());
    return boost::none;
  }
  if (n == 0) {  // the file shrank under us: the promised Content-Length cannot be met
    ec = http::error::short_read;
    return boost::none;
  }
  const auto got = static_cast<std::uint64_t>(n);
  position_ += got;
  remaining_ -= got;
  return std::make_pair(const_buffers_type(buffer_.get(), static_cast<std::size_t>(got)),
                        remaining_ > 0);
}

}  // namespace circlecdn::origin
