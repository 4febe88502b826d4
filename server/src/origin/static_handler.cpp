// The static origin. Decisions (see docs/origin.md): a directory URL without its trailing slash is
// redirected (301) so relative links in its index.html resolve; a directory serves its index.html;
// dotfiles are 404; a path whose real location (symlinks resolved) is outside the root is 403;
// anything but a regular file is 404; Cache-Control comes from the operator's rules or the defaults
// (origin/cache_policy.hpp), the ETag is the content hash (per coding), text is sent as gzip or
// brotli when the client accepts it and it saves bytes (origin/compression.hpp). A file in the
// open-file cache is answered from it while the watcher vouches for the manifest; otherwise from
// disk, which also fills the cache. Both answer with the same plan (origin/response_plan.hpp).
#include "origin/static_handler.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <string_view>
#include <system_error>

#include "core/http_date.hpp"
#include "manifest/file_info.hpp"
#include "manifest/visibility.hpp"
#include "origin/accept_encoding.hpp"
#include "origin/mime.hpp"
#include "origin/target.hpp"

namespace circlecdn::origin {

namespace fs = std::filesystem;

namespace {

using request = http::request<http::string_body>;
using headers_span = std::span<const std::pair<http::field, std::string>>;

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

struct fd_owner {
  int fd = -1;
  ~fd_owner() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

std::optional<std::time_t> seconds_of(const manifest::file_info& v) {
  return static_cast<std::time_t>(v.mtime_ns / 1'000'000'000);
}

bool is_html(std::string_view content_type) {
  return content_type.starts_with("text/html");
}

// The coding this request gets: none for a Range (answered from the identity bytes, so offsets
// mean what the client thinks), for a file whose bytes the manifest has not hashed (the encoded
// forms are kept by hash), or for a type that is not text.
content_coding negotiate(const request& req, bool known, bool compressible) {
  if (!known || !compressible) return content_coding::identity;
  if (req.method() == http::verb::get && req.find(http::field::range) != req.end())
    return content_coding::identity;
  const auto ae = req.find(http::field::accept_encoding);
  return ae == req.end() ? content_coding::identity : choose_coding(ae->value());
}

// Reads a whole file (a cached descriptor, or one opened for the request) for compressing it.
bool read_whole(int fd, std::uint64_t size, std::string& out) {
  out.resize(static_cast<std::size_t>(size));
  for (std::size_t done = 0; done < out.size();) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

void static_handler::describe(owned_representation& rep, std::string_view url,
                              const manifest::file_entry* entry, const manifest::file_info& version,
                              content_coding coding, std::uint64_t size) const {
  rep.fields.size = size;
  rep.fields.content_type = mime_type(url);
  rep.fields.content_encoding = coding_name(coding);
  rep.fields.vary_encoding = is_compressible(rep.fields.content_type);
  rep.fields.last_modified = seconds_of(version);
  rep.etag.clear();
  if (entry) {
    rep.etag.append("\"").append(entry->sha256.hex());
    if (coding != content_coding::identity) rep.etag.append("-").append(coding_name(coding));
    rep.etag.append("\"");
  }
  rep.cache_control = policy_.for_path(url);
  rep.bind();
}

static_handler::static_handler(fs::path root, manifest::store& manifest, cache_policy policy,
                               cache_limits limits)
    : manifest_(manifest), policy_(std::move(policy)), cache_(limits) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec) root_ = fs::weakly_canonical(root, ec);  // missing for now: every request is a 404
  if (ec) root_ = std::move(root);
}

void static_handler::follow(std::shared_ptr<const manifest::snapshot> snap) {
  if (snap == snapshot_) return;
  cache_.prune(*snap);
  prepared_.clear();
  snapshot_ = std::move(snap);
}

std::shared_ptr<const prepared_file> static_handler::encoded_form(
    std::string_view file, const manifest::file_entry& entry, content_coding coding,
    const std::function<bool(std::string&)>& read_identity) {
  std::string key(file);
  key.append("\n").append(coding_name(coding));
  if (const auto it = prepared_.find(key); it != prepared_.end()) return it->second;
  auto form = encoded_.get(entry.sha256, coding, entry.size, read_identity);
  if (!form) return nullptr;  // not smaller, or too big: the identity bytes go out
  auto p = std::make_shared<prepared_file>();
  describe(p->rep, file, &entry, entry.version, coding, form->bytes().size());
  p->data = std::move(form);
  p->hash = entry.sha256;
  return prepared_.emplace(std::move(key), prepare(std::move(p))).first->second;
}

static_result static_handler::answer_from_memory(const request& req,
                                                 std::shared_ptr<const prepared_file> prepared,
                                                 const content_hash& hash,
                                                 std::string_view new_cookie) {
  const auto plan = plan_response(request_facts::of(req), prepared->rep.fields);
  static_result result;
  std::vector<std::pair<http::field, std::string>> extra;
  std::string_view cache_control;
  if (!new_cookie.empty() && is_html(prepared->rep.fields.content_type)) {
    extra.emplace_back(http::field::set_cookie, new_cookie);
    cache_control = private_cache_control;
    result.cookie_set = true;
  }
  if (plan.whole_body_sent) result.served = hash;
  result.message = render_from_memory(plan, std::move(prepared), req.version(), req.keep_alive(),
                                      extra, cache_control);
  result.from_memory = true;
  return result;
}

std::optional<static_result> static_handler::from_cache(const request& req, const std::string& url,
                                                        std::string_view new_cookie) {
  follow(manifest_.current());
  std::string index;
  std::string_view file = url;
  if (url.back() == '/') file = index = url + "index.html";
  auto it = prepared_.find(file);
  if (it == prepared_.end()) {
    const auto* entry = snapshot_->find(file);
    if (!entry) return std::nullopt;
    auto data = cache_.find(*entry);
    if (!data) return std::nullopt;
    auto p = std::make_shared<prepared_file>();
    describe(p->rep, file, entry, entry->version, content_coding::identity, entry->size);
    p->data = std::move(data);
    p->hash = entry->sha256;
    it = prepared_.emplace(std::string(file), prepare(std::move(p))).first;
  }
  auto prepared = it->second;
  // Only text has encoded forms (vary_encoding): the other requests never look at the header.
  const auto coding = negotiate(req, true, prepared->rep.fields.vary_encoding);
  if (coding != content_coding::identity) {
    const auto* entry = snapshot_->find(file);
    const auto& data = prepared->data;
    auto form = encoded_form(file, *entry, coding, [&data, entry](std::string& out) {
      if (data->in_memory()) return out = data->bytes(), true;
      return read_whole(data->fd(), entry->size, out);
    });
    if (form) prepared = std::move(form);
  }
  const auto hash = prepared->hash;
  return answer_from_memory(req, std::move(prepared), hash, new_cookie);
}

static_result static_handler::handle(const request& req, std::string_view new_cookie) {
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return text_response(req, {}, http::status::method_not_allowed, "method not allowed",
                         {{http::field::allow, allowed_methods}});

  auto normalised = normalise_target(req.target());
  if (const auto* err = std::get_if<target_error>(&normalised)) {
    switch (*err) {
      case target_error::bad_request:
        return text_response(req, {}, http::status::bad_request, "bad request target");
      case target_error::forbidden:
        return text_response(req, {}, http::status::forbidden, "forbidden");
      case target_error::uri_too_long:
        return text_response(req, {}, http::status::uri_too_long, "request target too long");
    }
  }
  std::string url = std::get<std::string>(std::move(normalised));
  const auto not_found = [&] {
    return text_response(req, {}, http::status::not_found, "not found");
  };
  if (!manifest::is_public_path(url)) return not_found();
  if (manifest_.cache_trusted()) {
    if (auto cached = from_cache(req, url, new_cookie)) return std::move(*cached);
  }

  // Resolve every symlink, then check the real path is still under the root: this covers links
  // in intermediate directories, which O_NOFOLLOW alone would not.
  std::error_code ec;
  fs::path real = fs::canonical(root_ / std::string_view(url).substr(1), ec);
  if (ec) return not_found();
  if (!inside(root_, real)) return text_response(req, {}, http::status::forbidden, "forbidden");
  if (fs::is_directory(fs::status(real, ec))) {
    if (url.back() != '/') {
      std::string location = encode_path(url) + "/";
      const auto target = std::string_view(req.target());
      if (const auto q = target.find('?'); q != std::string_view::npos)
        location += target.substr(q);
      return text_response(req, {}, http::status::moved_permanently, "moved permanently",
                           {{http::field::location, location}});
    }
    url += "index.html";
    real = fs::canonical(real / "index.html", ec);
    if (ec) return not_found();
    if (!inside(root_, real)) return text_response(req, {}, http::status::forbidden, "forbidden");
  }

  // The real path has no symlinks left; O_NOFOLLOW turns a link swapped in since into an error,
  // O_NONBLOCK keeps a FIFO swapped in from blocking the open.
  fd_owner file{::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
  if (file.fd < 0) return not_found();
  const auto info = manifest::file_info_of(file.fd);
  if (!info || !info->regular) return not_found();

  // ETag only when the bytes on disk are the ones the manifest hashed.
  follow(manifest_.current());
  const auto* entry = snapshot_->find(url);
  if (entry && !entry->version.same_version(*info)) entry = nullptr;
  // A file reached through no symlink is offered to the cache: its changes are the watcher's to
  // report. (A symlink's target may live where nobody watches.)
  if (entry && real == root_ / std::string_view(url).substr(1))
    cache_.offer(*entry, file.fd, *info);

  const std::string_view type = mime_type(url);
  if (const auto coding = negotiate(req, entry != nullptr, is_compressible(type));
      coding != content_coding::identity) {
    const int fd = file.fd;
    auto form = encoded_form(url, *entry, coding, [fd, entry](std::string& out) {
      return read_whole(fd, entry->size, out);
    });
    if (form) return answer_from_memory(req, std::move(form), entry->sha256, new_cookie);
  }

  owned_representation rep;
  describe(rep, url, entry, *info, content_coding::identity, info->size);
  std::vector<std::pair<http::field, std::string>> extra;
  static_result result;
  if (!new_cookie.empty() && is_html(type)) {
    extra.emplace_back(http::field::set_cookie, new_cookie);
    rep.cache_control = private_cache_control;
    rep.bind();
    result.cookie_set = true;
  }
  const auto plan = plan_response(request_facts::of(req), rep.fields);
  if (plan.whole_body_sent && entry) result.served = entry->sha256;
  auto opened = std::make_shared<cached_file>(file.release());
  result.message =
      render_from_disk(plan, rep.fields, std::move(opened), req.version(), req.keep_alive(), extra);
  return result;
}

http::message_generator to_generator(response&& m) {
  if (auto* r = std::get_if<reply>(&m)) {
    const std::string raw = to_bytes(*r);
    http::response_parser<http::string_body> parser;
    parser.skip(r->omits_body);  // a 200 to HEAD: Content-Length without the bytes
    parser.eager(true);
    parser.body_limit(boost::none);
    beast::error_code ec;
    parser.put(asio::buffer(raw), ec);
    if (ec == http::error::need_more) parser.put_eof(ec);
    if (ec || !parser.is_done()) throw beast::system_error(ec ? ec : http::error::partial_message);
    return http::message_generator(parser.release());
  }
  return std::move(std::get<http::message_generator>(m));
}

}  // namespace circlecdn::origin
