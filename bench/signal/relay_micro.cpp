// bench_signal_relay: CPU of one relayed signal inside the server (parse + validate + the outbound
// frame), no sockets. Prints ns per relay, five rounds of 200,000.
#include <chrono>
#include <cstdio>
#include <string>
#include <variant>

#include "signal/message.hpp"
#include "signal/outbound.hpp"

using namespace circlecdn;
using namespace circlecdn::signal;

int main() {
  limits lim;
  std::string sdp(600, 'x');
  for (std::size_t i = 0; i < sdp.size(); i += 40) sdp[i] = '\n';
  std::string esc;
  for (char c : sdp) esc += c == '\n' ? std::string("\\r\\n") : std::string(1, c);
  auto to = peer_id::random();
  std::string text = R"({"type":"signal","to":")" + to.str() +
                     R"(","data":{"sdp":{"type":"offer","sdp":")" + esc + R"("}}})";
  std::size_t total = 0;
  for (int round = 0; round < 5; ++round) {
    const int n = 200000;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      auto r = parse_inbound(text, lim);
      auto& m = std::get<signal_msg>(std::get<inbound>(r));
      auto f = make_signal(to, m.data);
      total += f->size();
    }
    auto ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / n;
    std::printf("%.0f ns per relayed signal (%zu-byte message)\n", ns, text.size());
  }
  return total == 0;
}
