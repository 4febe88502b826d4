#pragma once
// The static origin: GET and HEAD for the site's files, with ETag = content hash, conditional
// requests, single ranges, MIME types and index.html for directories; files the manifest caches
// are answered from memory or a cached descriptor (origin/cached_response.hpp).
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>

#include "core/content_hash.hpp"
#include "core/net.hpp"
#include "manifest/store.hpp"
#include "origin/cached_response.hpp"
#include "origin/file_range_body.hpp"

namespace circlecdn::origin {

// A response carrying a file's bytes (200 or 206 to GET). Kept as its own type, not erased into a
// message_generator, so a plain-TCP session can write the header and then hand the body's byte
// range to sendfile(2); anything else (TLS, tests) can still serialise it like any Beast message.
using file_response = http::response<file_range_body>;

// Any answer of the origin: a Beast message, a file body the session may sendfile, or an answer
// from the cache that the session writes as it is.
using response = std::variant<http::message_generator, file_response, cached_response>;

struct static_result {
  response message;
  std::optional<content_hash> served;  // the hash of a whole 200 body, to record per visitor
};

// Any kind of response as a message_generator (for callers that do not write it themselves).
http::message_generator to_generator(response&& m);

class static_handler {
 public:
  static_handler(std::filesystem::path root, manifest::store& manifest);

  // Answers any request for a site file: 405 for methods other than GET/HEAD, 400/403/404/414
  // for hostile or missing targets. extra_headers go on every response (e.g. Set-Cookie).
  // Not thread-safe (it keeps the cache's header blocks): one handler per io thread.
  static_result handle(const http::request<http::string_body>& req,
                       std::span<const std::pair<http::field, std::string>> extra_headers);

 private:
  std::optional<static_result> from_cache(
      const http::request<http::string_body>& req, const std::string& url,
      std::span<const std::pair<http::field, std::string>> extra_headers);

  std::filesystem::path root_;  // canonical
  manifest::store& manifest_;
  // Header blocks by request path ("/a.png", "/docs/"), for the snapshot they were built from;
  // emptied when another snapshot is published. At most two per cached file.
  std::shared_ptr<const manifest::snapshot> prepared_snapshot_;
  std::unordered_map<std::string, std::shared_ptr<const prepared_file>, manifest::path_hash,
                     std::equal_to<>>
      prepared_;
};

}  // namespace circlecdn::origin
