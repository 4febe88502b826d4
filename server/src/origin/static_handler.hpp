#pragma once
// The static origin: GET and HEAD for the site's files, with ETag = content hash, conditional
// requests, single ranges, MIME types and index.html for directories.
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>

#include "core/content_hash.hpp"
#include "core/net.hpp"
#include "manifest/store.hpp"
#include "origin/file_range_body.hpp"

namespace circlecdn::origin {

// A response carrying a file's bytes (200 or 206 to GET). Kept as its own type, not erased into a
// message_generator, so a plain-TCP session can write the header and then hand the body's byte
// range to sendfile(2); anything else (TLS, tests) can still serialise it like any Beast message.
using file_response = http::response<file_range_body>;

struct static_result {
  std::variant<http::message_generator, file_response> message;
  std::optional<content_hash> served;  // the content hash sent (200/206/304), to record per peer
};

// Either kind of response as a message_generator (for callers that do not sendfile).
http::message_generator to_generator(std::variant<http::message_generator, file_response>&& m);

class static_handler {
 public:
  static_handler(std::filesystem::path root, manifest::store& manifest);

  // Answers any request for a site file: 405 for methods other than GET/HEAD, 400/403/404/414
  // for hostile or missing targets. extra_headers go on every response (e.g. Set-Cookie).
  static_result handle(const http::request<http::string_body>& req,
                       std::span<const std::pair<http::field, std::string>> extra_headers) const;

 private:
  std::filesystem::path root_;  // canonical
  manifest::store& manifest_;
};

}  // namespace circlecdn::origin
