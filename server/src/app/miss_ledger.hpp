#pragma once
// The origin's count of miss tokens (X-Circle-Miss): how often the crowd could not carry a file.
// A token counts once, and only on the file (or a piece of the file) the tracker issued it for:
// before this a single token was counted 100 times, on any file. Spent tokens are remembered
// until they expire, at most max_spent of them (oldest forgotten first: past that bound a token
// may count twice, which costs a count, never a byte).
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/token.hpp"
#include "manifest/store.hpp"

namespace circlecdn::app {

class miss_ledger {
 public:
  enum class verdict { valid, invalid, reused };
  using clock = token_signer::clock;

  explicit miss_ledger(std::size_t max_spent = 100'000) : max_spent_(max_spent) {}

  // `file`: the manifest entry the request resolved to (null when none).
  verdict count(const token_signer& signer, std::string_view token,
                const manifest::file_entry* file, clock::time_point now);
  std::size_t spent() const { return spent_.size(); }

 private:
  struct spent_token {
    clock::time_point expires;
    std::string mac;
  };
  std::size_t max_spent_;
  std::unordered_set<std::string> spent_;  // MACs of counted tokens
  std::deque<spent_token> by_age_;         // in the order they were counted
};

}  // namespace circlecdn::app
