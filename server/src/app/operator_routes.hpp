#pragma once
// The operator's endpoints: /metrics (Prometheus), /.circlecdn/stats (JSON), the dashboard page
// and its event stream. All need the operator token (app/operator_auth.hpp); without a configured
// token they do not exist: /.circlecdn/... answer 404 and /metrics is an ordinary site path.
#include <optional>
#include <string_view>

#include "app/context.hpp"

namespace circlecdn::app {

inline constexpr std::string_view dashboard_events_path = "/.circlecdn/dashboard/events";

// The answer when `path` is an operator endpoint (including 401 and 404), else nullopt. The event
// stream itself is not answered here: the session streams it once may_stream_dashboard() says so.
std::optional<origin::response> operator_route(context& ctx,
                                               const http::request<http::string_body>& req,
                                               std::string_view path);

// True when this request opens the dashboard's event stream with a valid token.
bool may_stream_dashboard(const context& ctx, const http::request<http::string_body>& req,
                          std::string_view path);

}  // namespace circlecdn::app
