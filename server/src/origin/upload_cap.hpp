#pragma once
// The origin's upload cap (`--origin-rate-limit`): one token bucket shared by every file body the
// origin sends, so a demo or a benchmark can play a small origin that the crowd must relieve.
// Signaling and /.circlecdn/ routes are not capped. Single-threaded, like the rest of the context.
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace circlecdn::origin {

class upload_cap {
 public:
  using clock = std::chrono::steady_clock;
  explicit upload_cap(std::uint64_t bytes_per_s) : rate_(bytes_per_s) {}

  bool enabled() const { return rate_ > 0; }
  // A new rate (SIGHUP); what the bucket holds stays, at most one second's worth of the new rate.
  void set_rate(std::uint64_t bytes_per_s) {
    rate_ = bytes_per_s;
    tokens_ = std::min(tokens_, static_cast<double>(rate_));
  }
  // A slice small enough that waiting for it keeps the flow smooth (a tenth of a second's worth).
  std::uint64_t slice_bytes() const { return std::max<std::uint64_t>(rate_ / 10, 1); }
  // Takes n bytes from the bucket (it may go into debt) and says how long the caller must wait
  // before sending them; the bucket holds at most one second's worth.
  clock::duration take(std::uint64_t n, clock::time_point now) {
    double rate = static_cast<double>(rate_);
    tokens_ = std::min(rate, tokens_ + std::chrono::duration<double>(now - last_).count() * rate);
    last_ = now;
    tokens_ -= static_cast<double>(n);
    bytes_ += n;
    if (tokens_ >= 0) return clock::duration::zero();
    ++waits_;
    return std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>(-tokens_ / rate));
  }
  // Gives back what was taken but not sent (a short or refused write).
  void refund(std::uint64_t n) {
    tokens_ += static_cast<double>(n);
    bytes_ -= std::min(bytes_, n);
  }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t waits() const { return waits_; }

 private:
  std::uint64_t rate_;
  double tokens_ = 0;
  clock::time_point last_ = clock::now();
  std::uint64_t bytes_ = 0, waits_ = 0;
};

}  // namespace circlecdn::origin
