#pragma once
// The origin's one decision: a request and the representation it asks for (a file's bytes, or
// their gzip or brotli form) become a response plan: status, the bytes of the body, and the header
// fields. Pure: no I/O, no clock. Two renderers turn a plan into bytes on the wire, one from the
// open-file cache and one from a file opened for this request (origin/render.hpp); both write
// their headers with write_head(), so they cannot disagree.
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/net.hpp"

namespace circlecdn::origin {

// What the origin reads of a GET or HEAD request.
struct request_facts {
  bool head = false;  // HEAD: the headers a GET would get, without the body
  std::optional<std::string_view> if_none_match, if_modified_since, range, if_range;

  static request_facts of(const http::request<http::string_body>& req);
};

// One representation of a file: its identity bytes, or one encoded form of them.
struct representation {
  std::uint64_t size = 0;  // of these bytes (the encoded size for gzip/br)
  std::string_view etag;   // quoted, distinct per encoding; empty when the bytes on disk
                           // are not the ones the manifest hashed (no validator then)
  std::string_view content_type;
  std::string_view cache_control;
  std::string_view content_encoding;         // "gzip", "br", or empty for identity
  bool vary_encoding = false;                // other encodings exist: `Vary: Accept-Encoding`
  std::optional<std::time_t> last_modified;  // seconds; none for an unknown version
};

struct response_plan {
  http::status status = http::status::ok;  // 200, 206, 304 or 416
  std::uint64_t first = 0;  // the body is [first, first + length) of the representation
  std::uint64_t length = 0;
  bool send_body = false;            // false: HEAD, 304, 416
  std::uint64_t content_length = 0;  // the header (HEAD: what a GET would carry)
  // Only a whole 200 body to a GET is a copy the visitor could serve to peers.
  bool whole_body_sent = false;
};

// RFC 9110 §13.2.2's order: If-None-Match (or, without it, If-Modified-Since) first, then Range
// under If-Range. HEAD ignores Range. A range of an encoded representation is refused (full 200):
// the handler answers Range requests from the identity form, so this is only a safety net.
response_plan plan_response(const request_facts& req, const representation& rep);

// The status line and every header field the plan implies, without Date, the caller's extra
// fields, Connection and the final CRLF (write_request_lines adds those).
void write_head(std::string& out, unsigned version, const response_plan& plan,
                const representation& rep);

// The per-request lines: Date, the caller's extra fields, Connection when it differs from the
// version's default, and the blank line.
void write_request_lines(std::string& out, unsigned version, bool keep_alive,
                         std::span<const std::pair<http::field, std::string>> extra);

}  // namespace circlecdn::origin
