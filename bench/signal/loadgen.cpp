// Signaling load generator: N WebSocket peers against one signaling server, with an adapter per
// protocol, so CircleCDN's tracker is measured side by side with the systems a user would pick
// instead:
//   circlecdn  /.circlecdn/ws: holder announces, wanter wants -> match/push pairs them once; then
//              each round trip is `signal` offer -> relayed -> `signal` answer -> relayed.
//   wt         WebTorrent's tracker (npm bittorrent-tracker, WebSocket): each pair is a swarm of
//              two; a round trip is an announce carrying one offer (the tracker answers the
//              announce and forwards the offer), then the answerer's announce with `answer`,
//              `to_peer_id` and `offer_id`, forwarded to the offerer. That is how WebTorrent
//              signals.
//   peerjs     the PeerJS server (npm peer): OFFER {dst,payload} relayed, ANSWER relayed back.
// Peers 2k (offerer) and 2k+1 (answerer) form pair k. Modes:
//   idle       connect N peers, report the server's RSS growth per connection (and CircleCDN's own
//              heap_bytes growth when --stats is given)
//   saturate   closed loop: every pair keeps --inflight round trips outstanding; round trips/s,
//              latency, server CPU per round trip
//   rate       open loop at --rate round trips/s in total; latency measured from the intended send
//              time (no coordinated omission), p50/p99, server CPU per round trip
// The server's CPU (utime+stime) and RSS come from /proc/--server-pid. One line of key=value
// results on stdout; a harness failure (peers not connected, pairing not done, protocol errors, no
// round trips) exits non-zero.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "messages.hpp"
#include "options.hpp"

#include "process_stats.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

using namespace loadgen;

// --- peers
// ----------------------------------------------------------------------------------------
struct peer : std::enable_shared_from_this<peer> {
  using plain_ws = websocket::stream<beast::tcp_stream>;
  using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
  // `ssl`: with --tls, the client context every peer's TLS stream uses.
  peer(asio::io_context& io, int i, asio::ssl::context* ssl) : index(i) {
    if (ssl)
      tls.emplace(io, *ssl);
    else
      plain.emplace(io);
  }
  // Calls f with whichever WebSocket stream this peer has.
  template <class F>
  decltype(auto) with_ws(F&& f) {
    return tls ? f(*tls) : f(*plain);
  }
  beast::tcp_stream& lowest() {
    return tls ? beast::get_lowest_layer(*tls) : beast::get_lowest_layer(*plain);
  }
  std::optional<plain_ws> plain;
  std::optional<tls_ws> tls;
  int index;
  std::string id;          // our id (circlecdn: from welcome; wt: 20 chars; peerjs: chosen)
  std::string partner_id;  // offerers: the answerer's id
  bool ready = false;      // connected and greeted
  bool set_up = false;     // paired (offerer) / announced (wt answerer)
  bool closed = false;
  std::deque<std::string> outq;
  bool writing = false;
  beast::flat_buffer buf;
  bool offered_once = false;
};

struct pending {
  clock_type::time_point sent;  // the intended send time (rate mode) or the actual one
  bool measured;
  int pair;
};

class bench {
 public:
  explicit bench(options o)
      : opt_(std::move(o)),
        offer_sdp_(make_sdp(opt_.sdp_bytes, "offer")),
        answer_sdp_(make_sdp(opt_.sdp_bytes, "answer")) {}

