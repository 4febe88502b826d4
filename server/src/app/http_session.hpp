#pragma once
// One HTTP connection: reads requests (keep-alive, pipelined), answers the origin and the
// /.circlecdn/ routes, and hands a WebSocket upgrade to the signaling session.
#include "app/context.hpp"
#include "core/net.hpp"

namespace circlecdn::app {

asio::awaitable<void> run_http_session(tcp::socket socket, context& ctx);

}  // namespace circlecdn::app
