#include "origin/reply_writer.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <string_view>

namespace circlecdn::origin {

namespace {

constexpr std::size_t sendfile_slice_bytes = 1 << 20;  // one call's share, so others get a turn
// Below this a descriptor's body is read into memory and written with its header in one sendmsg
// (one TCP segment); above it sendfile's zero copy wins over the extra syscall.
constexpr std::uint64_t sendfile_min_bytes = 64 * 1024;
// Over TLS: one pread and one write per slice (four TLS records); the buffer lives only while a
// body is being written.
constexpr std::size_t tls_body_slice_bytes = 64 * 1024;

// Waits until the socket can take more bytes, or gives up on a stalled peer.
asio::awaitable<beast::error_code> wait_writable(tcp::socket& socket,
                                                 std::chrono::seconds stall_timeout) {
  asio::steady_timer deadline(socket.get_executor(), stall_timeout);
  deadline.async_wait([&socket](const beast::error_code& e) {
    if (!e) socket.cancel();
  });
  auto [wait_ec] =
      co_await socket.async_wait(tcp::socket::wait_write, asio::as_tuple(asio::use_awaitable));
  deadline.cancel();
  if (wait_ec)
    co_return wait_ec == asio::error::operation_aborted ? beast::error::timeout : wait_ec;
  co_return beast::error_code{};
}

// Takes n bytes from the cap and sleeps as long as it says.
template <class Executor>
asio::awaitable<void> pace(Executor executor, upload_cap& cap, std::uint64_t n) {
  if (!cap.enabled() || n == 0) co_return;
  if (auto wait = cap.take(n, upload_cap::clock::now()); wait.count() > 0) {
    asio::steady_timer pause(executor, wait);
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

// Reads [offset, offset + length) of fd into out; false when the file shrank or failed.
bool read_all(int fd, std::uint64_t offset, std::string& out, std::uint64_t length) {
  out.resize(static_cast<std::size_t>(length));
  for (std::size_t done = 0; done < out.size();) {
    const ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Sends [offset, offset + length) of fd straight from the page cache with sendfile(2), waiting
// for writability (with a deadline) whenever the socket buffer is full.
asio::awaitable<beast::error_code> send_file_range(tcp::socket& socket, int fd, off_t offset,
                                                   std::uint64_t left,
                                                   std::chrono::seconds stall_timeout,
                                                   upload_cap& cap) {
  while (left > 0) {
    auto slice = static_cast<std::size_t>(std::min<std::uint64_t>(left, sendfile_slice_bytes));
    if (cap.enabled()) {
      slice = static_cast<std::size_t>(std::min<std::uint64_t>(slice, cap.slice_bytes()));
      co_await pace(socket.get_executor(), cap, slice);
    }
    ssize_t sent = ::sendfile(socket.native_handle(), fd, &offset, slice);
    if (cap.enabled() && static_cast<std::size_t>(std::max<ssize_t>(sent, 0)) < slice)
      cap.refund(slice - static_cast<std::size_t>(std::max<ssize_t>(sent, 0)));
    if (sent > 0) {
      left -= static_cast<std::uint64_t>(sent);
      continue;
    }
    if (sent == 0) co_return http::error::short_read;  // the file shrank under us
    if (errno == EINTR) continue;
    if (errno != EAGAIN) co_return beast::error_code(errno, beast::system_category());
    if (auto ec = co_await wait_writable(socket, stall_timeout)) co_return ec;
  }
  co_return beast::error_code{};
}

// Writes the buffers with sendmsg until all are on the socket; `more` sets MSG_MORE.
asio::awaitable<beast::error_code> send_buffers(tcp::socket& socket, std::array<iovec, 3> iov,
                                                bool more, std::chrono::seconds stall_timeout) {
  std::size_t first = 0;
  const int flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0);
  while (first < iov.size()) {
    if (iov[first].iov_len == 0) {
      ++first;
      continue;
    }
    msghdr msg{};
    msg.msg_iov = iov.data() + first;
    msg.msg_iovlen = iov.size() - first;
    const ssize_t sent = ::sendmsg(socket.native_handle(), &msg, flags);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) co_return beast::error_code(errno, beast::system_category());
      if (auto ec = co_await wait_writable(socket, stall_timeout)) co_return ec;
      continue;
    }
    for (auto n = static_cast<std::size_t>(sent); first < iov.size() && n > 0; ++first) {
      if (n < iov[first].iov_len) {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + n;
        iov[first].iov_len -= n;
        break;
      }
      n -= iov[first].iov_len;
    }
  }
  co_return beast::error_code{};
}

iovec as_iovec(std::string_view s) {
  return {const_cast<char*>(s.data()), s.size()};
}

}  // namespace

asio::awaitable<beast::error_code> write_reply(beast::tcp_stream& stream, const reply& r,
                                               std::chrono::seconds stall_timeout,
                                               upload_cap& cap) {
  auto& socket = stream.socket();
  beast::error_code ec;
  if (!socket.native_non_blocking()) socket.native_non_blocking(true, ec);
  if (ec) co_return ec;
  std::string_view body = r.memory_body();
  const int fd = r.fd();
  // A small body on a descriptor (a file opened for this request) joins the header in memory.
  std::string small;
  if (fd >= 0 && r.length < sendfile_min_bytes) {
    if (!read_all(fd, r.offset, small, r.length)) co_return http::error::short_read;
    body = small;
  }
  const bool by_sendfile = fd >= 0 && body.empty();
  co_await pace(socket.get_executor(), cap, body.size());
  if ((ec = co_await send_buffers(socket, {as_iovec(r.head), as_iovec(r.tail), as_iovec(body)},
                                  by_sendfile, stall_timeout)))
    co_return ec;
  if (!by_sendfile) co_return beast::error_code{};
  co_return co_await send_file_range(socket, fd, static_cast<off_t>(r.offset), r.length,
                                     stall_timeout, cap);
}

asio::awaitable<beast::error_code> write_reply(net::async_stream& stream, const reply& r,
                                               std::chrono::seconds stall_timeout,
                                               upload_cap& cap) {
  const std::string_view body = r.memory_body();
  co_await pace(stream.get_executor(), cap, body.size());
  std::array<asio::const_buffer, 3> parts{asio::buffer(r.head), asio::buffer(r.tail),
                                          asio::buffer(body.data(), body.size())};
  stream.expires_after(stall_timeout);
  auto [ec, n] = co_await asio::async_write(stream, parts, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return ec;
  const int fd = r.fd();
  if (fd < 0) co_return beast::error_code{};
  std::uint64_t offset = r.offset, left = r.length;
  auto buffer = std::make_unique<char[]>(std::min<std::uint64_t>(left, tls_body_slice_bytes));
  while (left > 0) {
    auto slice = static_cast<std::size_t>(std::min<std::uint64_t>(left, tls_body_slice_bytes));
    if (cap.enabled())
      slice = static_cast<std::size_t>(std::min<std::uint64_t>(slice, cap.slice_bytes()));
    co_await pace(stream.get_executor(), cap, slice);
    ssize_t got = ::pread(fd, buffer.get(), slice, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) {
      if (cap.enabled()) cap.refund(slice);
      continue;
    }
    if (cap.enabled() && static_cast<std::size_t>(std::max<ssize_t>(got, 0)) < slice)
      cap.refund(slice - static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
    if (got == 0) co_return http::error::short_read;  // the file shrank under us
    if (got < 0) co_return beast::error_code(errno, beast::system_category());
    stream.expires_after(stall_timeout);
    auto [wec, wn] = co_await asio::async_write(
        stream, asio::buffer(buffer.get(), static_cast<std::size_t>(got)),
        asio::as_tuple(asio::use_awaitable));
    if (wec) co_return wec;
    offset += static_cast<std::uint64_t>(got);
    left -= static_cast<std::uint64_t>(got);
  }
  co_return beast::error_code{};
}

}  // namespace circlecdn::origin
