#pragma once
// The origin's fast path: answers for files the manifest holds in its open-file cache. Each file's
// header block is built once per snapshot, so a request for a known path makes no file-system
// call and a small file goes out as one write from memory (docs/origin.md, "The open-file cache").
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/content_hash.hpp"
#include "core/net.hpp"
#include "manifest/store.hpp"

namespace circlecdn::origin {

// What every answer about one cached file shares: its data and its header blocks, each missing
// only the per-request lines and the blank line that ends the header.
struct prepared_file {
  std::shared_ptr<const manifest::cached_file> data;
  content_hash hash;
  std::uint64_t size = 0;
  std::string etag;          // "\"<sha256 hex>\""
  std::string content_type;  // for 206 headers, built per request
  std::string ok;            // "HTTP/1.1 200 OK\r\n" ... "Content-Length: <size>\r\n"
  std::string not_modified;  // "HTTP/1.1 304 Not Modified\r\n" ... "ETag: ...\r\n"
};

// Builds the header blocks for an entry that has a cache (HTTP/1.1, the same fields as the
// general path).
std::shared_ptr<const prepared_file> prepare(const manifest::file_entry& entry,
                                             std::string_view content_type);

// One answer from the cache. Written as head + tail (+ the bytes in memory) in one sendmsg, then,
// for a descriptor, `length` bytes from `offset` with sendfile.
struct cached_response {
  std::shared_ptr<const prepared_file> file;  // keeps the bytes or the descriptor alive
  std::string_view head;                      // file->ok or file->not_modified
  std::string tail;                           // per-request header lines and the final CRLF
  std::string_view body;                      // the bytes in memory (empty for HEAD and 304)
  int fd = -1;                                // a cached descriptor to send from, or -1
  std::uint64_t offset = 0;                   // where in fd the body starts
  std::uint64_t length = 0;                   // bytes to send from fd
  bool keep_alive = true;
  bool omits_body = false;  // a 200 to HEAD: Content-Length without the bytes
};

// The answer for a GET or HEAD; not_modified for a matching If-None-Match. extra lines go on it.
cached_response answer(std::shared_ptr<const prepared_file> file, bool is_get, bool not_modified,
                       bool keep_alive,
                       std::span<const std::pair<http::field, std::string>> extra_headers);

// The answer for a GET with one satisfiable range [first, first + length): 206.
cached_response partial_answer(std::shared_ptr<const prepared_file> file, std::uint64_t first,
                               std::uint64_t length, bool keep_alive,
                               std::span<const std::pair<http::field, std::string>> extra_headers);

// The answer for a GET whose range starts past the end: 416 with "Content-Range: bytes */size".
cached_response unsatisfiable_answer(
    std::shared_ptr<const prepared_file> file, bool keep_alive,
    std::span<const std::pair<http::field, std::string>> extra_headers);

// The same answer as a Beast message, byte for byte, for callers that do not write it themselves
// (tests, a TLS stream). Reads a descriptor body into memory.
http::message_generator to_generator(const cached_response& res);

}  // namespace circlecdn::origin
