#pragma once
// The static origin: GET and HEAD for the site's files, with ETag = content hash, conditional
// requests, single ranges, MIME types and index.html for directories.
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "core/content_hash.hpp"
#include "core/net.hpp"
#include "manifest/store.hpp"

namespace circlecdn::origin {

struct static_result {
  http::message_generator message;
  std::optional<content_hash> served;  // the content hash sent (200/206/304), to record per peer
};

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
