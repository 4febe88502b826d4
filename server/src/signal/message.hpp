#pragma once
// Inbound signaling messages: parsed and validated at the boundary into plain structs, so the
// tracker never sees raw JSON. Pure code (Boost.JSON only), fuzzed on its own.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"
#include "routing/crowd_miss.hpp"
#include "signal/limits.hpp"

namespace circlecdn::signal {

enum class error_code {
  bad_json,
  bad_frame,
  bad_message,
  unknown_type,
  too_large,
  rate_limited,
  too_many_wants,
  duplicate_id,
  unknown_want,
  unknown_hash,
  too_many_holdings,
  not_paired,
  peer_gone,
  bad_token,
  shutting_down,
  not_wanter,         // report: no pairing made for you, as the wanter, with that peer and hash
  report_too_early,   // report: that holder never answered your connection: no bytes came from it
  already_reported,   // report: once per pairing
  unknown_challenge,  // proof: no challenge with this id is open for you
  too_many_signals,   // signal: over limits::signals_per_pairing to that peer; dropped
  too_many_links,     // connect: the asker (or that peer) holds all the routing pairings it may
  wrong_routing,      // connect, unlink, miss_token: not a message of the strategy in force
};
std::string_view to_string(error_code c);

struct hello_msg {
  std::optional<std::string> resume;
  std::optional<std::uint32_t> max_uploads;  // 0..16
  std::optional<bool> upload;
};
struct announce_msg {
  std::vector<content_hash> have;
};
struct drop_msg {
  std::vector<content_hash> hashes;
};
struct want_msg {
  std::uint32_t id = 0;
  content_hash hash;
};
// Why a peer path failed (done.reason). ok:false without a reason reads as `closed`.
enum class done_reason : std::uint8_t {
  none,            // ok:true
  connect_failed,  // ICE/DTLS/channel did not open within connect_timeout, or failed
  timeout,         // connected, but no first byte within first_byte_timeout (or a stall later)
  closed,          // the channel or connection closed mid-transfer
  superseded,      // no failure: the wanter got the item elsewhere first (it raced the origin)
};
std::string_view to_string(done_reason r);

struct done_msg {
  std::uint32_t id = 0;
  bool ok = false;
  std::uint64_t bytes = 0;
  done_reason reason = done_reason::none;  // set for every ok:false
};
struct signal_msg {
  peer_id to;
  // The `data` object (validated, bounded) as the sender wrote it: a view into the inbound text,
  // so it lives as long as that text (the tracker relays it before the frame's buffer is reused).
  // Only a `data` the scanner cannot find alone (a key written with escapes) is re-serialised,
  // into `reserialised`, which `data` then views (on the heap: stable when the message moves).
  std::string_view data;
  std::shared_ptr<const std::string> reserialised;
};
struct report_msg {
  peer_id peer;
  content_hash hash;
};

// What a visitor's library says it loaded since its last report, by source, and how long its
// resources took. Untrusted: the tracker bounds it per peer (docs/protocol.md, `usage`).
enum class usage_source : std::uint8_t { peer, origin, store };
inline constexpr std::size_t usage_source_count = 3;
std::string_view to_string(usage_source s);
inline constexpr std::size_t usage_samples_max = 32;    // per source per report
inline constexpr double usage_sample_max_ms = 600'000;  // a sample above is clamped to it
struct usage_msg {
  std::array<std::uint64_t, usage_source_count> bytes{};  // peer, origin, store
  std::uint32_t verify_failures = 0;
  std::array<std::vector<double>, usage_source_count> ms;  // time to each resource, by source
};

// The answer to a possession challenge: SHA-256(nonce bytes || the hash's bytes), or no digest
// when the peer does not hold the bytes (an honest refusal: eviction can cross a challenge).
struct proof_msg {
  std::uint32_t id = 0;
  std::optional<content_hash> digest;
};

// Why a routing connection is asked for (`connect.reason`, docs/routing.md): `ring` and `chord`
// are a want that chose the holder its strategy's lookup found; the others are Chord's routing
// connections.
enum class connect_reason : std::uint8_t {
  ring,
  finger,
  successor,
  predecessor,
  bootstrap,
  reply,
  chord
};
inline constexpr std::array<std::string_view, 7> connect_reason_names = {
    "ring", "finger", "successor", "predecessor", "bootstrap", "reply", "chord"};
// A connect that is a want (with its id and hash), answered by the want's code.
constexpr bool is_transfer(connect_reason r) {
  return r == connect_reason::ring || r == connect_reason::chord;
}
constexpr std::string_view to_string(connect_reason r) {
  return connect_reason_names[static_cast<std::size_t>(r)];
}

// `connect`: {id, peer, hash, reason:"ring"|"chord"}, a want for `hash` that chose `peer` (in that
// strategy's mode); in chord mode also {peer, reason}, a routing connection with `peer`.
struct connect_msg {
  peer_id peer;
  connect_reason reason = connect_reason::ring;
  std::uint32_t id = 0;  // ring only (a want id)
  content_hash hash;     // ring only
};
// `unlink`: the library closed a Chord routing connection with `peer`.
struct unlink_msg {
  peer_id peer;
};
// `miss_token`: the crowd could not serve `hash` (a ring or Chord lookup failed): the library
// asks for a miss token carrying the crowd's reason. `id` is a want id.
struct miss_token_msg {
  std::uint32_t id = 0;
  content_hash hash;
  routing::crowd_miss reason = routing::crowd_miss::ring_came_back;
};

using inbound =
    std::variant<hello_msg, announce_msg, drop_msg, want_msg, done_msg, signal_msg, report_msg,
                 usage_msg, proof_msg, connect_msg, unlink_msg, miss_token_msg>;
// The message types, in the order of `inbound`'s alternatives (metrics label them so).
inline constexpr std::array<std::string_view, std::variant_size_v<inbound>> inbound_type_names = {
    "hello",  "announce", "drop",  "want",    "done",   "signal",
    "report", "usage",    "proof", "connect", "unlink", "miss_token"};
inline constexpr std::size_t error_code_count = 22;  // the enumerators of error_code
static_assert(static_cast<std::size_t>(error_code::wrong_routing) + 1 == error_code_count);

struct parse_error {
  error_code code;
  std::string message;
  std::string ref;  // the message type (or "" when unknown)
};

std::variant<inbound, parse_error> parse_inbound(std::string_view text, const limits& lim);

}  // namespace circlecdn::signal
