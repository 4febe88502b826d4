#include "app/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <csignal>
#include <future>
#include <stdexcept>
#include <thread>

#include "app/background_loop.hpp"
#include "app/context.hpp"
#include "app/http_session.hpp"
#include "app/redirect.hpp"
#include "core/heap_usage.hpp"
#include "manifest/watcher.hpp"
#include "signal/outbound.hpp"

namespace circlecdn::app {

namespace {
constexpr auto want_expiry_tick = std::chrono::seconds(1);
constexpr auto shutdown_poll = std::chrono::milliseconds(20);
}  // namespace

context::context(config c)
    : cfg(std::move(c)),
      tokens(cfg.secret),
      manifest(cfg.site, cfg.piece_size_bytes, cfg.crowd, cfg.hash_cache),
      origin(cfg.site, manifest, circlecdn::origin::cache_policy(cfg.cache_control)),
      origin_cap(cfg.origin_rate_limit_bytes_per_s),
      ledger(directory, cfg.limits.penalty_base),
      served(cfg.served_ids_max, cfg.served_hashes_per_id),
      tracker(
          cfg.limits, cfg.ice, ledger, served, tokens,
          [this](const content_hash& h) { return manifest.current()->knows(h); },
          signal::tracker::wall_clock::now,
          [this](const content_hash& h, std::string_view nonce) { return proofs(h, nonce); }) {
  cfg.limits.item_bytes_max = cfg.piece_size_bytes;  // no item is larger than a piece
  peers_max = cfg.peers_max;
  if (rlimit lim{}; peers_max == 0 && ::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    auto fds = static_cast<std::size_t>(lim.rlim_cur);
    // Never less than half the descriptors for peers, whatever the reserve asks.
    peers_max = fds > 2 * cfg.fd_reserve ? fds - cfg.fd_reserve : fds / 2;
  }
  if (cfg.tls.enabled()) {
    if (cfg.tls.cert_file.empty() || cfg.tls.key_file.empty())
      throw std::runtime_error("--tls-cert and --tls-key go together");
    tls = std::make_unique<net::tls_context>(cfg.tls.cert_file, cfg.tls.key_file);
  }
  canonicalise(cfg.origins);
  for (const auto& text : cfg.tls.trust_proxy) {
    auto range = net::cidr::parse(text);
    if (!range) throw std::runtime_error("--trust-proxy: not an address or CIDR: " + text);
    trusted_proxies.push_back(*range);
  }
}

namespace {

access_format format_named(const std::string& name) {
  return name == "json" ? access_format::json : access_format::combined;
}

// Log level and access log from cfg.logging; the access log is (re)opened. Throws naming the
// option when the access log cannot be opened.
void apply_logging(context& ctx) {
  spdlog::set_level(spdlog::level::from_str(ctx.cfg.logging.level));
  if (ctx.cfg.logging.access_log.empty()) {
    ctx.access.reset();
    return;
  }
  ctx.access = std::make_unique<access_log>(ctx.cfg.logging.access_log,
                                            format_named(ctx.cfg.logging.access_log_format));
}

}  // namespace

namespace {

// "ADDR:PORT" or "[V6]:PORT".
tcp::endpoint parse_endpoint(const std::string& text, const char* what) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error(std::string(what) + ": need ADDR:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  unsigned long port = 0;
  try {
    port = std::stoul(text.substr(colon + 1));
  } catch (const std::exception&) {
    ec = asio::error::invalid_argument;
  }
  if (ec || port > 65535) throw std::runtime_error(std::string(what) + ": bad ADDR:PORT " + text);
  return {address, static_cast<std::uint16_t>(port)};
}

void open_listener(tcp::acceptor& acceptor, const tcp::endpoint& ep, bool reuse_port = false) {
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  if (reuse_port)
    acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  acceptor.bind(ep);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

}  // namespace

struct server::impl {
  impl(config cfg, config_reader r)
      : ctx(std::move(cfg)),
        acceptor(io),
        watcher(io.get_executor(), ctx.manifest),
        reread(std::move(r)) {
    apply_logging(ctx);
  }

  asio::io_context io{1};
  context ctx;
  tcp::acceptor acceptor;
  tcp::acceptor redirect_acceptor{io};  // --redirect-http: open only with it
  manifest::watcher watcher;
  config_reader reread;
  std::thread thread;
  bool started = false, stopped = false;
  std::uint16_t port = 0, redirect_port = 0;

  std::uint16_t bind() {
    open_listener(acceptor, {asio::ip::make_address(ctx.cfg.listen_address), ctx.cfg.listen_port},
                  ctx.cfg.reuse_port);
    port = acceptor.local_endpoint().port();
    if (!ctx.cfg.tls.redirect_http.empty()) {
      if (!ctx.tls) throw std::runtime_error("--redirect-http needs --tls-cert and --tls-key");
      open_listener(redirect_acceptor,
                    parse_endpoint(ctx.cfg.tls.redirect_http, "--redirect-http"));
      redirect_port = redirect_acceptor.local_endpoint().port();
      supervise_loop("redirect", [this] { return redirect_loop(); });
    }
    watcher.start();
    start_cluster();
    supervise_loop("accept", [this] { return accept_loop(); });
    supervise_loop("expiry", [this] { return expiry_loop(); });
    return port;
  }

