#pragma once
// A rendered answer about a file: header bytes and a body taken from a cached_file, ready for
// origin/reply_writer.hpp to put on the wire with sendmsg and sendfile (or through TLS).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "origin/cached_file.hpp"

namespace circlecdn::origin {

struct reply {
  std::shared_ptr<const void> keep;         // keeps `head` alive (a prepared header block)
  std::string_view head;                    // a prepared header block, or empty
  std::string tail;                         // the rest of the header, ending in the blank line
  std::shared_ptr<const cached_file> body;  // null when no body is sent (HEAD, 304, 416)
  std::uint64_t offset = 0;                 // the body is [offset, offset + length) of `body`
  std::uint64_t length = 0;
  bool keep_alive = true;
  bool omits_body = false;  // a 200 to HEAD: Content-Length without the bytes (for parsers)

  // The body bytes when the file is in memory; empty otherwise.
  std::string_view memory_body() const {
    if (!body || !body->in_memory()) return {};
    return std::string_view(body->bytes())
        .substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
  }
  // The descriptor to send from, or -1 (no body, or one in memory).
  int fd() const { return body && !body->in_memory() && length > 0 ? body->fd() : -1; }
};

// The whole reply as bytes, reading a descriptor's part with pread (tests, and callers that
// need a Beast message).
std::string to_bytes(const reply& r);

}  // namespace circlecdn::origin
