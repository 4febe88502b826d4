#pragma once
// Request routing for one HTTP request: the /.circlecdn/ endpoints and the static origin, with the
// visitor cookie and the record of what was served to whom.
#include <optional>

#include "app/context.hpp"

namespace circlecdn::app {

http::message_generator route(context& ctx, const http::request<http::string_body>& req,
                              const std::optional<peer_id>& cookie_id);

}  // namespace circlecdn::app
