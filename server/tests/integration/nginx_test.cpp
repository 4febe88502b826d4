// The nginx configuration in deploy/nginx/, tested for real: Debian's nginx started by the test on
// free loopback ports with a certificate the test makes, circlecdn behind it with --trust-proxy
// 127.0.0.1/32, and through nginx a WebSocket session (welcome, a want answered) and files, byte
// for byte, with a Secure cookie. The test changes only what must change on a test machine (listen
// addresses, certificate paths, the upstream port, file locations); every other line is the
// repo's. nginx is stopped by its PID.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/nginx_process.hpp"
#include "support/operator_token.hpp"
#include "support/test_cert.hpp"
#include "support/test_site.hpp"
#include "support/tls_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

TEST(Nginx, TheRepoConfigCarriesWebSocketsAndFilesWithSecureCookies) {
  ASSERT_EQ(::access(nginx_binary(), X_OK), 0)
      << nginx_binary() << " missing (scripts/install-deps.sh installs nginx-light)";
  app::config cfg;
  cfg.tls.trust_proxy = {"127.0.0.1/32"};
  test_site site(8, cfg);

  temp_dir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all |
                                               std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
  auto cert = make_test_cert(dir.path(), "nginx");
  const auto https_port = free_port(), http_port = free_port();
  const std::filesystem::path repo = CIRCLECDN_SOURCE_DIR;

  auto site_conf = site_conf_for_test(repo, https_port, http_port, cert);
  replace(site_conf, R"(server 127\.0\.0\.1:8080;)",
          "server 127.0.0.1:" + std::to_string(site.port) + ";");
  nginx_process nginx(dir.path(), write_nginx_conf(repo, dir.path(), site_conf));
  ASSERT_TRUE(nginx_process::up(https_port)) << "nginx did not start:\n"
                                             << read_file(dir.path() / "error.log");

  // A signaling session through nginx: the welcome, then a want answered.
  {
    wss_client peer(https_port);
    EXPECT_EQ(peer.fingerprint(), cert.fingerprint);  // TLS is nginx's
    EXPECT_FALSE(peer.welcome().at("peer").as_string().empty());
    peer.send(R"({"type":"want","id":4,"hash":")" + std::string(64, '0') + R"("})");
    auto m = peer.read();
    EXPECT_EQ(m["type"], "miss");
    EXPECT_EQ(m["id"], 4);
    auto stats =
        boost::json::parse(https_get(https_port, "/.circlecdn/stats", operator_auth()).body())
            .as_object();
    EXPECT_EQ(stats["peers_online"], 1);
    peer.close();
  }

  // Files through nginx, byte for byte; the cookie is Secure (X-Forwarded-Proto from nginx).
  auto small = https_get(https_port, "/f5.txt");
  EXPECT_EQ(small.result(), http::status::ok);
  EXPECT_EQ(small.body(), test_site::content(5));
  EXPECT_EQ(small.count(http::field::set_cookie), 0u);  // an asset: never a cookie
  auto manifest = https_get(https_port, "/.circlecdn/manifest.json");
  EXPECT_NE(std::string(manifest[http::field::set_cookie]).find("; Secure"), std::string::npos)
      << manifest[http::field::set_cookie];
  std::string big(600 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
  auto whole = https_get(https_port, "/big.bin");
  EXPECT_EQ(whole.result(), http::status::ok);
  EXPECT_TRUE(whole.body() == big);

  // Plain HTTP is moved to https by nginx.
  auto moved = get(http_port, "/f1.txt");
  EXPECT_EQ(moved.result(), http::status::moved_permanently);
  EXPECT_TRUE(std::string(moved[http::field::location]).starts_with("https://")) << moved;
  // circlecdn served it all (nginx's own error log has nothing above warn).
  EXPECT_EQ(read_file(dir.path() / "error.log").find("[error]"), std::string::npos)
      << read_file(dir.path() / "error.log");
}
