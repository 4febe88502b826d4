// ws::session over a socketpair: the session's own behaviour (sink calls, write-queue cap, close
// handshake, ping and keep-alive, the cut of a frame that never completes) with no TCP, no HTTP and
// no tracker. The server's end runs on an io_context the test polls; the client's end is a plain
// descriptor the test reads and writes itself. One test runs the same over TLS.
#include "ws/session.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "net/async_stream.hpp"
#include "net/tls_context.hpp"
#include "support/temp_dir.hpp"
#include "support/test_cert.hpp"
#include "ws/client_frames.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using namespace std::chrono_literals;

namespace {

constexpr std::uint8_t op_text = 1, op_binary = 2, op_close = 8, op_ping = 9, op_pong = 10;

struct recorder : ws::message_sink {
  int opened = 0, closed = 0;
  std::vector<std::string> texts, binaries;
  std::function<void(std::string_view)> on_text_hook;
  void on_open() override { ++opened; }
  void on_text(std::string_view m) override {
    texts.emplace_back(m);
    if (on_text_hook) on_text_hook(m);
  }
  void on_binary(std::string_view m) override { binaries.emplace_back(m); }
  void on_close() override { ++closed; }
};

struct server_frame {
  std::uint8_t op = 0;
  std::string payload;
  std::uint16_t code() const {
    return payload.size() < 2
               ? 0
               : static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 |
                                            static_cast<unsigned char>(payload[1]));
  }
};

// Takes one whole server frame (unmasked) off the front of `buf`, if there is one.
std::optional<server_frame> take_frame(std::string& buf) {
  if (buf.size() < 2) return std::nullopt;
  auto b0 = static_cast<unsigned char>(buf[0]), b1 = static_cast<unsigned char>(buf[1]);
  std::size_t len = b1 & 0x7F, at = 2;
  if (len == 126) {
    if (buf.size() < 4) return std::nullopt;
    len = static_cast<unsigned char>(buf[2]) << 8 | static_cast<unsigned char>(buf[3]);
    at = 4;
  } else if (len == 127) {
    if (buf.size() < 10) return std::nullopt;
    len = 0;
    for (int i = 2; i < 10; ++i) len = len << 8 | static_cast<unsigned char>(buf[i]);
    at = 10;
  }
  if (buf.size() < at + len) return std::nullopt;
  server_frame f{static_cast<std::uint8_t>(b0 & 0x0F), buf.substr(at, len)};
  buf.erase(0, at + len);
  return f;
}

// A session on one end of a socketpair; the test is the client on the other.
struct session_pair {
  explicit session_pair(ws::session_limits lim = {}, int buffer_bytes = 0) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) throw std::runtime_error("socketpair");
    if (buffer_bytes > 0) {
      ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
      ::setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    }
    hub.lim = lim;
    client = fds[1];
    session =
        std::make_shared<ws::session>(net::stream(tcp::socket(io, tcp::v4(), fds[0])), hub, sink);
    session->start();
    poll();
  }
  ~session_pair() {
    if (client >= 0) ::close(client);
    session.reset();
    io.restart();
    io.poll();
  }
  // Runs every handler that is ready, as often as new ones become ready.
  void poll() {
    io.restart();
    while (io.poll() > 0) io.restart();
  }
  void write(const std::string& bytes) {
    ASSERT_EQ(::write(client, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    poll();
  }
  // Reads what the server has written so far (never blocks); false once the server closed.
  bool pump() {
    poll();
    char chunk[65536];
    for (;;) {
      ssize_t n = ::recv(client, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        inbox.append(chunk, static_cast<std::size_t>(n));
        poll();
        continue;
      }
      return !(n == 0);  // 0: end of stream; -1 (EAGAIN): nothing more now
    }
  }
  // The next frame, pumping the session until it arrives (nullopt: the server closed first).
  std::optional<server_frame> next() {
    for (int i = 0; i < 1000; ++i) {
      if (auto f = take_frame(inbox)) return f;
      if (!pump()) return take_frame(inbox);
      ::pollfd p{client, POLLIN, 0};
      ::poll(&p, 1, 10);
    }
    return std::nullopt;
  }
  bool closed_by_server() {
    for (int i = 0; i < 1000; ++i) {
      if (!pump()) return true;
      ::pollfd p{client, POLLIN, 0};
      ::poll(&p, 1, 10);
    }
    return false;
  }

  asio::io_context io;
  ws::session_hub hub;
  recorder sink;
  std::shared_ptr<ws::session> session;
  int client = -1;
  std::string inbox;
};

ws::payload text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

TEST(WsSession, OpensAndHandsWholeMessagesToTheSink) {
  session_pair p;
  EXPECT_EQ(p.sink.opened, 1);
  EXPECT_EQ(p.hub.sessions.size(), 1u);
  p.write(client_frame("hello") + client_frame("bin", {.op = op_binary}) +
          client_frame("frag", {.fin = false}) + client_frame("mented", {.op = 0}));
  EXPECT_EQ(p.sink.texts, (std::vector<std::string>{"hello", "fragmented"}));
  EXPECT_EQ(p.sink.binaries, std::vector<std::string>{"bin"});
  p.session->send_text(text("to you"));
  auto f = p.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, op_text);
  EXPECT_EQ(f->payload, "to you");
}

