#pragma once
// How fast one peer may learn new holders (browsing inference, issue 11 item 8). Every match that
// pairs a wanter with a holder it was not paired with tells it that holder's id and, once they
// connect, its address. Counting wants would not bound that (one hash wanted again and again meets
// a new random holder each time), so the budget counts new pairings: a token bucket of
// `per_minute`, refilled continuously. With it empty the tracker still matches the wanter with
// holders it already knows, and otherwise answers `miss` (`holder_rate`): the origin serves it.
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace circlecdn::signal {

class discovery_budget {
 public:
  using clock = std::chrono::steady_clock;

  // A peer starts with a full bucket (a page load's worth of holders at once).
  bool available(std::uint32_t per_minute, clock::time_point now) {
    refill(per_minute, now);
    return tokens_ >= 1;
  }
  void take() { tokens_ -= 1; }

 private:
  void refill(std::uint32_t per_minute, clock::time_point now) {
    if (!started_) {
      tokens_ = per_minute;
      started_ = true;
    } else {
      auto s = std::chrono::duration<double>(now - at_).count();
      tokens_ = std::min<double>(per_minute, tokens_ + s * per_minute / 60.0);
    }
    at_ = now;
  }
  double tokens_ = 0;
  clock::time_point at_{};
  bool started_ = false;
};

}  // namespace circlecdn::signal
