// The static origin. Decisions (see docs/origin.md): a directory URL without its trailing slash is
// redirected (301) so relative links in its index.html resolve; a directory serves its index.html;
// dotfiles are 404; a path whose real location (symlinks resolved) is outside the root is 403;
// anything but a regular file is 404; caching is "revalidate every time" with the content hash as
// ETag, so a changed file is never served stale and an unchanged one costs a 304. A file in the
// manifest's open-file cache is answered from it while the watcher vouches for the cache; the
// general path below is the reference the fast path must agree with.
#include "origin/static_handler.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>
#include <system_error>

#include "core/http_date.hpp"
#include "manifest/file_info.hpp"
#include "manifest/visibility.hpp"
#include "origin/file_range_body.hpp"
#include "origin/mime.hpp"
#include "origin/range.hpp"
#include "origin/target.hpp"

namespace circlecdn::origin {

namespace fs = std::filesystem;

namespace {

using request = http::request<http::string_body>;
using headers_span = std::span<const std::pair<http::field, std::string>>;

// Browsers may reuse a copy only after asking; the ETag (content hash) makes asking cheap (304).
// A max-age would let a visitor run a stale file for that long after the operator changed it, and
// the manifest the page checks pieces against would disagree with the cached copy.
constexpr std::string_view cache_control_value = "public, max-age=0, must-revalidate";
constexpr std::string_view server_name = "circlecdn";
constexpr std::string_view allowed_methods = "GET, HEAD";

template <class Body>
void set_common(http::response<Body>& res, const request& req, headers_span extra) {
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  res.set(http::field::server, server_name);
  res.set(http::field::date, http_date_now());
  for (const auto& [field, value] : extra) res.insert(field, value);
}

static_result text_response(
    const request& req, headers_span extra, http::status status, std::string_view text,
    std::initializer_list<std::pair<http::field, std::string_view>> more_headers = {}) {
  const std::string body = std::string(text) + "\n";
  auto finish = [&](auto& res) {
    set_common(res, req, extra);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set("X-Content-Type-Options", "nosniff");
    for (const auto& [field, value] : more_headers) res.set(field, value);
  };
  if (req.method() == http::verb::head) {  // same headers, no body
    http::response<http::empty_body> res{status, req.version()};
    finish(res);
    res.content_length(body.size());
    return {http::message_generator(std::move(res)), std::nullopt};
  }
  http::response<http::string_body> res{status, req.version(), body};
  finish(res);
  res.prepare_payload();
  return {http::message_generator(std::move(res)), std::nullopt};
}

bool inside(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

// Percent-encodes a decoded URL path for a Location header: everything except RFC 3986
// unreserved, sub-delims, ':', '@' and '/'.
std::string encode_path(std::string_view path) {
  static constexpr std::string_view keep = "-._~!$&'()*+,;=:@/";
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        keep.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match: "*" or a list of entity tags, compared weakly (RFC 9110 §13.1.2).
bool none_match_hits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto tag = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (!etag.empty() && tag == etag) return true;
  }
  return false;
}

// If-Range with an entity tag: the range applies only to the representation the client holds
// (strong comparison). A date, or no ETag of ours, means "send it all".
bool if_range_allows(const request& req, std::string_view etag) {
  const auto it = req.find(http::field::if_range);
  if (it == req.end()) return true;
  return !etag.empty() && trim(it->value()) == etag;
}

struct fd_owner {
  int fd = -1;
  ~fd_owner() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

}  // namespace

static_handler::static_handler(fs::path root, manifest::store& manifest) : manifest_(manifest) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec) root_ = fs::weakly_canonical(root, ec);  // missing for now: every request is a 404
  if (ec) root_ = std::move(root);
}

std::optional<static_result> static_handler::from_cache(const request& req, const std::string& url,
                                                        headers_span extra) {
  // The fast path covers what browsers and the client library send (single ranges for pieces
  // included); HTTP/1.0 takes the general path.
  if (req.version() != 11) return std::nullopt;
  auto snap = manifest_.current();
  if (snap != prepared_snapshot_) {
    prepared_.clear();
    prepared_snapshot_ = std::move(snap);
  }
  auto it = prepared_.find(url);
  if (it == prepared_.end()) {
    const std::string file = url.back() == '/' ? url + "index.html" : url;
    const auto* entry = prepared_snapshot_->find(file);
    if (!entry || !entry->cache) return std::nullopt;
    it = prepared_.emplace(url, prepare(*entry, mime_type(file))).first;
  }
  const auto& file = it->second;
  const bool is_get = req.method() == http::verb::get;
  const auto inm = req.find(http::field::if_none_match);
  const bool not_modified = inm != req.end() && none_match_hits(inm->value(), file->etag);
  // Only a whole body counts as served: a 304 or a one-byte range gives the visitor nothing it
  // could serve to peers.
  std::optional<content_hash> served;
  if (is_get && !not_modified) served = file->hash;
  // As the general path: If-None-Match first, HEAD ignores Range, If-Range must match the ETag.
  if (is_get && !not_modified) {
    if (const auto r = req.find(http::field::range);
        r != req.end() && if_range_allows(req, file->etag)) {
      const auto range = parse_range(r->value(), file->size);
      if (range.kind == range_kind::unsatisfiable)
        return static_result{unsatisfiable_answer(file, req.keep_alive(), extra), std::nullopt};
      if (range.kind == range_kind::single)
        return static_result{
            partial_answer(file, range.range.first, range.range.length, req.keep_alive(), extra),
            std::nullopt};
    }
  }
  return static_result{answer(file, is_get, not_modified, req.keep_alive(), extra), served};
}

