#include "assets/asset_response.hpp"

#include "core/http_date.hpp"

namespace circlecdn::assets {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

http::response<http::string_body> plain(const http::request<http::string_body>& req,
                                        http::status status, std::string_view text) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::server, "circlecdn");
  res.set(http::field::date, http_date_now());
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(req.keep_alive());
  res.body() = std::string(text);
  res.prepare_payload();
  return res;
}

}  // namespace

bool etag_matches(std::string_view list, std::string_view etag) {
  // RFC 9110 13.1.2: weak comparison; "*" matches any current representation.
  while (!list.empty()) {
    auto comma = list.find(',');
    auto tag = trim(list.substr(0, comma));
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

http::response<http::string_body> asset_response(const http::request<http::string_body>& req,
                                                 const asset& a, bool fingerprinted) {
  const std::string etag = "\"" + a.hash_hex + "\"";
  const bool not_modified = etag_matches(req[http::field::if_none_match], etag);
  http::response<http::string_body> res{
      not_modified ? http::status::not_modified : http::status::ok, req.version()};
  res.set(http::field::server, "circlecdn");
  res.set(http::field::date, http_date_now());
  res.set(http::field::content_type, a.content_type);
  res.set(http::field::cache_control, fingerprinted ? immutable_cache_control : "no-cache");
  res.set(http::field::etag, etag);
  res.keep_alive(req.keep_alive());
  if (!not_modified) {
    res.body() = std::string(a.bytes);
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
  }
  return res;
}

std::optional<http::response<http::string_body>> library_answer(
    const asset_set& set, const http::request<http::string_body>& req, std::string_view name) {
  if (asset_set::is_library(name)) {
    if (auto a = set.find(name)) return asset_response(req, *a, false);
    return plain(req, http::status::not_found, "client library not built into this binary\n");
  }
  if (!name.starts_with("circlecdn") || !name.ends_with(".js")) return std::nullopt;
  if (auto a = set.find_fingerprinted(name)) return asset_response(req, *a, true);
  // An old fingerprint (the library changed) or a mistyped one: never other bytes under it.
  return plain(req, http::status::not_found, "no such library version\n");
}

http::response<http::string_body> service_worker_answer(const asset_set& set,
                                                        const http::request<http::string_body>& req,
                                                        bool on) {
  auto a = set.find(on ? "sw.js" : "sw-off.js");
  auto res = a ? asset_response(req, *a, false)
               : plain(req, http::status::not_found, "service worker not built into this binary\n");
  res.set("Service-Worker-Allowed", "/");
  res.set(service_worker_header, on ? "on" : "off");
  return res;
}

}  // namespace circlecdn::assets
