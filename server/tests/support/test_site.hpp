#pragma once
// A running circlecdn (the real server object, in process, on an ephemeral port) over a generated
// site of `files` small files plus one multi-piece file.
#include <memory>
#include <string>

#include "app/server.hpp"
#include "core/content_hash.hpp"
#include "support/operator_token.hpp"
#include "support/temp_dir.hpp"

namespace circlecdn::test {

struct test_site {
  // Sampled possession challenges arrive at random (--challenge-rate): off unless a test asks,
  // so tests that read exact message sequences stay deterministic.
  explicit test_site(int files = 8, app::config base = {}, bool sampled_challenges = false) {
    if (!sampled_challenges) base.limits.challenge_rate = 0;
    for (int i = 0; i < files; ++i) write(i);
    std::string big(600 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
    std::ofstream(dir.path() / "big.bin", std::ios::binary) << big;
    base.site = dir.path();
    base.listen_port = 0;
    base.secret = "integration-secret";
    if (base.operator_token.empty()) base.operator_token = operator_token;
    server = std::make_unique<app::server>(base);
    port = server->start();
  }
  ~test_site() { server->stop(); }
  static std::string content(int i) { return "file number " + std::to_string(i) + "\n"; }
  static std::string hash(int i) { return content_hash::of(content(i)).hex(); }
  void write(int i) {
    std::ofstream(dir.path() / ("f" + std::to_string(i) + ".txt")) << content(i);
  }

  temp_dir dir;
  std::unique_ptr<app::server> server;
  std::uint16_t port = 0;
};

}  // namespace circlecdn::test
