#pragma once
// The tracker driven through peer_link recorders: the fixture that tracker_test.cpp and
// tracker_paths_test.cpp share (a named namespace, so both files see one fixture type).
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <deque>
#include <unordered_set>

#include "signal/tracker.hpp"
#include "swarm/memory_directory.hpp"
#include "swarm/memory_ledger.hpp"
#include "swarm/path_outcomes.hpp"

namespace circlecdn::signal::test {

using namespace std::chrono_literals;
namespace path_rules = swarm::path_rules;
namespace json = boost::json;

struct recorder : peer_link {
  std::deque<json::object> inbox;
  std::optional<std::uint16_t> closed;
  void deliver(frame f) override { inbox.push_back(json::parse(*f).as_object()); }
  void close(std::uint16_t code, std::string_view) override { closed = code; }
  json::object next() {
    EXPECT_FALSE(inbox.empty());
    if (inbox.empty()) return {};
    auto o = inbox.front();
    inbox.pop_front();
    return o;
  }
  std::string next_type() { return std::string(next()["type"].as_string()); }
};

inline content_hash hash_of(int i) {
  return content_hash::of(std::to_string(i));
}

struct fixture : ::testing::Test {
  limits lim;
  ice_config ice;
  swarm::memory_directory dir;
  std::unique_ptr<swarm::memory_ledger> ledger;  // made with the tracker (penalties start afresh)
  swarm::served_record served{100, 16};
  token_signer tokens{"test-secret"};
  std::unordered_set<content_hash> manifest{hash_of(1), hash_of(2), hash_of(3)};
  std::unique_ptr<tracker> t;
  tracker::clock::time_point now = tracker::clock::now();
  // The wall clock TURN expiries are written in: moves with `now` unless a test sets it.
  tracker::wall_clock::time_point wall_start{std::chrono::seconds(1'765'000'000)};
  tracker::clock::time_point steady_start = now;

  void SetUp() override {
    lim.challenge_rate = 0;  // sampled challenges are random: tests that want them set the rate
    make();
  }
  void make() {
    t.reset();
    ledger = std::make_unique<swarm::memory_ledger>(dir, lim.penalty_base);
    t = std::make_unique<tracker>(
        lim, ice, *ledger, served, tokens,
        [this](const content_hash& h) { return manifest.contains(h); },
        [this] {
          return wall_start +
                 std::chrono::duration_cast<tracker::wall_clock::duration>(now - steady_start);
        },
        [this](const content_hash& h, std::string_view nonce) -> std::optional<content_hash> {
          for (int i = 1; i <= 3; ++i)
            if (hash_of(i) == h) return proof_for(nonce, i);
          return std::nullopt;
        });
  }
  // What a holder of hash_of(i) (whose bytes are std::to_string(i)) answers to a challenge.
  static content_hash proof_for(std::string_view nonce, int i) {
    sha256_stream s;
    s.update(nonce.data(), nonce.size());
    auto bytes = std::to_string(i);
    s.update(bytes.data(), bytes.size());
    return s.finish();
  }

  struct peer {
    recorder link;
    peer_state* state = nullptr;
    std::string id;
  };
  std::unique_ptr<peer> join(std::optional<peer_id> cookie = std::nullopt,
                             std::string address = "192.0.2.1") {
    auto p = std::make_unique<peer>();
    p->state = t->join(p->link, cookie, now, std::move(address));
    auto w = p->link.next();
    EXPECT_EQ(w["type"], "welcome");
    p->id = std::string(w["peer"].as_string());
    return p;
  }
  void send(peer& p, const std::string& text) { t->on_text(p.state, text, now); }
  void announce(peer& p, int h) {
    send(p, R"({"type":"announce","have":[")" + hash_of(h).hex() + R"("]})");
  }
  void want(peer& p, int id, int h) {
    send(p, R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + hash_of(h).hex() +
                R"("})");
  }
};

}  // namespace circlecdn::signal::test
