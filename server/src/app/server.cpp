#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <thread>

#include "app/context.hpp"
#include "app/http_session.hpp"
#include "manifest/watcher.hpp"

namespace circlecdn::app {

namespace {
constexpr auto want_expiry_tick = std::chrono::seconds(1);
constexpr auto shutdown_poll = std::chrono::milliseconds(20);
}  // namespace

context::context(config c)
    : cfg(std::move(c)),
      tokens(cfg.secret),
      manifest(cfg.site, cfg.piece_size_bytes, {}, cfg.crowd),
      origin(cfg.site, manifest),
      origin_cap(cfg.origin_rate_limit_bytes_per_s),
      served(cfg.served_ids_max, cfg.served_hashes_per_id),
      tracker(cfg.limits, cfg.ice, directory, served, tokens,
              [this](const content_hash& h) { return manifest.current()->knows(h); }) {}

struct server::impl {
  explicit impl(config cfg)
      : ctx(std::move(cfg)), acceptor(io), watcher(io.get_executor(), ctx.manifest) {}

  asio::io_context io{1};
  context ctx;
  tcp::acceptor acceptor;
  manifest::watcher watcher;
  std::thread thread;
  bool started = false, stopped = false;

  std::uint16_t bind() {
    tcp::endpoint ep(asio::ip::make_address(ctx.cfg.listen_address), ctx.cfg.listen_port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    watcher.start();
    asio::co_spawn(io, accept_loop(), asio::detached);
    asio::co_spawn(io, expiry_loop(), asio::detached);
    return acceptor.local_endpoint().port();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {  // e.g. EMFILE: back off briefly instead of spinning
        spdlog::warn("accept: {}", ec.message());
        asio::steady_timer t(io, std::chrono::milliseconds(50));
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(io, run_http_session(std::move(socket), ctx), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("session failed: {}", ex.what());
        }
      });
    }
  }

  asio::awaitable<void> expiry_loop() {
    asio::steady_timer t(io);
    // The keep-alive sweep visits every session, so it runs a few times per ping interval only.
    auto sweep_every =
        std::max<std::chrono::seconds>(std::chrono::seconds(1), ctx.cfg.limits.ping_after / 6);
    auto next_sweep = signal::tracker::clock::now() + sweep_every;
    for (;;) {
      t.expires_after(want_expiry_tick);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      auto now = signal::tracker::clock::now();
      if (!ctx.stopping) ctx.tracker.expire(now);
      if (now >= next_sweep) {
        signal::keep_alive(ctx.sessions, now);
        next_sweep = now + sweep_every;
      }
      if (ctx.stopping && ctx.sessions.empty()) co_return;
    }
  }

  // Close frames first, then a hard stop once everyone left or the grace period is over.
  asio::awaitable<void> graceful_stop() {
    ctx.stopping = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    watcher.stop();
    ctx.tracker.announce_shutdown();
    std::vector<signal::ws_session*> sessions(ctx.sessions.begin(), ctx.sessions.end());
    for (auto* s : sessions) s->close(1001, "server shutdown");
    auto deadline = std::chrono::steady_clock::now() + ctx.cfg.shutdown_grace;
    asio::steady_timer t(io);
    while (std::chrono::steady_clock::now() < deadline && (!ctx.sessions.empty())) {
      t.expires_after(shutdown_poll);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    spdlog::info("stopped ({} signaling sessions cut at the deadline)", ctx.sessions.size());
    io.stop();
  }
};

server::server(config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {
  // sendfile(2) has no MSG_NOSIGNAL: a visitor who drops the connection mid-body would otherwise
  // kill the whole process with SIGPIPE. Every write reports EPIPE as an error instead.
  std::signal(SIGPIPE, SIG_IGN);
}

server::~server() {
  stop();
}

std::uint16_t server::start() {
  auto port = impl_->bind();
  impl_->started = true;
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return port;
}

void server::stop() {
  if (!impl_ || !impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  asio::co_spawn(impl_->io, impl_->graceful_stop(), asio::detached);
  if (impl_->thread.joinable()) impl_->thread.join();
}

void server::run_until_signal() {
  auto port = impl_->bind();
  spdlog::info("serving {} ({} files, generation {})", impl_->ctx.cfg.site.string(),
               impl_->ctx.manifest.current()->files.size(),
               impl_->ctx.manifest.current()->generation);
  // Printed on stdout, not the log: scripts and tests read the port from this line.
  std::printf("circlecdn listening on http://%s:%u\n", impl_->ctx.cfg.listen_address.c_str(), port);
  std::fflush(stdout);
  asio::signal_set signals(impl_->io, SIGINT, SIGTERM);
  signals.async_wait([this](const beast::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: closing connections (grace {} ms)", sig,
                 impl_->ctx.cfg.shutdown_grace.count());
    asio::co_spawn(impl_->io, impl_->graceful_stop(), asio::detached);
  });
  impl_->started = impl_->stopped = true;
  impl_->io.run();
}

}  // namespace circlecdn::app
