#pragma once
// Who announced which resource: the tracker's directory, and the provider records a Chord key's
// owner keeps. Entries carry the holder's uid (slots are reused) and departure time, so a stale
// entry is recognised without being removed at once; lists are compacted when more than half of
// an entry list is dead.
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/rng.hpp"
#include "model/catalogue.hpp"
#include "model/population.hpp"

namespace circlecdn::sim {

struct holder_entry {
  peer_index slot;
  std::uint32_t uid;
  float available_s;  // rounded up: never visible before the bytes are there
  float depart_s;     // rounded down: never taken for on-line after the holder left

  static holder_entry make(peer_index slot, std::uint32_t uid, double available_s,
                           double depart_s) {
    float a = static_cast<float>(available_s);
    if (static_cast<double>(a) < available_s) a = std::nextafter(a, 3.0e38f);
    float d = static_cast<float>(depart_s);
    if (static_cast<double>(d) > depart_s) d = std::nextafter(d, -3.0e38f);
    return holder_entry{slot, uid, a, d};
  }
};

class holder_directory {
 public:
  // Entries stay (visible as stale) until `linger_s` after their holder left.
  holder_directory(std::size_t resources, double linger_s)
      : lists_(resources), live_(resources, 0), linger_s_(linger_s) {}

  void add(resource_index r, const holder_entry& e, double now) {
    auto& list = lists_[r];
    if (list.size() >= 2 * static_cast<std::size_t>(live_[r]) + 16) compact(r, now);
    list.push_back(e);
    ++live_[r];
  }
  void holder_left(resource_index r) { --live_[r]; }
  // Calls f(entry) for every entry when there are at most k, else for k consecutive entries
  // from a random start (wrapping): entries are in announcement order, so a window is as good
  // a sample as k scattered draws and costs a cache line instead of k.
  template <class F>
  void sample(resource_index r, std::uint32_t k, rng& random, F&& f) const {
    const auto& list = lists_[r];
    const std::size_t n = list.size();
    if (n <= k) {
      for (const auto& e : list) f(e);
      return;
    }
    std::size_t i = random.below(static_cast<std::uint32_t>(n));
    for (std::uint32_t taken = 0; taken < k; ++taken) {
      f(list[i]);
      if (++i == n) i = 0;
    }
  }
  // Starts the cache misses a sample(r, k, random, ...) will take (on a copy of the stream: no
  // draw is made).
  // `skip`: as if that many draws were made from the stream first.
  void prefetch(resource_index r, std::uint32_t k, const rng& random, unsigned skip = 0) const {
    const auto& list = lists_[r];
    const std::size_t n = list.size();
    if (n == 0) return;
    rng peek = random;
    for (unsigned i = 0; i < skip; ++i) peek.next();
    const std::size_t i = n <= k ? 0 : peek.below(static_cast<std::uint32_t>(n));
    const char* first = reinterpret_cast<const char*>(list.data() + i);
    const char* end = reinterpret_cast<const char*>(list.data() + n);
    for (std::size_t b = 0; b < k * sizeof(holder_entry) && first + b < end; b += 64) {
      __builtin_prefetch(first + b);
    }
    if (n > k && i + k > n) __builtin_prefetch(list.data());  // the window wraps
  }
  std::size_t entries(resource_index r) const { return lists_[r].size(); }
  std::uint32_t live(resource_index r) const { return live_[r]; }

 private:
  void compact(resource_index r, double now) {
    auto& list = lists_[r];
    std::size_t out = 0;
    for (const auto& e : list) {
      if (static_cast<double>(e.depart_s) + linger_s_ > now) list[out++] = e;
    }
    list.resize(out);
  }
  std::vector<std::vector<holder_entry>> lists_;
  std::vector<std::uint32_t> live_;
  double linger_s_;
};

}  // namespace circlecdn::sim
