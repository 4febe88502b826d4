// deploy/nginx/circlecdn-cluster.conf tested for real: Debian's nginx in front of three circlecdn
// processes that share one real redis-server, with the repo's circlecdn.conf around it (TLS,
// WebSocket upgrade) and only ports, certificate and file locations rewritten. What an operator
// needs from it: every visitor's files and signaling socket reach one process (its `served`
// record is there), visitors spread over all the processes, and every process still sees the
// whole cluster's count.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cluster_fixture.hpp"
#include "support/nginx_process.hpp"
#include "support/test_cert.hpp"
#include "support/tls_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

// `circle_id=<secret>` from a Set-Cookie value ("" when there is none).
std::string cookie_pair(const http_response& res) {
  std::string set = std::string(res[http::field::set_cookie]);
  return set.substr(0, set.find(';'));
}

long long peers_online(std::uint16_t port) {
  auto stats = boost::json::parse(get(port, "/.circlecdn/stats", operator_auth()).body());
  return stats.at("peers_online").to_number<long long>();
}

}  // namespace

// The fixture's processes (cluster_fixture.hpp: one Redis, the shared token key), behind nginx.
TEST_F(cluster_test, NginxKeepsEachVisitorOnOneProcessAndSpreadsVisitorsOverAll) {
  ASSERT_EQ(::access(nginx_binary(), X_OK), 0)
      << nginx_binary() << " missing (scripts/install-deps.sh installs nginx-light)";
  // nginx's workers read the test's files (certificate, configs) from inside the temp dir.
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all |
                                               std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
  constexpr int visited_files = 4;  // each visitor loads one of the first few
  std::vector<std::unique_ptr<child_server>> procs;
  for (int i = 0; i < 3; ++i)
    procs.push_back(process({"--trust-proxy", "127.0.0.1/32", "--peers-per-address", "1000"}));

  const std::filesystem::path repo = CIRCLECDN_SOURCE_DIR;
  auto cert = make_test_cert(dir.path(), "nginx");
  const auto https_port = free_port(), http_port = free_port();
  auto site_conf = site_conf_for_test(repo, https_port, http_port, cert);
  // The cluster's upstream instead of the single one, pointed at the three processes.
  auto cluster = read_file(repo / "deploy/nginx/circlecdn-cluster.conf");
  for (int i = 0; i < 3; ++i)
    replace(cluster, R"(server 127\.0\.0\.1:808)" + std::to_string(i + 1) + " ",
            "server 127.0.0.1:" + std::to_string(procs[static_cast<std::size_t>(i)]->port) + " ");
  std::string literal;  // `$` is special in a regex replacement: nginx's variables need `$$`
  for (char c : cluster) literal += c == '$' ? std::string("$$") : std::string(1, c);
  replace(site_conf, R"(upstream circlecdn \{[^}]*\})", literal);
  nginx_process nginx(dir.path(), write_nginx_conf(repo, dir.path(), site_conf));
  ASSERT_TRUE(nginx_process::up(https_port)) << "nginx did not start:\n"
                                             << read_file(dir.path() / "error.log");

  // Visitors as a browser makes them: the manifest (which sets the cookie), a file with the
  // cookie, then the socket with the cookie. The welcome's `served` lists the file only if the
  // process that took the socket is the one that served the file.
  constexpr int visitors = 40;
  std::vector<std::unique_ptr<wss_client>> sockets;
  for (int v = 0; v < visitors; ++v) {
    auto manifest = https_get(https_port, "/.circlecdn/manifest.json");
    ASSERT_EQ(manifest.result(), http::status::ok);
    auto cookie = cookie_pair(manifest);
    ASSERT_TRUE(cookie.starts_with("circle_id=")) << manifest;
    const int f = v % visited_files;
    auto file = https_get(https_port, "/f" + std::to_string(f) + ".txt", {{"Cookie", cookie}});
    ASSERT_EQ(file.result(), http::status::ok);
    EXPECT_EQ(file.body(), content(f));
    tls_options o;
    o.cookie = cookie;
    sockets.push_back(std::make_unique<wss_client>(https_port, o));
    auto served = sockets.back()->welcome().at("served").as_array();
    EXPECT_EQ(served.size(), 1u) << "visitor " << v << ": the socket reached another process";
    if (!served.empty()) {
      EXPECT_EQ(served[0].as_string(), content_hash::of(content(f)).hex());
    }
  }

  // Spread: every process holds some of the 40 sockets (consistent hashing over 3 processes
  // leaves one empty with probability ~3 * (2/3)^40 = 3e-7), and they add up.
  long long total = 0;
  for (auto& p : procs) {
    auto n = peers_online(p->port);
    EXPECT_GT(n, 0) << "process on port " << p->port << " got no visitor";
    total += n;
  }
  EXPECT_EQ(total, visitors);
  // Each process reports the cluster-wide count (through Redis; safety net, not a timing).
  for (auto& p : procs)
    EXPECT_TRUE(eventually([&] {
      return metric(p->port, "circlecdn_cluster_peers_online") == visitors;
    })) << "port "
        << p->port << ": circlecdn_cluster_peers_online "
        << metric(p->port, "circlecdn_cluster_peers_online");

  // A visitor that comes back reaches the same process again: each visit loads a file, and the
  // next socket's welcome lists it (a welcome hands the record over once, so each visit's own).
  for (int v = 0; v < 3; ++v) {
    auto cookie = cookie_pair(https_get(https_port, "/.circlecdn/manifest.json"));
    tls_options o;
    o.cookie = cookie;
    for (int visit = 0; visit < visited_files; ++visit) {
      https_get(https_port, "/f" + std::to_string(visit) + ".txt", {{"Cookie", cookie}});
      wss_client s(https_port, o);
      auto served = s.welcome().at("served").as_array();
      ASSERT_EQ(served.size(), 1u) << "visitor " << v << ", visit " << visit;
      EXPECT_EQ(served[0].as_string(), content_hash::of(content(visit)).hex());
      s.close();
    }
  }
  for (auto& s : sockets) s->close();
  EXPECT_EQ(read_file(dir.path() / "error.log").find("[error]"), std::string::npos)
      << read_file(dir.path() / "error.log");
}
