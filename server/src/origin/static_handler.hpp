#pragma once
// The static origin: GET and HEAD for the site's files, with ETag = content hash, conditional
// requests, single ranges, MIME types, index.html for directories, Cache-Control by path and
// gzip/brotli for text. Every answer about a file
// is one decision (origin/response_plan.hpp) rendered from memory (files in the open-file cache,
// origin/open_file_cache.hpp) or from a file opened for the request (origin/render.hpp).
#include <filesystem>
#include <functional>
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
#include "origin/accept_encoding.hpp"
#include "origin/cache_policy.hpp"
#include "origin/compression.hpp"
#include "origin/open_file_cache.hpp"
#include "origin/render.hpp"
#include "origin/reply.hpp"

namespace circlecdn::origin {

// Any answer of the origin: a file's reply, which the session writes with sendmsg and sendfile
// (origin/reply_writer.hpp), or a Beast message (errors, redirects, the /.circlecdn/ routes).
using response = std::variant<reply, http::message_generator>;

struct static_result {
  response message;
  std::optional<content_hash> served;  // the hash of a whole 200 body, to record per visitor
  bool from_memory = false;  // answered from memory: the open-file cache or an encoded form
  bool cookie_set = false;   // the new visitor's cookie went on this (HTML) response
};

// Any kind of response as a message_generator (tests, callers that do not write it themselves).
http::message_generator to_generator(response&& m);

class static_handler {
 public:
  using request_type = http::request<http::string_body>;

  static_handler(std::filesystem::path root, manifest::store& manifest, cache_policy policy = {},
                 cache_limits limits = {});

  // Answers any request for a site file: 405 for methods other than GET/HEAD, 400/403/404/414
  // for hostile or missing targets. new_cookie (a Set-Cookie value, for a visitor without one)
  // goes only on an HTML answer, which is then `private` so no shared cache keeps the cookie.
  // Not thread-safe (it owns the caches): one handler per io thread.
  static_result handle(const http::request<http::string_body>& req,
                       std::string_view new_cookie = {});

  // GET or HEAD /.circlecdn/manifest.json: the current snapshot's JSON under the same rules as a
  // file (origin/manifest_answer.cpp): no-cache, a weak ETag of its content, gzip or brotli, and
  // new_cookie (then `private`), since a page whose HTML came from a shared cache gets its
  // visitor id here.
  static_result manifest(const request_type& req, std::string_view new_cookie = {});

  const open_file_cache& cache() const { return cache_; }
  const encoded_cache& encoded() const { return encoded_; }

 private:
  using request = http::request<http::string_body>;
  std::optional<static_result> from_cache(const request& req, const std::string& url,
                                          std::string_view new_cookie);
  static_result answer_from_memory(const request& req,
                                   std::shared_ptr<const prepared_file> prepared,
                                   const content_hash& hash, std::string_view new_cookie);
  // The `coding` form of a hashed file, prepared for rendering; null when it would not be smaller.
  std::shared_ptr<const prepared_file> encoded_form(
      std::string_view file, const manifest::file_entry& entry, content_coding coding,
      const std::function<bool(std::string&)>& read_identity);
  void describe(owned_representation& rep, std::string_view url, const manifest::file_entry* entry,
                const manifest::file_info& version, content_coding coding,
                std::uint64_t size) const;
  void follow(std::shared_ptr<const manifest::snapshot> snap);

  std::filesystem::path root_;  // canonical
  manifest::store& manifest_;
  cache_policy policy_;
  open_file_cache cache_;
  encoded_cache encoded_;
  // Header blocks by file path (and "path\ncoding" for encoded forms), for the snapshot they were
  // built from; emptied when another snapshot is published.
  std::shared_ptr<const manifest::snapshot> snapshot_;
  std::unordered_map<std::string, std::shared_ptr<const prepared_file>, manifest::path_hash,
                     std::equal_to<>>
      prepared_;
  content_hash manifest_body_hash_;  // of the current snapshot's JSON, once it was asked for
};

}  // namespace circlecdn::origin
