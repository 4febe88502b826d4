#pragma once
// Proof of possession (docs/protocol.md, "Possession challenges"): the challenges the tracker has
// sent and not yet seen answered, and the server-wide budget that bounds their CPU. The tracker
// decides whom to challenge and what an outcome costs; this class keeps the books.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"

namespace circlecdn::signal {

namespace challenge_rules {
constexpr std::size_t open_per_peer = 4;  // more would only queue behind a slow store
constexpr std::size_t open_total = 4096;  // far above challenges_per_s x timeout at the defaults
constexpr std::size_t nonce_bytes = 16;
}  // namespace challenge_rules

class challenges {
 public:
  using clock = std::chrono::steady_clock;
  // Why a peer is challenged: a sampled announce, a report, or a pairing with it that failed.
  enum class reason : std::uint8_t { sample, report, failed_path };
  enum class failure : std::uint8_t {
    wrong_digest,
    unanswered,  // no proof before the deadline
    refused,     // a proof without digest: "I do not hold it"
  };
  struct open_challenge {
    std::uint32_t id = 0;
    peer_id peer;
    content_hash hash;
    content_hash expected;  // SHA-256(nonce || bytes)
    clock::time_point deadline;
    reason why = reason::sample;
  };

  challenges(double per_s, std::chrono::milliseconds timeout);

  // Spends one challenge of the per-second budget (burst: one second's worth); false when spent.
  bool spend(clock::time_point now);
  // Whether `peer` may get another challenge now (its open ones, none on the same hash, room).
  bool may_open(const peer_id& peer, const content_hash& h) const;
  // Records a sent challenge; returns its id (unique among open ones).
  std::uint32_t open(const peer_id& peer, const content_hash& h, const content_hash& expected,
                     reason why, clock::time_point now);
  // The open challenge `id` of `peer`, removed; nullopt when there is none.
  std::optional<open_challenge> close(const peer_id& peer, std::uint32_t id);
  // Removes and returns the challenges past their deadline.
  std::vector<open_challenge> take_expired(clock::time_point now);
  // The peer left: its open challenges end with it (a resume of its id must not inherit them).
  void forget(const peer_id& peer);
  // A peer took over another id (resume): its open challenges follow it.
  void renamed(const peer_id& from, const peer_id& to);
  std::size_t open_count() const { return open_.size(); }

 private:
  double per_s_;
  std::chrono::milliseconds timeout_;
  double tokens_;
  clock::time_point refilled_{};
  std::uint32_t next_id_ = 0;
  std::vector<open_challenge> open_;
};

// A fresh random nonce, as lower-case hex (what goes on the wire), and its bytes.
struct nonce {
  std::string bytes;
  std::string hex;
  static nonce fresh();
};

}  // namespace circlecdn::signal
