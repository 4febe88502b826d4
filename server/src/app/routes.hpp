#pragma once
// Request routing for one HTTP request: the /.circlecdn/ endpoints and the static origin, with the
// visitor cookie and the record of what was served to whom.
#include <optional>
#include <variant>

#include "app/context.hpp"

namespace circlecdn::app {

using response = origin::response;

// The answer to one request: a file's reply (which the session writes with
// origin::write_reply) or any other message. `https`: the visitor reached us
// over TLS (here, or at a trusted proxy): a cookie set now is `Secure`.
response route(context& ctx, const http::request<http::string_body>& req,
               const std::optional<peer_id>& cookie_id, bool https = false);

}  // namespace circlecdn::app
