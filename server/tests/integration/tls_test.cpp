// HTTPS and WSS on the server's one listener, with certificates made by the test: files byte for
// byte, Secure cookies, the signaling welcome, TLS versions and ALPN refused cleanly, the
// certificate reloaded for new handshakes while open connections stay, a bad new pair refused,
// and the plain listener's 301.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/temp_dir.hpp"
#include "support/test_cert.hpp"
#include "support/test_site.hpp"
#include "support/tls_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

// A site served over TLS with certificate "a" (a second pair "b" is ready for reloads).
struct tls_site {
  explicit tls_site(app::config base = {})
      : a(make_test_cert(certs.path(), "a")), b(make_test_cert(certs.path(), "b")) {
    std::filesystem::copy_file(a.cert_file, certs.path() / "live.crt");
    std::filesystem::copy_file(a.key_file, certs.path() / "live.key");
    base.tls.cert_file = certs.path() / "live.crt";
    base.tls.key_file = certs.path() / "live.key";
    site = std::make_unique<test_site>(8, base);
  }
  // Puts a pair in place of the live files (as an operator's renewal would).
  void install(const std::filesystem::path& cert, const std::filesystem::path& key) {
    auto opts = std::filesystem::copy_options::overwrite_existing;
    std::filesystem::copy_file(cert, certs.path() / "live.crt", opts);
    std::filesystem::copy_file(key, certs.path() / "live.key", opts);
  }
  std::uint16_t port() const { return site->port; }

  temp_dir certs;
  test_cert a, b;
  std::unique_ptr<test_site> site;
};

std::string unknown_want(int id) {
  return R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + std::string(64, '0') +
         R"("})";
}

}  // namespace

