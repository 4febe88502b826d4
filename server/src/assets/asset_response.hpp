#pragma once
// HTTP answers for the browser files: the plain name revalidates (ETag = content hash, `no-cache`,
// 304 on a matching If-None-Match), the fingerprinted name is cached for a year as `immutable`.
#include <optional>
#include <string_view>

#include "assets/asset_set.hpp"
#include "core/net.hpp"

namespace circlecdn::assets {

inline constexpr std::string_view immutable_cache_control = "public, max-age=31536000, immutable";

// True when If-None-Match (a comma-separated list, `*`, weak or strong tags) names `etag`.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// The answer for `a` to a GET or HEAD.
http::response<http::string_body> asset_response(const http::request<http::string_body>& req,
                                                 const asset& a, bool fingerprinted);

// The library under /.circlecdn/: `name` is what follows the prefix ("circlecdn.js",
// "circlecdn.<16 hex>.iife.js"...). nullopt when the name is not one of the library's.
std::optional<http::response<http::string_body>> library_answer(
    const asset_set& set, const http::request<http::string_body>& req, std::string_view name);

// GET or HEAD /.circlecdn/sw.js: the service worker, `sw.js` when `on`, else `sw-off.js` (the
// kill switch), revalidated like the library (no-cache + ETag, so browsers pick up a new worker),
// with `Service-Worker-Allowed: /` (scope / from under /.circlecdn/) and `CircleCDN-Service-Worker:
// on|off`, which the library and the worker read before they route anything.
inline constexpr std::string_view service_worker_header = "CircleCDN-Service-Worker";
http::response<http::string_body> service_worker_answer(const asset_set& set,
                                                        const http::request<http::string_body>& req,
                                                        bool on);

}  // namespace circlecdn::assets
