#include "origin/cached_response.hpp"

#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "core/http_date.hpp"

namespace circlecdn::origin {

namespace {

// The same values the general path sets (static_handler.cpp); a test compares both paths.
constexpr std::string_view common_fields =
    "Server: circlecdn\r\n"
    "Accept-Ranges: bytes\r\n"
    "Cache-Control: public, max-age=0, must-revalidate\r\n"
    "X-Content-Type-Options: nosniff\r\n";

void append_request_lines(std::string& out, bool keep_alive,
                          std::span<const std::pair<http::field, std::string>> extra_headers) {
  out.append("Date: ").append(http_date_now()).append("\r\n");
  for (const auto& [field, value] : extra_headers)
    out.append(http::to_string(field)).append(": ").append(value).append("\r\n");
  if (!keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
}

}  // namespace

std::shared_ptr<const prepared_file> prepare(const manifest::file_entry& entry,
                                             std::string_view content_type) {
  auto p = std::make_shared<prepared_file>();
  p->data = entry.cache;
  p->hash = entry.sha256;
  p->size = entry.size;
  p->etag = "\"" + entry.sha256.hex() + "\"";
  p->content_type = content_type;
  const std::string etag_line = "ETag: " + p->etag + "\r\n";
  p->ok.reserve(256);
  p->ok.append("HTTP/1.1 200 OK\r\n").append(common_fields).append(etag_line);
  p->ok.append("Content-Type: ").append(content_type).append("\r\n");
  p->ok.append("Content-Length: ").append(std::to_string(entry.size)).append("\r\n");
  p->not_modified.append("HTTP/1.1 304 Not Modified\r\n").append(common_fields).append(etag_line);
  return p;
}

cached_response answer(std::shared_ptr<const prepared_file> file, bool is_get, bool not_modified,
                       bool keep_alive,
                       std::span<const std::pair<http::field, std::string>> extra_headers) {
  cached_response r;
  r.head = not_modified ? std::string_view(file->not_modified) : std::string_view(file->ok);
  append_request_lines(r.tail, keep_alive, extra_headers);
  r.omits_body = !is_get && !not_modified;
  if (is_get && !not_modified) {
    if (file->data->in_memory()) {
      r.body = file->data->bytes();
    } else {
      r.fd = file->data->fd();
      r.length = file->size;
    }
  }
  r.keep_alive = keep_alive;
  r.file = std::move(file);
  return r;
}

// Ranges are per request, so their whole header is built here, in `tail` (head stays empty).
cached_response partial_answer(std::shared_ptr<const prepared_file> file, std::uint64_t first,
                               std::uint64_t length, bool keep_alive,
                               std::span<const std::pair<http::field, std::string>> extra_headers) {
  cached_response r;
  r.tail.reserve(320);
  r.tail.append("HTTP/1.1 206 Partial Content\r\n").append(common_fields);
  r.tail.append("ETag: ").append(file->etag).append("\r\n");
  r.tail.append("Content-Type: ").append(file->content_type).append("\r\n");
  r.tail.append("Content-Range: bytes ")
      .append(std::to_string(first))
      .append("-")
      .append(std::to_string(first + length - 1))
      .append("/")
      .append(std::to_string(file->size))
      .append("\r\n");
  r.tail.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
  append_request_lines(r.tail, keep_alive, extra_headers);
  if (file->data->in_memory()) {
    r.body = std::string_view(file->data->bytes())
                 .substr(static_cast<std::size_t>(first), static_cast<std::size_t>(length));
  } else {
    r.fd = file->data->fd();
    r.offset = first;
    r.length = length;
  }
  r.keep_alive = keep_alive;
  r.file = std::move(file);
  return r;
}

cached_response unsatisfiable_answer(
    std::shared_ptr<const prepared_file> file, bool keep_alive,
    std::span<const std::pair<http::field, std::string>> extra_headers) {
  cached_response r;
  r.tail.append("HTTP/1.1 416 Range Not Satisfiable\r\n").append(common_fields);
  r.tail.append("ETag: ").append(file->etag).append("\r\n");
  r.tail.append("Content-Range: bytes */").append(std::to_string(file->size)).append("\r\n");
  r.tail.append("Content-Length: 0\r\n");
  append_request_lines(r.tail, keep_alive, extra_headers);
  r.keep_alive = keep_alive;
  r.file = std::move(file);
  return r;
}

http::message_generator to_generator(const cached_response& res) {
  std::string raw;
  raw.append(res.head).append(res.tail).append(res.body);
  const auto header_bytes = raw.size();
  raw.resize(header_bytes + res.length);
  for (std::uint64_t done = 0; done < res.length;) {
    const ssize_t n = ::pread(res.fd, raw.data() + header_bytes + done, res.length - done,
                              static_cast<off_t>(res.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cached file shrank or failed to read");
    done += static_cast<std::uint64_t>(n);
  }
  http::response_parser<http::string_body> parser;
  // A 200 to HEAD carries Content-Length but no body; nothing else here has a body it omits.
  parser.skip(res.omits_body);
  parser.eager(true);  // header and body in one put()
  parser.body_limit(boost::none);
  beast::error_code ec;
  parser.put(asio::buffer(raw), ec);
  if (ec == http::error::need_more) parser.put_eof(ec);
  if (ec || !parser.is_done()) throw beast::system_error(ec ? ec : http::error::partial_message);
  return http::message_generator(parser.release());
}

}  // namespace circlecdn::origin
