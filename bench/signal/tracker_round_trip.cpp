// bench_tracker_round_trip: CPU of one signaling round trip inside the tracker, no sockets: a
// want matched with a holder (match + push), an offer and an answer relayed between them, and
// the wanter's done. What the single-process path costs, so a change to the tracker (the cluster's
// continuation, the relay's process check) is measured against it. Prints ns per round trip,
// five rounds of 100,000.
#include <chrono>
#include <cstdio>
#include <string>

#include "core/token.hpp"
#include "signal/ice_config.hpp"
#include "signal/limits.hpp"
#include "signal/tracker.hpp"
#include "swarm/memory_directory.hpp"
#include "swarm/memory_ledger.hpp"
#include "swarm/served_record.hpp"

using namespace circlecdn;
using namespace circlecdn::signal;

namespace {

// Keeps the last frame only (what a session's write queue would take), so the bench measures
// the tracker, not a growing vector.
struct sink final : peer_link {
  frame last;
  std::size_t frames = 0;
  void deliver(frame f) override {
    last = std::move(f);
    ++frames;
  }
  void close(std::uint16_t, std::string_view) override {}
};

std::string id_of(const frame& welcome) {
  auto at = welcome->find(R"("peer":")");
  return welcome->substr(at + 8, 22);
}

}  // namespace

int main() {
  limits lim;
  lim.messages_per_s = 1e9;  // the bench is not a flood
  lim.message_burst = 1e9;
  lim.signals_per_pairing = 1u << 30;
  lim.new_holders_per_min = 1u << 30;
  ice_config ice;
  swarm::memory_directory dir;
  swarm::memory_ledger ledger(dir, std::chrono::seconds(60));
  swarm::served_record served(16, 16);
  token_signer tokens("bench");
  tracker t(lim, ice, ledger, served, tokens, [](const content_hash&) { return true; });
  auto now = tracker::clock::now();
  sink holder_link, wanter_link;
  auto* holder = t.join(holder_link, std::nullopt, now);
  auto* wanter = t.join(wanter_link, std::nullopt, now);
  auto holder_id = id_of(holder_link.last), wanter_id = id_of(wanter_link.last);
  auto h = content_hash::of("bench item").hex();
  t.on_text(holder, R"({"type":"announce","have":[")" + h + R"("]})", now);
  std::string sdp(600, 'x');
  std::string offer = R"({"type":"signal","to":")" + holder_id +
                      R"(","data":{"sdp":{"type":"offer","sdp":")" + sdp + R"("}}})";
  std::string answer = R"({"type":"signal","to":")" + wanter_id +
                       R"(","data":{"sdp":{"type":"answer","sdp":")" + sdp + R"("}}})";
  for (int round = 0; round < 5; ++round) {
    const int n = 100000;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      auto id = std::to_string(i + 1);
      t.on_text(wanter, R"({"type":"want","id":)" + id + R"(,"hash":")" + h + R"("})", now);
      t.on_text(wanter, offer, now);
      t.on_text(holder, answer, now);
      t.on_text(wanter, R"({"type":"done","id":)" + id + R"(,"ok":true,"bytes":10})", now);
    }
    auto ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / n;
    std::printf("%.0f ns per round trip (want, match+push, offer, answer, done)\n", ns);
  }
  auto c = t.counters();
  return c.matches == 5u * 100000 && c.signals_relayed == 10u * 100000 ? 0 : 1;
}