TEST(WsSession, AnsweringPingsWithTheirPayload) {
  session_pair p;
  p.write(client_frame("are you there", {.op = op_ping}));
  auto f = p.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, op_pong);
  EXPECT_EQ(f->payload, "are you there");
}

TEST(WsSession, ClientCloseIsEchoedThenTheServerHangsUp) {
  session_pair p;
  p.write(client_frame(close_payload(1000, "bye"), {.op = op_close}));
  EXPECT_EQ(p.sink.closed, 1);
  auto f = p.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, op_close);
  EXPECT_EQ(f->code(), 1000);
  // The server sent its FIN and waits for ours before closing (no reset under its close frame).
  EXPECT_TRUE(p.closed_by_server());
  EXPECT_EQ(p.hub.sessions.size(), 1u);
  ::shutdown(p.client, SHUT_WR);
  p.poll();
  EXPECT_TRUE(p.hub.sessions.empty());
  EXPECT_EQ(p.sink.closed, 1);  // once
}

TEST(WsSession, ServerCloseWaitsForTheAnswerOrTheCloseTimeout) {
  {
    session_pair p;
    p.session->close(1001, "restart");
    auto f = p.next();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->op, op_close);
    EXPECT_EQ(f->code(), 1001);
    EXPECT_EQ(f->payload.substr(2), "restart");
    p.session->send_text(text("late"));  // nothing goes after a close frame
    EXPECT_EQ(p.sink.closed, 0);
    p.write(client_frame("ignored") + client_frame(close_payload(1001), {.op = op_close}));
    EXPECT_TRUE(p.sink.texts.empty());  // content after our close is not handed on
    EXPECT_EQ(p.sink.closed, 1);
    EXPECT_TRUE(p.closed_by_server());
    EXPECT_FALSE(p.next().has_value());
  }
  {
    session_pair p;
    p.session->close(1001, "restart");
    auto now = ws::session::clock::now();
    EXPECT_EQ(ws::keep_alive(p.hub.sessions, now), 0u);
    EXPECT_EQ(ws::keep_alive(p.hub.sessions, now + p.hub.lim.close_timeout + 1s), 1u);
    p.poll();
    EXPECT_EQ(p.sink.closed, 1);
    EXPECT_TRUE(p.hub.sessions.empty());
    EXPECT_TRUE(p.closed_by_server());
  }
}

TEST(WsSession, SilentPeerIsPingedThenDroppedWhileOneThatAnswersStays) {
  session_pair silent, lively;
  auto t0 = ws::session::clock::now();
  auto ping_after = silent.hub.lim.ping_after;
  EXPECT_EQ(ws::keep_alive(silent.hub.sessions, t0), 0u);
  EXPECT_EQ(ws::keep_alive(silent.hub.sessions, t0 + ping_after + 1s), 0u);
  EXPECT_EQ(ws::keep_alive(lively.hub.sessions, t0 + ping_after + 1s), 0u);
  auto ping = silent.next();
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->op, op_ping);
  auto ping2 = lively.next();
  ASSERT_TRUE(ping2);
  EXPECT_EQ(ping2->op, op_ping);
  lively.write(client_frame(ping2->payload, {.op = op_pong}));
  // A second interval: the silent one goes (no close handshake), the lively one is only pinged.
  auto later = t0 + 2 * ping_after + 2s;
  EXPECT_EQ(ws::keep_alive(silent.hub.sessions, later), 1u);
  EXPECT_EQ(ws::keep_alive(lively.hub.sessions, later), 0u);
  silent.poll();
  EXPECT_EQ(silent.sink.closed, 1);
  EXPECT_TRUE(silent.closed_by_server());
  EXPECT_EQ(lively.sink.closed, 0);
  EXPECT_EQ(lively.hub.sessions.size(), 1u);
}

TEST(WsSession, AFrameThatNeverCompletesIsCutAfterPingAfter) {
  session_pair p;
  std::string frame = client_frame(std::string(1000, 'x'));
  p.write(frame.substr(0, 10));  // a dribbler: bytes keep coming, the frame never ends
  auto t0 = ws::session::clock::now();
  p.write(frame.substr(10, 10));
  EXPECT_EQ(ws::keep_alive(p.hub.sessions, t0 + p.hub.lim.ping_after / 2), 0u);
  EXPECT_EQ(ws::keep_alive(p.hub.sessions, t0 + p.hub.lim.ping_after + 1s), 1u);
  p.poll();
  EXPECT_EQ(p.sink.closed, 1);
  EXPECT_TRUE(p.sink.texts.empty());
  EXPECT_TRUE(p.closed_by_server());
}