  // --redis: join the cluster. Redis being down is no reason not to start: the mirror keeps
  // trying, and the process serves its own peers meanwhile.
  void start_cluster() {
    if (ctx.cfg.cluster.redis.empty()) return;
    std::string problem;
    auto where = cluster::parse_redis_url(ctx.cfg.cluster.redis, problem);
    if (!where) throw std::runtime_error("--redis: " + problem);
    ctx.cluster = std::make_unique<cluster::crowd_mirror>(
        io.get_executor(), *where, ctx.directory, ctx.ledger,
        [this] { return ctx.tracker.peers_online(); });
    auto& m = *ctx.cluster;
    m.inputs_of = [this](const peer_id& p) {
      return ctx.tracker.holder_inputs_of(p, signal::tracker::clock::now());
    };
    m.on_order = [this](std::string_view order) {
      ctx.tracker.on_order(order, signal::tracker::clock::now());
    };
    m.manifest_tag = [this] { return ctx.manifest.current()->content_tag; };
    m.manifest = [this] {
      auto snap = ctx.manifest.current();
      cluster::crowd_mirror::manifest_view view{snap->content_tag, {}};
      for (const auto& [path, f] : snap->files)
        if (f.crowd) view.files.push_back({path, f.sha256, f.pieces});
      return view;
    };
    ctx.tracker.set_remote(&m);
    m.start();
  }

  void supervise_loop(std::string name, loop_factory make) {
    supervise(io.get_executor(), std::move(name), std::move(make), [this] { return ctx.stopping; });
  }

  // Everything that can change while running is re-read here (SIGHUP): the configuration's live
  // options, the access log (reopened, for log rotation) and the TLS pair. A file or a pair that
  // does not load is refused and the old values stay. True when nothing failed.
  bool reload() {
    bool ok = reload_config();
    if (!ctx.tls) return ok;
    if (auto why = ctx.tls->reload(); !why.empty()) {
      spdlog::error("event=reload_refused what=tls error=\"{}\" (the old certificate stays)", why);
      return false;
    }
    spdlog::info("event=reload what=tls certificate_sha256={} (for new connections)",
                 ctx.tls->fingerprint());
    return ok;
  }

  bool reload_config() {
    if (!reread) {
      spdlog::info("event=reload what=config (started without --config: nothing to re-read)");
      return true;
    }
    auto plan = reread(ctx.cfg);
    if (!plan.next) {
      for (const auto& p : plan.problems)
        spdlog::error("event=reload_refused what=config error=\"{}\"", p);
      spdlog::error("event=reload_refused what=config (everything stays as it was)");
      return false;
    }
    config before = ctx.cfg;
    ctx.cfg = std::move(*plan.next);
    try {
      apply_live_config();
    } catch (const std::exception& e) {
      spdlog::error("event=reload_refused what=config error=\"{}\" (everything stays as it was)",
                    e.what());
      ctx.cfg = std::move(before);
      apply_live_config();
      return false;
    }
    for (const auto& line : plan.changed) spdlog::info("event=reload changed=\"{}\"", line);
    for (const auto& line : plan.need_restart)
      spdlog::warn("event=reload needs_restart=\"{}\"", line);
    if (plan.changed.empty() && plan.need_restart.empty())
      spdlog::info("event=reload what=config (no option changed)");
    return true;
  }

  // What the live options feed besides ctx.cfg itself (which the tracker and the sessions read
  // directly): canonical origins, trusted proxy ranges, the origin's cap, the logs.
  void apply_live_config() {
    std::vector<net::cidr> proxies;
    for (const auto& text : ctx.cfg.tls.trust_proxy) {
      auto range = net::cidr::parse(text);
      if (!range) throw std::runtime_error("--trust-proxy: not an address or CIDR: " + text);
      proxies.push_back(*range);
    }
    canonicalise(ctx.cfg.origins);
    apply_logging(ctx);
    ctx.trusted_proxies = std::move(proxies);
    ctx.origin_cap.set_rate(ctx.cfg.origin_rate_limit_bytes_per_s);
  }