  int run() {
    asio::co_spawn(io_, main_task(), [this](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::cerr << "bench_signal_loadgen: " << ex.what() << "\n";
          exit_code_ = 1;
        }
      }
      io_.stop();
    });
    io_.run();
    return exit_code_;
  }

 private:
  // ---- plumbing ----
  void send(const std::shared_ptr<peer>& p, std::string msg) {
    if (p->closed) return;
    p->outq.push_back(std::move(msg));
    if (!p->writing) {
      p->writing = true;
      asio::co_spawn(io_, write_loop(p), asio::detached);
    }
  }
  asio::awaitable<void> write_loop(std::shared_ptr<peer> p) {
    while (!p->outq.empty() && !p->closed) {
      auto [ec, n] = co_await p->with_ws([&](auto& ws) {
        return ws.async_write(asio::buffer(p->outq.front()), asio::as_tuple(asio::use_awaitable));
      });
      if (ec) {
        note_disconnect(*p, ec);
        break;
      }
      p->outq.pop_front();
    }
    p->writing = false;
  }
  void note_disconnect(peer& p, const beast::error_code& ec) {
    if (p.closed) return;
    p.closed = true;
    if (!stopping_) {
      ++disconnects_;
      if (disconnects_ <= 3) std::cerr << "peer " << p.index << " lost: " << ec.message() << "\n";
    }
  }
  void protocol_error(std::string_view what) {
    ++errors_;
    if (errors_ <= 5) std::cerr << "protocol error: " << what.substr(0, 300) << "\n";
  }

  std::string ws_target(const peer& p) const {
    switch (opt_.protocol) {
      case proto::circlecdn:
        return "/.circlecdn/ws";
      case proto::wt:
        return "/";
      case proto::peerjs:
        return "/peerjs?key=peerjs&id=" + p.id + "&token=t" + std::to_string(p.index);
    }
    return "/";
  }

  asio::awaitable<void> connect_one(std::shared_ptr<peer> p) {
    tcp::resolver resolver(io_);
    const auto& port = opt_.ports[static_cast<std::size_t>(p->index) % opt_.ports.size()];
    auto eps = co_await resolver.async_resolve(opt_.host, port, asio::use_awaitable);
    auto& lowest = p->lowest();
    lowest.expires_after(30s);
    if (opt_.source_addresses > 1) {
      auto ep = *eps.begin();
      auto& s = lowest.socket();
      s.open(ep.endpoint().protocol());
      auto source = asio::ip::address_v4(0x7F000001u +
                                         static_cast<unsigned>(p->index % opt_.source_addresses));
      s.bind(tcp::endpoint(source, 0));
      co_await lowest.async_connect(ep.endpoint(), asio::use_awaitable);
    } else {
      co_await lowest.async_connect(eps, asio::use_awaitable);
    }
    lowest.expires_never();
    // as browsers do for WebSockets: without it Nagle holds a second small frame (done, then the
    // next want) until the server's delayed ACK, 40 ms later
    lowest.socket().set_option(tcp::no_delay(true));
    if (p->tls)
      co_await p->tls->next_layer().async_handshake(asio::ssl::stream_base::client,
                                                    asio::use_awaitable);
    co_await p->with_ws([&](auto& ws) {
      ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      if (opt_.protocol == proto::circlecdn)
        ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
          req.set(http::field::sec_websocket_protocol, "circlecdn.1");
        }));
      ws.text(true);
      return ws.async_handshake(opt_.host + ":" + port, ws_target(*p), asio::use_awaitable);
    });
    if (opt_.protocol == proto::wt) mark_ready(*p);  // the tracker sends no greeting
    asio::co_spawn(io_, read_loop(p), asio::detached);
  }
  double servers_cpu() const {
    double s = 0;
    for (int pid : opt_.server_pids) s += cpu_seconds(pid);
    return s;
  }
  void mark_ready(peer& p) {
    if (!p.ready) {
      p.ready = true;
      ++ready_;
    }
  }

  asio::awaitable<void> read_loop(std::shared_ptr<peer> p) {
    for (;;) {
      auto [ec, n] = co_await p->with_ws(
          [&](auto& ws) { return ws.async_read(p->buf, asio::as_tuple(asio::use_awaitable)); });
      if (ec) {
        note_disconnect(*p, ec);
        co_return;
      }
      std::string_view text(static_cast<const char*>(p->buf.data().data()), p->buf.size());
      on_message(p, text);
      p->buf.consume(p->buf.size());
    }
  }

  // ---- protocol adapters ----
  bool is_offerer(const peer& p) const { return p.index % 2 == 0; }
  int pair_of(const peer& p) const { return p.index / 2; }

  void on_message(const std::shared_ptr<peer>& p, std::string_view text) {
    json::error_code jec;
    json::value v = json::parse(text, jec);
    if (jec || !v.is_object()) return protocol_error(text);
    const auto& o = v.get_object();
    switch (opt_.protocol) {
      case proto::circlecdn:
        return on_circlecdn(p, o, text);
      case proto::wt:
        return on_wt(p, o, text);
      case proto::peerjs:
        return on_peerjs(p, o, text);
    }
  }

  static std::string_view str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return {};
    return it->value().get_string();
  }
  static std::optional<std::uint64_t> seq_of(const json::value* v) {
    if (!v || !v->is_object()) return std::nullopt;
    auto it = v->get_object().find("seq");
    if (it == v->get_object().end() || !it->value().is_int64()) return std::nullopt;
    return static_cast<std::uint64_t>(it->value().get_int64());
  }

  void on_circlecdn(const std::shared_ptr<peer>& p, const json::object& o, std::string_view text) {
    auto type = str(o, "type");
    if (type == "welcome") {
      p->id = str(o, "peer");
      mark_ready(*p);
    } else if (type == "match") {
      if (p->set_up) {
        // --want-each: the tracker chose the holder for this round trip; now the offer
        auto id = o.if_contains("id");
        if (!opt_.want_each || !id || !id->is_int64()) return protocol_error(text);
        send_signal_offer(p, std::string(str(o, "peer")), std::to_string(id->get_int64()));
        return;
      }
      p->partner_id = str(o, "peer");
      p->set_up = true;
      ++paired_;
      // the transfer itself is not part of this benchmark: free the holder's upload slot
      auto id = o.if_contains("id");
      if (!id || !id->is_int64()) return protocol_error(text);
      send(p, R"({"type":"done","id":)" + std::to_string(id->get_int64()) + R"(,"ok":true})");
    } else if (type == "push") {
      // the holder learns its partner from the offer's `from`
    } else if (type == "miss") {
      ++misses_;  // the holder's announce had not landed yet: want again shortly
      auto t = std::make_shared<asio::steady_timer>(io_, 100ms);
      t->async_wait([this, p, t](beast::error_code) { send_want(p); });
    } else if (type == "signal") {
      auto data = o.if_contains("data");
      auto seq = seq_of(data);
      if (!seq) return protocol_error(text);
      const auto* sdp = data->get_object().if_contains("sdp");
      std::string_view kind =
          sdp && sdp->is_object() ? str(sdp->get_object(), "type") : std::string_view{};
      if (kind == "offer") {
        send(p, R"({"type":"signal","to":")" + std::string(str(o, "from")) + R"(","data":{"seq":)" +
                    std::to_string(*seq) + R"(,"sdp":{"type":"answer","sdp":)" + answer_sdp_ +
                    "}}}");
      } else if (kind == "answer") {
        if (opt_.want_each)
          send(p, R"({"type":"done","id":)" + std::to_string(*seq) + R"(,"ok":true})");
        on_answer(*seq);
      } else {
        protocol_error(text);
      }
    } else {
      protocol_error(text);
    }
  }
  // Pairing wants take ids above every round trip's (those are sequence numbers from 1), a fresh
  // one per attempt: a retry after a miss on a starved machine never collides with anything.
  std::int64_t next_setup_id_ = 2'000'000'000;
  void send_want(const std::shared_ptr<peer>& p) {
    send(p, R"({"type":"want","id":)" + std::to_string(next_setup_id_++) + R"(,"hash":")" +
                hashes_.at(static_cast<std::size_t>(pair_of(*p))) + "\"}");
  }

  void on_wt(const std::shared_ptr<peer>& p, const json::object& o, std::string_view text) {
    if (o.contains("failure reason")) return protocol_error(text);
    if (o.contains("offer")) {
      send(p, R"({"action":"announce","info_hash":")" + std::string(str(o, "info_hash")) +
                  R"(","peer_id":")" + p->id + R"(","to_peer_id":")" +
                  std::string(str(o, "peer_id")) + R"(","answer":{"type":"answer","sdp":)" +
                  answer_sdp_ + R"(},"offer_id":")" + std::string(str(o, "offer_id")) + "\"}");
    } else if (o.contains("answer")) {
      auto oid = str(o, "offer_id");
      if (oid.size() != 20) return protocol_error(text);
      on_answer(std::stoull(std::string(oid.substr(2))));
    } else if (str(o, "action") == "announce") {
      if (!p->set_up && !is_offerer(*p)) {  // the answerer's first announce was recorded
        p->set_up = true;
        ++paired_;
      }
    } else {
      protocol_error(text);
    }
  }

  void on_peerjs(const std::shared_ptr<peer>& p, const json::object& o, std::string_view text) {
    auto type = str(o, "type");
    if (type == "OPEN") {
      mark_ready(*p);
    } else if (type == "OFFER") {
      auto seq = seq_of(o.if_contains("payload"));
      if (!seq) return protocol_error(text);
      send(p, R"({"type":"ANSWER","dst":")" + std::string(str(o, "src")) +
                  R"(","payload":{"sdp":{"type":"answer","sdp":)" + answer_sdp_ +
                  R"(},"type":"data","connectionId":"dc_)" + std::to_string(*seq) +
                  R"(","browser":"chrome","seq":)" + std::to_string(*seq) + "}}");
    } else if (type == "ANSWER") {
      auto seq = seq_of(o.if_contains("payload"));
      if (!seq) return protocol_error(text);
      on_answer(*seq);
    } else {
      protocol_error(text);
    }
  }

  // ---- round trips ----
  void send_offer(int pair, clock_type::time_point intended, bool measured) {
    auto& p = peers_[static_cast<std::size_t>(2 * pair)];
    std::uint64_t seq = next_seq_++;
    inflight_.emplace(seq, pending{intended, measured, pair});
    if (measured) ++sent_measured_;
    std::string s = std::to_string(seq);
    switch (opt_.protocol) {
      case proto::circlecdn:
        if (opt_.want_each)  // want id = seq (unique among this peer's wants in flight)
          send(p, R"({"type":"want","id":)" + s + R"(,"hash":")" +
                      hashes_.at(static_cast<std::size_t>(pair)) + "\"}");
        else
          send_signal_offer(p, p->partner_id, s);
        break;
      case proto::wt: {
        std::string msg = R"({"action":"announce","info_hash":")" + fixed20("ih", pair) +
                          R"(","peer_id":")" + p->id +
                          R"(","numwant":1,"uploaded":0,"downloaded":0,"left":0,)";
        if (!p->offered_once) msg += R"("event":"started",)";
        p->offered_once = true;
        msg += R"("offers":[{"offer":{"type":"offer","sdp":)" + offer_sdp_ + R"(},"offer_id":")" +
               fixed20("of", seq) + "\"}]}";
        send(p, std::move(msg));
        break;
      }
      case proto::peerjs:
        send(p, R"({"type":"OFFER","dst":")" + p->partner_id +
                    R"(","payload":{"sdp":{"type":"offer","sdp":)" + offer_sdp_ +
                    R"(},"type":"data","connectionId":"dc_)" + s + R"(","label":"dc_)" + s +
                    R"(","reliable":true,"serialization":"binary","browser":"chrome","seq":)" + s +
                    "}}");
        break;
    }
  }

  void send_signal_offer(const std::shared_ptr<peer>& p, const std::string& to,
                         const std::string& seq) {
    send(p, R"({"type":"signal","to":")" + to + R"(","data":{"seq":)" + seq +
                R"(,"sdp":{"type":"offer","sdp":)" + offer_sdp_ + "}}}");
  }

  void on_answer(std::uint64_t seq) {
    auto it = inflight_.find(seq);
    if (it == inflight_.end()) return protocol_error("answer for an unknown offer");
    auto now = clock_type::now();
    if (it->second.measured) {
      latencies_us_.push_back(
          std::chrono::duration<double, std::micro>(now - it->second.sent).count());
      ++done_measured_;
    }
    ++done_total_;
    int pair = it->second.pair;
    inflight_.erase(it);
    if (closed_loop_ && !stopping_sends_) send_offer(pair, clock_type::now(), measuring_);
  }

  // ---- HTTP helper (CircleCDN's manifest and stats) ----
  asio::awaitable<json::value> http_get_json(std::string target) {
    tcp::resolver resolver(io_);
    beast::ssl_stream<beast::tcp_stream> s(io_, ssl_ctx_);
    auto& lowest = beast::get_lowest_layer(s);
    lowest.expires_after(10s);
    co_await lowest.async_connect(
        co_await resolver.async_resolve(opt_.host, opt_.port, asio::use_awaitable),
        asio::use_awaitable);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, opt_.host + ":" + opt_.port);
    // /.circlecdn/stats needs the operator token (bench/signal/run.sh sets it).
    if (const char* token = std::getenv("CIRCLECDN_OPERATOR_TOKEN"))
      req.set(http::field::authorization, std::string("Bearer ") + token);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    if (opt_.tls) {
      co_await s.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
      co_await http::async_write(s, req, asio::use_awaitable);
      co_await http::async_read(s, b, res, asio::use_awaitable);
    } else {
      co_await http::async_write(lowest, req, asio::use_awaitable);
      co_await http::async_read(lowest, b, res, asio::use_awaitable);
    }
    beast::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (res.result() != http::status::ok)
      throw std::runtime_error("GET " + target + ": HTTP " + std::to_string(res.result_int()));
    co_return json::parse(res.body());
  }

  asio::awaitable<void> sleep_for(clock_type::duration d) {
    asio::steady_timer t(io_, d);
    co_await t.async_wait(asio::use_awaitable);
  }
  template <class Pred>
  asio::awaitable<bool> wait_until(Pred pred, clock_type::duration limit) {
    auto end = clock_type::now() + limit;
    while (!pred()) {
      if (clock_type::now() > end) co_return false;
      co_await sleep_for(5ms);
    }
    co_return true;
  }

  // ---- the run ----
  asio::awaitable<void> main_task() {
    const bool idle = opt_.mode == "idle";
    const int pairs = opt_.peers / 2;
    std::string name = opt_.protocol == proto::circlecdn ? "circlecdn"
                       : opt_.protocol == proto::wt      ? "wt"
                                                         : "peerjs";
    if (opt_.tls) name += "+tls";
    if (!idle && opt_.protocol == proto::circlecdn) {
      auto manifest = co_await http_get_json("/.circlecdn/manifest.json");
      for (const auto& f : manifest.at("files").as_array())
        hashes_.emplace_back(f.at("sha256").as_string());
      if (static_cast<int>(hashes_.size()) < pairs)
        throw std::runtime_error("the site has " + std::to_string(hashes_.size()) +
                                 " files; pairing needs one per pair (" + std::to_string(pairs) +
                                 ")");
    }
    std::optional<json::value> stats0;
    if (opt_.stats) stats0 = co_await http_get_json("/.circlecdn/stats");
    long rss0 = opt_.server_pid ? rss_kb(opt_.server_pid) : -1;

    // connect, a bounded number at a time
    for (int i = 0; i < opt_.peers; ++i) {
      auto p = std::make_shared<peer>(io_, i, opt_.tls ? &ssl_ctx_ : nullptr);
      if (opt_.protocol == proto::wt) p->id = fixed20("-CB0001-", static_cast<std::uint64_t>(i));
      if (opt_.protocol == proto::peerjs) p->id = "bench" + std::to_string(i);
      peers_.push_back(std::move(p));
    }
    auto t_connect = clock_type::now();
    int next = 0, connect_failures = 0;
    auto worker = [&]() -> asio::awaitable<void> {
      while (next < opt_.peers) {
        auto p = peers_[static_cast<std::size_t>(next++)];
        try {
          co_await connect_one(p);
        } catch (const std::exception& e) {
          if (++connect_failures <= 3)
            std::cerr << "connect " << p->index << ": " << e.what() << "\n";
          p->closed = true;
        }
      }
    };
    int workers_left = opt_.connect_parallel;
    for (int w = 0; w < opt_.connect_parallel; ++w)
      asio::co_spawn(io_, worker(), [&](std::exception_ptr) { --workers_left; });
    co_await wait_until([&] { return workers_left == 0; }, 600s);
    bool all_ready = co_await wait_until([&] { return ready_ == opt_.peers; }, 30s);
    double connect_s = std::chrono::duration<double>(clock_type::now() - t_connect).count();
    if (!all_ready) {
      std::cerr << "only " << ready_ << " of " << opt_.peers << " peers connected\n";
      exit_code_ = 1;
      co_return close_all();
    }

    if (idle) {
      co_await sleep_for(std::chrono::duration_cast<clock_type::duration>(
          std::chrono::duration<double>(opt_.settle)));
      long rss1 = opt_.server_pid ? rss_kb(opt_.server_pid) : -1;
      std::printf("proto=%s mode=idle peers=%d connect_s=%.2f", name.c_str(), opt_.peers,
                  connect_s);
      if (opt_.server_pid)
        std::printf(" rss_before_kb=%ld rss_after_kb=%ld rss_bytes_per_peer=%.0f", rss0, rss1,
                    static_cast<double>(rss1 - rss0) * 1024.0 / opt_.peers);
      if (opt_.stats) {
        auto stats1 = co_await http_get_json("/.circlecdn/stats");
        auto heap = [](const json::value& s) { return s.at("heap_bytes").to_number<double>(); };
        std::printf(" heap_bytes_per_peer=%.0f peers_online=%lld",
                    (heap(stats1) - heap(*stats0)) / opt_.peers,
                    static_cast<long long>(stats1.at("peers_online").to_number<double>()));
      }
      std::printf(" errors=%d disconnects=%d\n", errors_, disconnects_);
      if (errors_ || disconnects_) exit_code_ = 1;
      co_return close_all();
    }

    // pair the peers (CircleCDN: announce + want; wt: the answerer joins its swarm)
    switch (opt_.protocol) {
      case proto::circlecdn:
        for (int k = 0; k < pairs; ++k)
          send(peers_[static_cast<std::size_t>(2 * k + 1)],
               R"({"type":"announce","have":[")" + hashes_[static_cast<std::size_t>(k)] + "\"]}");
        co_await sleep_for(300ms);
        for (int k = 0; k < pairs; ++k) send_want(peers_[static_cast<std::size_t>(2 * k)]);
        break;
      case proto::wt:
        for (int k = 0; k < pairs; ++k) {
          auto& a = peers_[static_cast<std::size_t>(2 * k + 1)];
          send(
              a,
              R"({"action":"announce","info_hash":")" +
                  fixed20("ih", static_cast<std::uint64_t>(k)) + R"(","peer_id":")" + a->id +
                  R"(","numwant":0,"uploaded":0,"downloaded":0,"left":0,"event":"started","offers":[]})");
        }
        break;
      case proto::peerjs:
        for (int k = 0; k < pairs; ++k) {
          peers_[static_cast<std::size_t>(2 * k)]->partner_id =
              peers_[static_cast<std::size_t>(2 * k + 1)]->id;
          ++paired_;
        }
        break;
    }
    if (!co_await wait_until([&] { return paired_ == pairs; }, 30s)) {
      std::cerr << "only " << paired_ << " of " << pairs << " pairs set up\n";
      exit_code_ = 1;
      co_return close_all();
    }

    // round trips
    auto warmup = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(opt_.warmup));
    auto window = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(opt_.duration));
    double cpu0 = 0, self0 = 0;
    clock_type::time_point t0;
    auto start_measuring = [&] {
      measuring_ = true;
      t0 = clock_type::now();
      cpu0 = servers_cpu();
      self0 = self_cpu_seconds();
    };
    double elapsed = 0, cpu = 0, self_cpu = 0;
    auto stop_measuring = [&] {
      measuring_ = false;
      elapsed = std::chrono::duration<double>(clock_type::now() - t0).count();
      cpu = servers_cpu() - cpu0;
      self_cpu = self_cpu_seconds() - self0;
    };
    std::uint64_t done_in_window = 0;
    if (opt_.mode == "saturate") {
      closed_loop_ = true;
      for (int k = 0; k < pairs; ++k)
        for (int j = 0; j < opt_.inflight; ++j) send_offer(k, clock_type::now(), false);
      co_await sleep_for(warmup);
      std::uint64_t before = done_total_;
      start_measuring();
      co_await sleep_for(window);
      stop_measuring();
      done_in_window = done_total_ - before;
      stopping_sends_ = true;
    } else {  // rate: open loop, round robin over the pairs
      auto begin = clock_type::now();
      auto measure_from = begin + warmup, end = measure_from + window;
      std::uint64_t sent = 0;
      int rr = 0;
      bool started = false;
      asio::steady_timer tick(io_);
      for (;;) {
        auto now = clock_type::now();
        if (!started && now >= measure_from) {
          started = true;
          start_measuring();
        }
        if (now >= end) break;
        auto due = static_cast<std::uint64_t>(std::chrono::duration<double>(now - begin).count() *
                                              opt_.rate);
        while (sent < due) {
          auto intended =
              begin + std::chrono::duration_cast<clock_type::duration>(
                          std::chrono::duration<double>(static_cast<double>(sent + 1) / opt_.rate));
          send_offer(rr, intended, intended >= measure_from);
          rr = (rr + 1) % pairs;
          ++sent;
        }
        // sleep until the next offer is due (no fixed tick: its granularity would count as latency)
        tick.expires_at(std::min(end, begin + std::chrono::duration_cast<clock_type::duration>(
                                                  std::chrono::duration<double>(
                                                      static_cast<double>(sent + 1) / opt_.rate))));
        co_await tick.async_wait(asio::use_awaitable);
      }
      // the window's round trips may finish after it: wait for them (bounded), then stop the clock
      co_await wait_until([&] { return done_measured_ == sent_measured_; }, 5s);
      stop_measuring();
      done_in_window = done_measured_;
    }
    co_await wait_until([&] { return inflight_.empty(); }, 5s);

    std::sort(latencies_us_.begin(), latencies_us_.end());
    auto pct = [&](double q) {
      if (latencies_us_.empty()) return 0.0;
      auto i = static_cast<std::size_t>(q * static_cast<double>(latencies_us_.size() - 1));
      return latencies_us_[i];
    };
    double per_s = static_cast<double>(done_in_window) / elapsed;
    std::printf(
        "proto=%s%s mode=%s peers=%d pairs=%d sdp_bytes=%d%s roundtrips=%llu seconds=%.2f "
        "rt_per_s=%.0f "
        "p50_us=%.0f p99_us=%.0f max_us=%.0f server_cpu_s=%.3f server_cpu_us_per_rt=%.2f "
        "loadgen_cpu_pct=%.0f lost=%llu errors=%d disconnects=%d misses=%d\n",
        name.c_str(), opt_.want_each ? "+want" : "", opt_.mode.c_str(), opt_.peers, pairs,
        opt_.sdp_bytes,
        opt_.mode == "rate" ? (" rate=" + std::to_string(static_cast<long>(opt_.rate))).c_str()
                            : "",
        static_cast<unsigned long long>(done_in_window), elapsed, per_s, pct(0.5), pct(0.99),
        latencies_us_.empty() ? 0.0 : latencies_us_.back(), cpu,
        done_in_window ? cpu * 1e6 / static_cast<double>(done_in_window) : 0.0,
        100.0 * self_cpu / elapsed,
        static_cast<unsigned long long>(opt_.mode == "rate" ? sent_measured_ - done_measured_ : 0),
        errors_, disconnects_, misses_);
    if (errors_ || disconnects_ || done_in_window == 0) exit_code_ = 1;
    close_all();
  }

  void close_all() {
    stopping_ = true;
    for (auto& p : peers_) {
      p->closed = true;
      beast::error_code ignored;
      p->lowest().socket().close(ignored);
    }
  }

  options opt_;
  asio::io_context io_{1};
  // --tls: TLS 1.2+ with whatever certificate the server has (the harness makes a throwaway one).
  asio::ssl::context ssl_ctx_{asio::ssl::context::tls_client};
  std::string offer_sdp_, answer_sdp_;
  std::vector<std::shared_ptr<peer>> peers_;
  std::vector<std::string> hashes_;
  std::unordered_map<std::uint64_t, pending> inflight_;
  std::vector<double> latencies_us_;
  std::uint64_t next_seq_ = 1, done_total_ = 0, done_measured_ = 0, sent_measured_ = 0;
  int ready_ = 0, paired_ = 0, errors_ = 0, disconnects_ = 0, misses_ = 0, exit_code_ = 0;
  bool closed_loop_ = false, stopping_sends_ = false, measuring_ = false, stopping_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  options o = parse_args(argc, argv);
  bench b(std::move(o));
  return b.run();
}
