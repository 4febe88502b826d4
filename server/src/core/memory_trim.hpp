#pragma once
// Gives freed heap back to the system after a crowd leaves. glibc keeps what many small frees
// release in its arenas, so after 100,000 peers leave the process would stay at its peak size.
// When the peers online fall to half of their high-water mark, and that mark was a crowd (1,000
// or more), malloc_trim(0) returns the free pages; the mark then starts again from where it is.
// One call scans the arenas (milliseconds for a large heap), at most once per halving.
#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace circlecdn {

class memory_trim {
 public:
  static constexpr std::size_t min_crowd = 1000;

  // Called once a second with the peers online now and the most online since the last call (a
  // crowd can come and go between two calls); true when it trimmed.
  bool observe(std::size_t peers, std::size_t peak = 0) {
    high_ = std::max({high_, peers, peak});
    if (high_ < min_crowd || peers * 2 > high_) return false;
    ::malloc_trim(0);
    high_ = peers;
    ++trims_;
    return true;
  }
  std::uint64_t trims() const { return trims_; }

 private:
  std::size_t high_ = 0;
  std::uint64_t trims_ = 0;
};

}  // namespace circlecdn