TEST(WsSession, FragmentsWithoutEndAreCutAfterPingAfter) {
  session_pair p;
  p.write(client_frame("{", {.fin = false}) + client_frame(" ", {.op = 0, .fin = false}));
  auto t0 = ws::session::clock::now();
  EXPECT_EQ(ws::keep_alive(p.hub.sessions, t0 + p.hub.lim.ping_after + 1s), 1u);
  p.poll();
  EXPECT_EQ(p.sink.closed, 1);
  EXPECT_TRUE(p.closed_by_server());
}

TEST(WsSession, CompleteFramesResetTheDribbleClock) {
  session_pair p;
  auto t0 = ws::session::clock::now();
  std::string frame = client_frame("whole");
  p.write(frame.substr(0, 3));
  p.write(frame.substr(3));  // completes: nothing is half-received any more
  EXPECT_EQ(p.sink.texts, std::vector<std::string>{"whole"});
  EXPECT_EQ(ws::keep_alive(p.hub.sessions, t0 + p.hub.lim.ping_after + 1s), 0u);  // a ping only
  EXPECT_EQ(p.sink.closed, 0);
}

TEST(WsSession, AReaderThatFallsBehindTheQueueCapIsCutOff) {
  ws::session_limits lim;
  lim.write_queue_messages = 8;
  session_pair p(lim, 4096);  // small socket buffers: the queue fills at once
  auto big = text(std::string(16 * 1024, 'm'));
  int sent = 0;
  for (; sent < 1000 && p.sink.closed == 0; ++sent) {
    p.session->send_text(big);
    EXPECT_LE(p.session->queued(), lim.write_queue_messages + 1);  // + our close frame
  }
  // The client reads at last: some messages, then the close frame (1008), nothing after it.
  int messages = 0;
  std::optional<server_frame> f;
  while ((f = p.next()) && f->op == op_text) ++messages;
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, op_close);
  EXPECT_EQ(f->code(), 1008);
  EXPECT_EQ(f->payload.substr(2), "too slow to read");
  EXPECT_LT(messages, sent);
  p.write(client_frame(close_payload(1008), {.op = op_close}));
  EXPECT_EQ(p.sink.closed, 1);
  EXPECT_TRUE(p.closed_by_server());
}

TEST(WsSession, PeerVanishingMidFrameEndsTheSessionOnce) {
  session_pair p;
  p.write(client_frame("half a frame").substr(0, 6));
  ::close(p.client);
  p.client = -1;
  p.poll();
  EXPECT_EQ(p.sink.closed, 1);
  EXPECT_TRUE(p.hub.sessions.empty());
}

// The same session over TLS on the socketpair: an OpenSSL client on a thread of its own, an echo
// sink, and the close handshake with close_notify.
TEST(WsSession, RunsOverTlsAlike) {
  temp_dir dir;
  auto cert = make_test_cert(dir.path(), "server");
  net::tls_context tls(cert.cert_file, cert.key_file);
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  asio::io_context io;
  ws::session_hub hub;
  recorder sink;
  std::shared_ptr<ws::session> session;
  sink.on_text_hook = [&](std::string_view m) {
    session->send_text(text("echo " + std::string(m)));
  };

  std::string echoed, fingerprint;
  std::uint16_t close_code = 0;
  bool got_eof = false;
  std::thread client([&, fd = fds[1]] {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      X509* peer = SSL_get1_peer_certificate(ssl);
      fingerprint = sha256_fingerprint(peer);
      X509_free(peer);
      std::string out = client_frame("hi") + client_frame(close_payload(1000), {.op = op_close});
      SSL_write(ssl, out.data(), static_cast<int>(out.size()));
      std::string in;
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) in.append(buf, static_cast<std::size_t>(n));
      got_eof = SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN;  // a close_notify
      if (auto f = take_frame(in); f && f->op == op_text) echoed = f->payload;
      if (auto f = take_frame(in); f && f->op == op_close) close_code = f->code();
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ::shutdown(fd, SHUT_WR);
  });

  auto hs = std::make_shared<net::async_stream>(
      net::stream(tcp::socket(io, tcp::v4(), fds[0]), tls.new_ssl()));
  hs->async_handshake([&](beast::error_code ec, std::size_t) {
    ASSERT_FALSE(ec) << ec.message();
    session = std::make_shared<ws::session>(hs->release(), hub, sink);
    EXPECT_TRUE(session->is_tls());
    session->start();
  });
  io.run_for(10s);
  client.join();
  EXPECT_EQ(fingerprint, cert.fingerprint);
  EXPECT_EQ(sink.texts, std::vector<std::string>{"hi"});
  EXPECT_EQ(echoed, "echo hi");
  EXPECT_EQ(close_code, 1000);
  EXPECT_TRUE(got_eof);
  EXPECT_EQ(sink.closed, 1);
  EXPECT_TRUE(hub.sessions.empty());
  ::close(fds[1]);
}
