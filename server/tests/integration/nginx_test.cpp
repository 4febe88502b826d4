// The nginx configuration in deploy/nginx/, tested for real: Debian's nginx started by the test on
// free loopback ports with a certificate the test makes, circlecdn behind it with --trust-proxy
// 127.0.0.1/32, and through nginx a WebSocket session (welcome, a want answered) and files, byte
// for byte, with a Secure cookie. The test changes only what must change on a test machine (listen
// addresses, certificate paths, the upstream port, file locations); every other line is the
// repo's. nginx is stopped by its PID.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/test_cert.hpp"
#include "support/test_site.hpp"
#include "support/tls_client.hpp"

extern char** environ;

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

const char* nginx_binary() {
  const char* env = std::getenv("NGINX");
  return env ? env : "/usr/sbin/nginx";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces every match of `pattern`; fails the test when there is none (the repo's config no
// longer looks the way the test expects: update both together).
void replace(std::string& text, const std::string& pattern, const std::string& with) {
  std::regex re(pattern);
  ASSERT_TRUE(std::regex_search(text, re)) << "deploy/nginx: no line matches " << pattern;
  text = std::regex_replace(text, re, with);
}

std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

bool accepts(std::uint16_t port) {
  asio::io_context io;
  tcp::socket s(io);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

struct nginx_process {
  nginx_process(const std::filesystem::path& prefix, const std::filesystem::path& conf) {
    std::string p = prefix.string(), c = conf.string(), e = (prefix / "error.log").string();
    std::vector<const char*> argv{nginx_binary(), "-p",      p.c_str(), "-c",          c.c_str(),
                                  "-e",           e.c_str(), "-g",      "daemon off;", nullptr};
    if (posix_spawn(&pid, nginx_binary(), nullptr, nullptr, const_cast<char**>(argv.data()),
                    environ) != 0)
      throw std::runtime_error("cannot start nginx");
  }
  ~nginx_process() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);  // by its PID, never by name
    ::waitpid(pid, nullptr, 0);
  }
  pid_t pid = -1;
};

}  // namespace

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

  auto site_conf = read_file(repo / "deploy/nginx/circlecdn.conf");
  replace(site_conf, R"(listen 443 ssl;)",
          "listen 127.0.0.1:" + std::to_string(https_port) + " ssl;");
  replace(site_conf, R"(\n *listen \[::\]:443 ssl;)", "");
  replace(site_conf, R"(listen 80;)", "listen 127.0.0.1:" + std::to_string(http_port) + ";");
  replace(site_conf, R"(\n *listen \[::\]:80;)", "");
  replace(site_conf, R"(ssl_certificate +/\S+;)",
          "ssl_certificate " + cert.cert_file.string() + ";");
  replace(site_conf, R"(ssl_certificate_key +/\S+;)",
          "ssl_certificate_key " + cert.key_file.string() + ";");
  replace(site_conf, R"(server 127\.0\.0\.1:8080;)",
          "server 127.0.0.1:" + std::to_string(site.port) + ";");
  std::ofstream(dir.path() / "circlecdn.conf") << site_conf;

  auto main_conf = read_file(repo / "deploy/nginx/nginx.conf");
  // Workers run as root only when the test does (they must reach the test's files).
  replace(main_conf, R"(user www-data;)", ::geteuid() == 0 ? "user root;" : "");
  replace(main_conf, R"(worker_processes auto;)", "worker_processes 1;");
  replace(main_conf, R"(pid /run/nginx.pid;)", "pid " + (dir.path() / "nginx.pid").string() + ";");
  replace(main_conf, R"(error_log /var/log/nginx/error.log warn;)",
          "error_log " + (dir.path() / "error.log").string() + " warn;");
  replace(main_conf, R"(access_log /var/log/nginx/access.log;)",
          "access_log " + (dir.path() / "access.log").string() + ";\n" +
              "  client_body_temp_path " + (dir.path() / "body").string() + ";\n" +
              "  proxy_temp_path " + (dir.path() / "proxy").string() + ";\n" +
              "  fastcgi_temp_path " + (dir.path() / "fastcgi").string() + ";\n" +
              "  uwsgi_temp_path " + (dir.path() / "uwsgi").string() + ";\n" + "  scgi_temp_path " +
              (dir.path() / "scgi").string() + ";");
  replace(main_conf, R"(include /etc/nginx/conf\.d/circlecdn\.conf;)",
          "include " + (dir.path() / "circlecdn.conf").string() + ";");
  std::ofstream(dir.path() / "nginx.conf") << main_conf;

  nginx_process nginx(dir.path(), dir.path() / "nginx.conf");
  bool up = false;
  for (int i = 0; i < 1000 && !up; ++i) {  // a safety net of 10 s, not a timing check
    up = accepts(https_port);
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(up) << "nginx did not start:\n" << read_file(dir.path() / "error.log");

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