static_result static_handler::handle(const request& req, headers_span extra) {
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return text_response(req, extra, http::status::method_not_allowed, "method not allowed",
                         {{http::field::allow, allowed_methods}});

  auto normalised = normalise_target(req.target());
  if (const auto* err = std::get_if<target_error>(&normalised)) {
    switch (*err) {
      case target_error::bad_request:
        return text_response(req, extra, http::status::bad_request, "bad request target");
      case target_error::forbidden:
        return text_response(req, extra, http::status::forbidden, "forbidden");
      case target_error::uri_too_long:
        return text_response(req, extra, http::status::uri_too_long, "request target too long");
    }
  }
  std::string url = std::get<std::string>(std::move(normalised));
  const auto not_found = [&] {
    return text_response(req, extra, http::status::not_found, "not found");
  };
  if (!manifest::is_public_path(url)) return not_found();
  if (manifest_.cache_trusted()) {
    if (auto cached = from_cache(req, url, extra)) return std::move(*cached);
  }

  // Resolve every symlink, then check the real path is still under the root: this covers links
  // in intermediate directories, which O_NOFOLLOW alone would not.
  std::error_code ec;
  fs::path real = fs::canonical(root_ / std::string_view(url).substr(1), ec);
  if (ec) return not_found();
  if (!inside(root_, real)) return text_response(req, extra, http::status::forbidden, "forbidden");
  if (fs::is_directory(fs::status(real, ec))) {
    if (url.back() != '/') {
      std::string location = encode_path(url) + "/";
      const auto target = std::string_view(req.target());
      if (const auto q = target.find('?'); q != std::string_view::npos)
        location += target.substr(q);
      return text_response(req, extra, http::status::moved_permanently, "moved permanently",
                           {{http::field::location, location}});
    }
    url += "index.html";
    real = fs::canonical(real / "index.html", ec);
    if (ec) return not_found();
    if (!inside(root_, real))
      return text_response(req, extra, http::status::forbidden, "forbidden");
  }

  // The real path has no symlinks left; O_NOFOLLOW turns a link swapped in since into an error,
  // O_NONBLOCK keeps a FIFO swapped in from blocking the open.
  fd_owner file{::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
  if (file.fd < 0) return not_found();
  const auto info = manifest::file_info_of(file.fd);
  if (!info || !info->regular) return not_found();

  // ETag only when the bytes on disk are the ones the manifest hashed.
  std::optional<content_hash> hash;
  std::string etag;
  const auto snap = manifest_.current();
  if (const auto* entry = snap->find(url); entry && entry->version.same_version(*info)) {
    hash = entry->sha256;
    etag = "\"" + entry->sha256.hex() + "\"";
  }
  const bool is_get = req.method() == http::verb::get;
  const std::string_view content_type = mime_type(url);

  auto file_headers = [&](auto& res) {
    set_common(res, req, extra);
    res.set(http::field::accept_ranges, "bytes");
    res.set(http::field::cache_control, cache_control_value);
    res.set("X-Content-Type-Options", "nosniff");
    if (!etag.empty()) res.set(http::field::etag, etag);
  };

  if (const auto inm = req.find(http::field::if_none_match);
      inm != req.end() && none_match_hits(inm->value(), etag)) {
    http::response<http::empty_body> res{http::status::not_modified, req.version()};
    file_headers(res);
    return {http::message_generator(std::move(res)), std::nullopt};
  }

  if (!is_get) {
    http::response<http::empty_body> res{http::status::ok, req.version()};
    file_headers(res);
    res.set(http::field::content_type, content_type);
    res.content_length(info->size);
    return {http::message_generator(std::move(res)), std::nullopt};
  }

  range_request range;
  if (const auto r = req.find(http::field::range); r != req.end() && if_range_allows(req, etag))
    range = parse_range(r->value(), info->size);

  if (range.kind == range_kind::unsatisfiable) {
    http::response<http::empty_body> res{http::status::range_not_satisfiable, req.version()};
    file_headers(res);
    res.set(http::field::content_range, "bytes */" + std::to_string(info->size));
    res.content_length(0);
    return {http::message_generator(std::move(res)), std::nullopt};
  }

  if (range.kind == range_kind::single) {
    const auto& [first, length] = range.range;
    file_range_body::value_type body;
    body.reset(file.release(), first, length);
    http::response<file_range_body> res{
        std::piecewise_construct, std::make_tuple(std::move(body)),
        std::make_tuple(http::status::partial_content, req.version())};
    file_headers(res);
    res.set(http::field::content_type, content_type);
    res.set(http::field::content_range, "bytes " + std::to_string(first) + "-" +
                                            std::to_string(first + length - 1) + "/" +
                                            std::to_string(info->size));
    res.content_length(length);
    return {std::move(res), std::nullopt};
  }

  // The whole file through the same pread() body as a range: 64 KiB per read instead of
  // http::file_body's 4 KiB (measured 5x the CPU per 100 KiB response, docs/benchmarks.md).
  file_range_body::value_type body;
  body.reset(file.release(), 0, info->size);
  http::response<file_range_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                      std::make_tuple(http::status::ok, req.version())};
  file_headers(res);
  res.set(http::field::content_type, content_type);
  res.content_length(info->size);
  // Only this whole 200 body is recorded as served: HEAD, a 304 or a range gave the visitor
  // nothing it could serve to peers.
  return {std::move(res), hash};
}

http::message_generator to_generator(response&& m) {
  if (auto* file = std::get_if<file_response>(&m)) return http::message_generator(std::move(*file));
  if (auto* cached = std::get_if<cached_response>(&m)) return to_generator(*cached);
  return std::move(std::get<http::message_generator>(m));
}

}  // namespace circlecdn::origin
