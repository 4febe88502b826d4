#pragma once
// The cluster tests' common ground: a real redis-server on a free loopback port, the real binary
// started several times with --redis on one generated site (or a site of its own), real WebSocket
// clients, and a synchronous Redis client that reads what the processes wrote.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "core/content_hash.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"

namespace circlecdn::test {

using namespace std::chrono_literals;

// cluster/crowd_mirror.hpp: presence expires after 6 s, the janitor runs every 2 s heartbeat.
constexpr auto expiry_bound = 6s + 2s;
// Polls are safety nets: a condition that does not come true within this fails the test.
constexpr auto patience = 20s;

inline std::string content(int i) {
  return "cluster file " + std::to_string(i) + "\n";
}
inline std::string hash(int i) {
  return content_hash::of(content(i)).hex();
}

inline bool eventually(const std::function<bool()>& ok,
                       std::chrono::milliseconds within = patience) {
  auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (ok()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return ok();
}

struct cluster_test : ::testing::Test {
  static constexpr int files = 20;
  // What each process keeps in Redis with no peer: its presence key, its manifest; and what the
  // processes share: the process set, the peer counts, the manifest tags.
  static constexpr long long keys_per_process = 2, shared_keys = 3;
  temp_dir dir;
  std::unique_ptr<redis_server> redis;
  int started = 0;

  void SetUp() override {
    if (!redis_server_available())
      GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh installs it): the "
                      "cluster tests need a real Redis";
    redis = std::make_unique<redis_server>(dir.path() / "redis.log");
    make_site(dir.path() / "site");
    std::ofstream(dir.path() / "token.key") << "a cluster's shared token key\n";
  }
  void make_site(const std::filesystem::path& site) const {
    std::filesystem::create_directories(site);
    for (int i = 0; i < files; ++i)
      std::ofstream(site / ("f" + std::to_string(i) + ".txt")) << content(i);
  }

  std::unique_ptr<child_server> process(std::vector<std::string> extra = {},
                                        std::filesystem::path site = {}) {
    auto log = dir.path() / ("process" + std::to_string(++started) + ".log");
    std::vector<std::string> args{"--listen",
                                  "127.0.0.1:0",
                                  "--redis",
                                  redis->url(),
                                  "--operator-token",
                                  operator_token,
                                  "--hash-cache",
                                  "none",
                                  "--challenge-rate",
                                  "0",
                                  "--token-secret-file",
                                  (dir.path() / "token.key").string(),
                                  "--log-level",
                                  "info"};
    // An --listen of the test's own replaces the default (the option is given once).
    if (std::find(extra.begin(), extra.end(), "--listen") != extra.end())
      args.erase(args.begin(), args.begin() + 2);
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<child_server>(CIRCLECDN_BIN, site.empty() ? dir.path() / "site" : site,
                                          args, log);
  }
  // n processes (the first of the test), each waited for until Redis lists it: their servers and
  // their ids, in order.
  struct running {
    std::vector<std::unique_ptr<child_server>> servers;
    std::vector<std::string> ids;
    std::uint16_t port(std::size_t i) const { return servers.at(i)->port; }
  };
  running start(std::size_t n, const std::vector<std::string>& extra = {}) {
    running s;
    for (std::size_t i = 0; i < n; ++i) {
      s.servers.push_back(process(extra));
      s.ids.push_back(joined(s.ids.size() + 1, s.ids));
    }
    return s;
  }
  std::vector<std::string> processes() {
    return redis->client().strings({"SMEMBERS", "circlecdn:procs"});
  }
  long long keys() { return redis->client().integer({"DBSIZE"}); }
  long long baseline(long long procs) const { return procs * keys_per_process + shared_keys; }
  // Holders of file i (peers, on any process).
  long long holders(int i) {
    return redis->client().integer({"HLEN", "circlecdn:holders:" + hash(i)});
  }
  // Some peer of `proc` holds file i.
  bool holds(const std::string& proc, int i) {
    auto procs = redis->client().strings({"HVALS", "circlecdn:holders:" + hash(i)});
    return std::find(procs.begin(), procs.end(), proc) != procs.end();
  }
  // `proc` published the policy inputs of `peer` (what other processes choose holders by).
  bool inputs_published(const std::string& proc, const std::string& peer) {
    return redis->client().integer({"HEXISTS", "circlecdn:load:" + proc, peer}) == 1;
  }
  // Waits until n processes are present; returns the one that joined last (not in `before`).
  std::string joined(std::size_t n, const std::vector<std::string>& before = {}) {
    EXPECT_TRUE(eventually([&] { return processes().size() == n; }));
    for (auto& p : processes())
      if (std::find(before.begin(), before.end(), p) == before.end()) return p;
    return {};
  }
  static void announce(ws_client& c, int i) {
    c.send(R"({"type":"announce","have":[")" + hash(i) + R"("]})");
  }
  static void want(ws_client& c, int id, int i) {
    c.send(R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + hash(i) + R"("})");
  }
  // The first data frame of the operator dashboard's event stream.
  static boost::json::object dashboard_frame(std::uint16_t port) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    boost::asio::write(s, boost::asio::buffer(build_request("GET", "/.circlecdn/dashboard/events",
                                                            operator_auth())));
    timeval tv{10, 0};  // a silent server fails the test instead of hanging it
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string got;
    while (got.find("data: ") == std::string::npos ||
           got.find("\n\n", got.find("data: ")) == std::string::npos) {
      char buf[4096];
      auto n = ::recv(s.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) return {};
      got.append(buf, static_cast<std::size_t>(n));
    }
    auto data = got.substr(got.find("data: ") + 6);
    return boost::json::parse(data.substr(0, data.find("\n\n"))).as_object();
  }
  static double metric(std::uint16_t port, const std::string& name) {
    auto body = get(port, "/metrics", operator_auth()).body();
    auto at = body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + name.size() + 2));
  }
};

}  // namespace circlecdn::test
