#include "app/routes.hpp"

#include "app/operator_routes.hpp"
#include "assets/asset_response.hpp"
#include "core/http_date.hpp"
#include "origin/target.hpp"

namespace circlecdn::app {

namespace {

constexpr std::string_view cookie_name = "circle_id";

http::response<http::string_body> text_response(const http::request<http::string_body>& req,
                                                http::status status, std::string_view type,
                                                std::string body) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::server, "circlecdn");
  res.set(http::field::date, http_date_now());
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

// A Set-Cookie value with a new visitor secret.
std::string new_cookie(const context& ctx, bool https) {
  std::string cookie = std::string(cookie_name) + "=" + peer_id::random().str() +
                       "; Path=/; HttpOnly; SameSite=Strict";
  if (ctx.cfg.secure_cookies || https) cookie += "; Secure";
  return cookie;
}

}  // namespace

response route(context& ctx, const http::request<http::string_body>& req,
               const std::optional<peer_id>& cookie_id, bool https) {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  bool readable = req.method() == http::verb::get || req.method() == http::verb::head;

  if (readable)
    if (auto answer = operator_route(ctx, req, path)) return std::move(*answer);
  if (path.starts_with("/.circlecdn/") && readable) {
    if (path == "/.circlecdn/manifest.json") {
      auto result = ctx.origin.manifest(req, cookie_id ? "" : new_cookie(ctx, https));
      if (result.cookie_set) ++ctx.counters.cookies_set;
      return std::move(result.message);
    }
    if (path == "/.circlecdn/sw.js")
      return http::message_generator(
          assets::service_worker_answer(ctx.assets, req, ctx.cfg.service_worker == "on"));
    if (auto lib = assets::library_answer(ctx.assets, req, path.substr(12)))
      return http::message_generator(std::move(*lib));
    return http::message_generator(
        text_response(req, http::status::not_found, "text/plain", "no such endpoint\n"));
  }

  if (auto it = req.find("X-Circle-Miss"); it != req.end()) {
    // The token never changes the response; it is only counted, once, on its own file.
    auto snap = ctx.manifest.current();
    const manifest::file_entry* file = nullptr;
    if (auto url = origin::normalise_target(target); auto* p = std::get_if<std::string>(&url))
      file = snap->find(p->ends_with('/') ? *p + "index.html" : *p);
    switch (ctx.misses.count(ctx.tokens, it->value(), file, token_signer::clock::now())) {
      case miss_ledger::verdict::valid:
        ++ctx.counters.miss_tokens_valid;
        // A token asked for with `miss_token` stops counting among its peer's wants in flight.
        if (auto claim = ctx.tokens.check_miss(it->value(), token_signer::clock::now()))
          ctx.tracker.miss_token_used(claim->peer, claim->hash_prefix);
        break;
      case miss_ledger::verdict::invalid:
        ++ctx.counters.miss_tokens_invalid;
        break;
      case miss_ledger::verdict::reused:
        ++ctx.counters.miss_tokens_reused;
        break;
    }
  }

  // A visitor without the cookie is offered a new one; the origin puts it only on an HTML answer
  // (made `private`, so no shared cache stores it), never on an asset a CDN would keep.
  auto result = ctx.origin.handle(req, cookie_id ? "" : new_cookie(ctx, https));
  if (result.cookie_set) ++ctx.counters.cookies_set;
  // Only a visitor who came back with its cookie is recorded: a request without one would add a
  // record nobody can ever claim, and 20,000 of them used to push every real visitor's out.
  if (result.served && cookie_id) ctx.served.record(*cookie_id, *result.served);
  return std::move(result.message);
}

}  // namespace circlecdn::app
