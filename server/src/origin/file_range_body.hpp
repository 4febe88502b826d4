#pragma once
// A Beast body that sends one byte range of an open file with pread(): what a 206 needs, which
// http::file_body cannot do (it always sends from the current position to the end of the file).
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>
#include <utility>

#include "core/net.hpp"

namespace circlecdn::origin {

// 64 KiB per read: a few syscalls per TCP window instead of file_body's 4 KiB; allocated only
// while the response is being written.
inline constexpr std::size_t range_read_chunk_bytes = 64 * 1024;

struct file_range_body {
  class value_type {
   public:
    value_type() = default;
    value_type(value_type&& other) noexcept;
    value_type& operator=(value_type&& other) noexcept;
    value_type(const value_type&) = delete;
    value_type& operator=(const value_type&) = delete;
    ~value_type();

    // Takes ownership of fd and sends [offset, offset + length).
    void reset(int fd, std::uint64_t offset, std::uint64_t length);
    std::uint64_t size() const { return length_; }
    int fd() const { return fd_; }
    std::uint64_t offset() const { return offset_; }

   private:
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    std::uint64_t length_ = 0;
  };

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class writer {
   public:
    using const_buffers_type = asio::const_buffer;

    template <bool is_request, class Fields>
    writer(http::header<is_request, Fields>&, value_type& body)
        : body_(body), position_(body.offset()), remaining_(body.size()) {}

    void init(beast::error_code& ec);
    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec);

   private:
    value_type& body_;
    std::uint64_t position_;
    std::uint64_t remaining_;
    std::unique_ptr<char[]> buffer_;
  };
};

}  // namespace circlecdn::origin