  // The plain listener of --redirect-http: one request, one 301, per connection.
  asio::awaitable<void> redirect_loop() {
    for (;;) {
      auto [ec, socket] =
          co_await redirect_acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !redirect_acceptor.is_open()) co_return;
      if (ec) {
        asio::steady_timer t(io, std::chrono::milliseconds(50));
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      asio::co_spawn(io,
                     run_redirect_session(std::move(socket), port, ctx.cfg.http_idle_timeout,
                                          ctx.cfg.http_header_limit_bytes),
                     asio::detached);
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {  // e.g. EMFILE: back off briefly instead of spinning
        spdlog::warn("event=accept_failed error=\"{}\" retry_in_ms=50", ec.message());
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
          spdlog::error("event=session_failed error=\"{}\"", ex.what());
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
    // Live manifest: pages hear of a new generation within a tick, and fetch it again.
    auto notified = ctx.manifest.current()->generation;
    for (;;) {
      t.expires_after(want_expiry_tick);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      auto now = signal::tracker::clock::now();
      if (!ctx.stopping) ctx.tracker.expire(now);
      for (std::size_t i = 0; i < ctx.recent_item_seconds.size(); ++i)
        ctx.recent_item_seconds[i].sample(ctx.tracker.counters().reported_item_seconds[i], now);
      if (auto snap = ctx.manifest.current(); snap->generation != notified && !ctx.stopping) {
        notified = snap->generation;
        ctx.tracker.broadcast(signal::make_manifest(snap->generation, snap->content_tag));
        spdlog::info("event=manifest_notice generation={} peers={}", snap->generation,
                     ctx.tracker.peers_online());
      }
      if (ctx.trim.observe(ctx.tracker.peers_online(), ctx.tracker.take_peak()))
        spdlog::info("event=memory_trim peers_online={} heap_bytes={}", ctx.tracker.peers_online(),
                     heap_bytes_in_use());
      if (now >= next_sweep) {
        ws::keep_alive(ctx.ws_hub.sessions, now);
        next_sweep = now + sweep_every;
      }
      if (ctx.stopping && ctx.ws_hub.sessions.empty()) co_return;
    }
  }

  // Close frames first and no new requests; then a hard stop once every WebSocket left and every
  // HTTP response in flight was written, or when the grace period is over.
  asio::awaitable<void> graceful_stop() {
    ctx.stopping = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    redirect_acceptor.close(ignored);
    watcher.stop();
    if (ctx.cluster) ctx.cluster->stop();  // out of the cluster at once, not at expiry
    ctx.tracker.set_remote(nullptr);
    ctx.tracker.announce_shutdown();
    std::vector<ws::session*> sessions(ctx.ws_hub.sessions.begin(), ctx.ws_hub.sessions.end());
    for (auto* s : sessions) s->close(1001, "server shutdown");
    auto deadline = std::chrono::steady_clock::now() + ctx.cfg.shutdown_grace;
    asio::steady_timer t(io);
    while (std::chrono::steady_clock::now() < deadline &&
           (!ctx.ws_hub.sessions.empty() || ctx.http_in_flight > 0 || watcher.rescanning())) {
      t.expires_after(shutdown_poll);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    spdlog::info("event=stopped ws_cut={} http_responses_cut={}", ctx.ws_hub.sessions.size(),
                 ctx.http_in_flight);
    io.stop();
  }
};

server::server(config cfg, config_reader reread)
    : impl_(std::make_unique<impl>(std::move(cfg), std::move(reread))) {
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

std::uint16_t server::redirect_port() const {
  return impl_->redirect_port;
}

bool server::reload() {
  if (!impl_->thread.joinable()) return impl_->reload();
  std::promise<bool> done;
  asio::post(impl_->io, [&] { done.set_value(impl_->reload()); });
  return done.get_future().get();
}

void server::run_until_signal() {
  auto port = impl_->bind();
  spdlog::info("event=start site={} files={} generation={}", impl_->ctx.cfg.site.string(),
               impl_->ctx.manifest.current()->files.size(),
               impl_->ctx.manifest.current()->generation);
  // Printed on stdout, not the log: scripts and tests read the port from this line.
  auto scheme = impl_->ctx.tls ? "https" : "http";
  std::printf("circlecdn listening on %s://%s:%u\n", scheme, impl_->ctx.cfg.listen_address.c_str(),
              port);
  if (impl_->redirect_acceptor.is_open()) {
    auto ep = impl_->redirect_acceptor.local_endpoint();
    std::printf("circlecdn redirecting http://%s:%u to https\n", ep.address().to_string().c_str(),
                ep.port());
  }
  std::fflush(stdout);
  // SIGHUP reloads (the certificate); it no longer ends the process, with or without TLS.
  asio::signal_set hup(impl_->io, SIGHUP);
  asio::co_spawn(
      impl_->io,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto [ec, sig] = co_await hup.async_wait(asio::as_tuple(asio::use_awaitable));
          if (ec) co_return;
          spdlog::info("event=signal signal={} action=reload", sig);
          try {
            impl_->reload();
          } catch (const std::exception& e) {  // SIGHUP never ends the process
            spdlog::error("event=reload_refused error=\"{}\"", e.what());
          }
        }
      },
      asio::detached);
  asio::signal_set signals(impl_->io, SIGINT, SIGTERM);
  signals.async_wait([this](const beast::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("event=signal signal={} action=drain grace_ms={}", sig,
                 impl_->ctx.cfg.shutdown_grace.count());
    asio::co_spawn(impl_->io, impl_->graceful_stop(), asio::detached);
  });
  impl_->started = impl_->stopped = true;
  impl_->io.run();
}

}  // namespace circlecdn::app
