#include "app/operator_routes.hpp"

#include <boost/json.hpp>

#include "app/metrics_page.hpp"
#include "app/operator_auth.hpp"
#include "assets/asset_response.hpp"
#include "core/heap_usage.hpp"
#include "core/http_date.hpp"
#include "metrics/exposition.hpp"

namespace circlecdn::app {

namespace {

http::response<http::string_body> answer(const http::request<http::string_body>& req,
                                         http::status status, std::string_view type,
                                         std::string body) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::server, "circlecdn");
  res.set(http::field::date, http_date_now());
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-store");  // counters are private and always fresh
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

origin::response not_found(const http::request<http::string_body>& req) {
  return http::message_generator(
      answer(req, http::status::not_found, "text/plain; charset=utf-8", "no such endpoint\n"));
}

origin::response unauthorized(const http::request<http::string_body>& req) {
  auto res = answer(req, http::status::unauthorized, "text/plain; charset=utf-8",
                    "operator token required (Authorization: Bearer ...)\n");
  res.set(http::field::www_authenticate, "Bearer realm=\"circlecdn\"");
  return http::message_generator(std::move(res));
}

std::string stats_json(context& ctx) {
  auto& t = ctx.tracker.counters();
  boost::json::object o;
  o["peers_online"] = ctx.tracker.peers_online();
  o["holdings"] = ctx.directory.entries();
  o["hashes_held"] = ctx.directory.hashes();
  o["served_ids"] = ctx.served.ids();
  o["wants"] = t.wants;
  o["matches"] = t.matches;
  o["misses"] = t.misses;
  o["wants_expired"] = t.wants_expired;
  o["signals_relayed"] = t.signals_relayed;
  o["reports"] = t.reports;
  o["errors_sent"] = t.errors_sent;
  o["disconnects_for_errors"] = t.disconnects_for_errors;
  o["paths_failed_connect"] = t.paths_failed_connect;
  o["paths_failed_timeout"] = t.paths_failed_timeout;
  o["paths_failed_closed"] = t.paths_failed_closed;
  o["holders_unreachable"] = t.holders_unreachable;
  o["ice_renewals"] = t.ice_renewals;
  const auto& c = ctx.tracker.checks();
  o["reports_refused"] = c.reports_refused;
  o["penalties"] = c.penalties;
  o["reporters_contradicted"] = c.reporters_contradicted;
  o["penalties_lifted"] = c.penalties_lifted;
  o["challenges_sent"] = c.challenges_sent;
  o["challenges_passed"] = c.challenges_passed;
  o["challenges_failed"] = c.challenges_failed;
  o["challenges_refused"] = c.challenges_refused;
  o["challenges_unanswered"] = c.challenges_unanswered;
  o["challenges_skipped"] = c.challenges_skipped;
  o["miss_tokens_valid"] = ctx.counters.miss_tokens_valid;
  o["miss_tokens_invalid"] = ctx.counters.miss_tokens_invalid;
  o["miss_tokens_reused"] = ctx.counters.miss_tokens_reused;
  o["ws_refused_origin"] = ctx.counters.ws_refused_origin;
  o["ws_refused_full"] = ctx.counters.ws_refused_full;
  o["ws_refused_address"] = ctx.counters.ws_refused_address;
  o["peers_max"] = ctx.peers_max;
  o["memory_trims"] = ctx.trim.trims();
  o["http_requests"] = ctx.counters.requests;
  o["cookies_set"] = ctx.counters.cookies_set;
  o["generation"] = ctx.manifest.current()->generation;
  o["heap_bytes"] = heap_bytes_in_use();
  o["origin_capped_bytes"] = ctx.origin_cap.bytes();
  o["origin_cap_waits"] = ctx.origin_cap.waits();
  o["origin_compressions"] = ctx.origin.encoded().compressions();
  o["origin_served_bytes"] = ctx.metrics.origin_body_bytes();
  o["reported_bytes_peer"] = t.reported_bytes[0];
  o["reported_bytes_origin"] = t.reported_bytes[1];
  o["reported_bytes_store"] = t.reported_bytes[2];
  o["usage_reports"] = t.usage_reports;
  o["routing"] = routing::to_string(ctx.cfg.limits.routing.strategy);
  o["routing_connects"] = t.routing_connects;
  o["ring_orders"] = t.ring_orders;
  o["links_ordered"] = t.links_ordered;
  o["ring_members"] = ctx.tracker.ring_members();
  boost::json::object crowd;
  for (std::size_t i = 0; i < t.crowd_misses.size(); ++i)
    crowd[routing::to_string(static_cast<routing::crowd_miss>(i))] = t.crowd_misses[i];
  o["crowd_misses"] = std::move(crowd);
  return boost::json::serialize(o);
}

// The dashboard's page and script: no data in them, so they are served to anyone once a token
// is configured (a browser cannot send a header when it navigates); the page asks for the token
// and sends it with its requests for the event stream.
origin::response dashboard_file(context& ctx, const http::request<http::string_body>& req,
                                std::string_view name) {
  auto a = ctx.assets.find(name);
  if (!a) return not_found(req);
  auto res = assets::asset_response(req, *a, false);
  if (name.ends_with(".html")) {
    // The page runs only its own script and talks only to this server.
    res.set("Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    res.set("Referrer-Policy", "no-referrer");
  }
  return http::message_generator(std::move(res));
}

}  // namespace

std::optional<origin::response> operator_route(context& ctx,
                                               const http::request<http::string_body>& req,
                                               std::string_view path) {
  const bool is_metrics = path == "/metrics";
  if (!is_metrics && path != "/.circlecdn/stats" && path != "/.circlecdn/dashboard" &&
      path != "/.circlecdn/dashboard.js" && path != dashboard_events_path)
    return std::nullopt;
  auto access = check_operator(req, ctx.cfg.operator_token);
  if (access == operator_access::not_configured)
    return is_metrics ? std::nullopt : std::optional(not_found(req));
  if (path == "/.circlecdn/dashboard") return dashboard_file(ctx, req, "dashboard.html");
  if (path == "/.circlecdn/dashboard.js") return dashboard_file(ctx, req, "dashboard.js");
  if (access == operator_access::denied) return unauthorized(req);
  if (is_metrics)
    return http::message_generator(
        answer(req, http::status::ok, metrics::exposition_content_type, metrics_text(ctx)));
  if (path == "/.circlecdn/stats")
    return http::message_generator(
        answer(req, http::status::ok, "application/json", stats_json(ctx)));
  // The event stream with a valid token reaches here only for methods other than GET.
  return http::message_generator(
      answer(req, http::status::method_not_allowed, "text/plain; charset=utf-8", "GET only\n"));
}

bool may_stream_dashboard(const context& ctx, const http::request<http::string_body>& req,
                          std::string_view path) {
  return path == dashboard_events_path && req.method() == http::verb::get &&
         check_operator(req, ctx.cfg.operator_token) == operator_access::granted;
}

}  // namespace circlecdn::app