TEST(Tls, HttpsServesFilesByteForByte) {
  tls_site s;
  auto small = https_get(s.port(), "/f3.txt");
  EXPECT_EQ(small.result(), http::status::ok);
  EXPECT_EQ(small.body(), test_site::content(3));
  std::string big(600 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
  auto whole = https_get(s.port(), "/big.bin");
  EXPECT_EQ(whole.result(), http::status::ok);
  EXPECT_TRUE(whole.body() == big);
  auto part = https_get(s.port(), "/big.bin", {{"Range", "bytes=100000-300000"}});
  EXPECT_EQ(part.result(), http::status::partial_content);
  EXPECT_TRUE(part.body() == big.substr(100000, 200001));
  // Keep-alive: several requests on one TLS connection, answers in order.
  tls_connection c(s.port());
  EXPECT_EQ(c.alpn(), "http/1.1");
  for (int i = 0; i < 3; ++i) {
    c.write(build_request("GET", "/f" + std::to_string(i) + ".txt"));
    EXPECT_EQ(c.read().body(), test_site::content(i));
  }
}

TEST(Tls, HttpsServesFilesUnderTheOriginCap) {
  app::config cfg;
  cfg.origin_rate_limit_bytes_per_s = 4 << 20;
  tls_site s(cfg);
  auto whole = https_get(s.port(), "/big.bin");
  EXPECT_EQ(whole.body().size(), 600u * 1024);
  auto stats = boost::json::parse(https_get(s.port(), "/.circlecdn/stats", operator_auth()).body())
                   .as_object();
  EXPECT_GE(stats["origin_capped_bytes"].to_number<std::int64_t>(), 600 * 1024);
}

TEST(Tls, CookiesAreSecureByThemselves) {
  tls_site s;
  auto res = https_get(s.port(), "/.circlecdn/manifest.json");
  auto cookie = std::string(res[http::field::set_cookie]);
  EXPECT_TRUE(cookie.starts_with("circle_id=")) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  // The same server's plain twin does not mark them.
  test_site plain;
  auto p = get(plain.port, "/.circlecdn/manifest.json");
  EXPECT_EQ(std::string(p[http::field::set_cookie]).find("Secure"), std::string::npos);
}

TEST(Tls, WssSessionGetsItsWelcomeAndIsServed) {
  tls_site s;
  wss_client c(s.port());
  EXPECT_EQ(c.fingerprint(), s.a.fingerprint);
  EXPECT_FALSE(c.welcome().at("peer").as_string().empty());
  c.send(unknown_want(5));
  auto m = c.read();
  EXPECT_EQ(m["type"], "miss");
  EXPECT_EQ(m["id"], 5);
  c.close();
}

TEST(Tls, OldVersionsAreRefusedAndTls12And13Work) {
  tls_site s;
  tls_options old;
  old.min_version = TLS1_VERSION;
  old.max_version = TLS1_1_VERSION;
  EXPECT_THROW(tls_connection(s.port(), old), beast::system_error);
  tls_options v12;
  v12.max_version = TLS1_2_VERSION;
  EXPECT_EQ(tls_connection(s.port(), v12).version(), "TLSv1.2");
  EXPECT_EQ(tls_connection(s.port()).version(), "TLSv1.3");
  // The server carries on.
  EXPECT_EQ(https_get(s.port(), "/f0.txt").body(), test_site::content(0));
}

TEST(Tls, AlpnSelectsHttp11AndRefusesH2OnlyClients) {
  tls_site s;
  tls_options h2_only;
  h2_only.alpn = {"h2"};
  EXPECT_THROW(tls_connection(s.port(), h2_only), beast::system_error);
  tls_options both;
  both.alpn = {"h2", "http/1.1"};
  EXPECT_EQ(tls_connection(s.port(), both).alpn(), "http/1.1");
  tls_options none;
  none.alpn = {};
  tls_connection c(s.port(), none);  // no ALPN at all: HTTP/1.1 as before ALPN existed
  EXPECT_EQ(c.alpn(), "");
  c.write(build_request("GET", "/f2.txt"));
  EXPECT_EQ(c.read().body(), test_site::content(2));
}

TEST(Tls, PlainHttpOnTheTlsPortIsDroppedWithoutHarm) {
  tls_site s;
  http_connection c(s.port());
  c.write(build_request("GET", "/f0.txt"));
  EXPECT_ANY_THROW(c.read());  // no HTTP answer: at most a TLS alert, then the close
  EXPECT_EQ(https_get(s.port(), "/f0.txt").body(), test_site::content(0));
}

TEST(Tls, SilentConnectionsAreClosedByTheDeadlines) {
  app::config cfg;
  cfg.http_idle_timeout = std::chrono::seconds(1);
  cfg.limits.handshake_timeout = std::chrono::seconds(1);
  tls_site s(cfg);
  // A TCP connection that never starts its handshake.
  http_connection mute(s.port());
  EXPECT_TRUE(mute.closed_by_peer());
  // A TLS connection that never sends a request (the HTTP idle deadline under TLS).
  tls_connection idle(s.port());
  EXPECT_ANY_THROW(idle.read());  // end of stream, not a response
  EXPECT_EQ(https_get(s.port(), "/f0.txt").body(), test_site::content(0));
}

TEST(Tls, ReloadServesTheNewPairToNewHandshakesAndKeepsOpenConnections) {
  tls_site s;
  wss_client before(s.port());
  EXPECT_EQ(before.fingerprint(), s.a.fingerprint);
  s.install(s.b.cert_file, s.b.key_file);
  EXPECT_TRUE(s.site->server->reload());
  EXPECT_EQ(tls_connection(s.port()).fingerprint(), s.b.fingerprint);
  wss_client after(s.port());
  EXPECT_EQ(after.fingerprint(), s.b.fingerprint);
  // The connection made before the reload is still served.
  before.send(unknown_want(9));
  EXPECT_EQ(before.read()["id"], 9);
}

TEST(Tls, ABadNewPairIsRefusedAndTheOldOneStays) {
  tls_site s;
  // A key that does not match the certificate.
  s.install(s.b.cert_file, s.a.key_file);
  EXPECT_FALSE(s.site->server->reload());
  EXPECT_EQ(tls_connection(s.port()).fingerprint(), s.a.fingerprint);
  // A certificate file that is not there.
  std::filesystem::remove(s.certs.path() / "live.crt");
  EXPECT_FALSE(s.site->server->reload());
  EXPECT_EQ(tls_connection(s.port()).fingerprint(), s.a.fingerprint);
  // Garbage in the key file.
  s.install(s.b.cert_file, s.b.key_file);
  s.certs.write("live.key", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
  EXPECT_FALSE(s.site->server->reload());
  EXPECT_EQ(https_get(s.port(), "/f0.txt").body(), test_site::content(0));
  EXPECT_EQ(tls_connection(s.port()).fingerprint(), s.a.fingerprint);
  // Fixed: the next reload takes it.
  s.install(s.b.cert_file, s.b.key_file);
  EXPECT_TRUE(s.site->server->reload());
  EXPECT_EQ(tls_connection(s.port()).fingerprint(), s.b.fingerprint);
}

TEST(Tls, ReloadWithoutTlsHasNothingToDo) {
  test_site plain;
  EXPECT_TRUE(plain.server->reload());
  EXPECT_EQ(get(plain.port, "/f0.txt").body(), test_site::content(0));
}

TEST(Tls, RedirectListenerAnswers301ToHttps) {
  app::config cfg;
  cfg.tls.redirect_http = "127.0.0.1:0";
  tls_site s(cfg);
  auto redirect_port = s.site->server->redirect_port();
  ASSERT_NE(redirect_port, 0);
  auto raw =
      "GET /f1.txt?x=1 HTTP/1.1\r\nHost: example.com:" + std::to_string(redirect_port) + "\r\n\r\n";
  auto res = test::exchange(redirect_port, raw).at(0);
  EXPECT_EQ(res.result(), http::status::moved_permanently);
  EXPECT_EQ(res[http::field::location],
            "https://example.com:" + std::to_string(s.port()) + "/f1.txt?x=1");
  auto bad = test::exchange(redirect_port, "GET / HTTP/1.1\r\nHost: evil.com/x\r\n\r\n").at(0);
  EXPECT_EQ(bad.result(), http::status::bad_request);
  auto none = test::exchange(redirect_port, "GET / HTTP/1.1\r\n\r\n").at(0);
  EXPECT_EQ(none.result(), http::status::bad_request);
  EXPECT_EQ(https_get(s.port(), "/f1.txt").body(), test_site::content(1));
}

// --trust-proxy: X-Forwarded-Proto / -For count only from a trusted TCP peer.
TEST(TrustProxy, ForgedHeadersFromAnUntrustedAddressAreIgnored) {
  // The client address lands in the access log (written just after the response: polled).
  temp_dir logs;
  header_list forged{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.77"}};
  {
    app::config cfg;
    cfg.tls.trust_proxy = {"10.0.0.0/8", "::1/128"};  // not 127.0.0.1, where the test connects from
    cfg.logging.access_log = (logs.path() / "untrusted.log").string();
    test_site site(8, cfg);
    auto res = get(site.port, "/.circlecdn/manifest.json?untrusted", forged);
    EXPECT_EQ(std::string(res[http::field::set_cookie]).find("Secure"), std::string::npos);
    EXPECT_TRUE(wait_for_text(logs.path() / "untrusted.log", "127.0.0.1 - - ["))
        << read_text(logs.path() / "untrusted.log");
    EXPECT_EQ(read_text(logs.path() / "untrusted.log").find("203.0.113.77"), std::string::npos);
  }
  {
    app::config cfg;
    cfg.tls.trust_proxy = {"127.0.0.1/32"};
    cfg.logging.access_log = (logs.path() / "trusted.log").string();
    test_site site(8, cfg);
    auto res = get(site.port, "/.circlecdn/manifest.json?trusted", forged);
    EXPECT_NE(std::string(res[http::field::set_cookie]).find("; Secure"), std::string::npos);
    EXPECT_TRUE(wait_for_text(logs.path() / "trusted.log", "203.0.113.77 - - ["))
        << read_text(logs.path() / "trusted.log");
    // Without the headers, the same trusted proxy's request is plain.
    auto bare = get(site.port, "/.circlecdn/manifest.json?bare");
    EXPECT_EQ(std::string(bare[http::field::set_cookie]).find("Secure"), std::string::npos);
  }
}
