#pragma once
// Puts an origin reply on the wire. Plain TCP: the header and a body in memory in one sendmsg
// (a small body read from a descriptor joins them: one TCP segment), a larger descriptor body
// with sendfile(2), the header sent with MSG_MORE so it shares the first segment. TLS: the same
// bytes through one bounded buffer into SSL_write. Both under the origin's upload cap.
#include <chrono>

#include "core/net.hpp"
#include "net/async_stream.hpp"
#include "origin/reply.hpp"
#include "origin/upload_cap.hpp"

namespace circlecdn::origin {

// Each wait for the socket to take more bytes ends after stall_timeout (a stalled peer).
asio::awaitable<beast::error_code> write_reply(beast::tcp_stream& stream, const reply& r,
                                               std::chrono::seconds stall_timeout, upload_cap& cap);
asio::awaitable<beast::error_code> write_reply(net::async_stream& stream, const reply& r,
                                               std::chrono::seconds stall_timeout, upload_cap& cap);

}  // namespace circlecdn::origin
