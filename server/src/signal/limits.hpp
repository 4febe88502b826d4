#pragma once
// Every limit the tracker enforces on a peer, with the defaults from docs/protocol.md.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "routing/strategy.hpp"
#include "signal/upload_policy.hpp"

namespace circlecdn::signal {

struct limits {
  // Larger frames or fragmented messages: close 1009 as soon as a header says so, without reading
  // the payload. The frame cap is the message cap: a peer that held a 64 KiB fragment open used
  // to pin 64 KiB per connection (1,000 connections: 189 MiB) for a message refused anyway.
  std::size_t message_bytes = 16 * 1024;
  std::size_t signal_data_bytes = 12 * 1024;  // `signal.data` serialised
  // A visitor pulling a large file from a peer sends a want and a done per 256 KiB piece: 200/s
  // lets one take ~25 MiB/s, more than a DataChannel carries, and costs the server well under 1%
  // of a core per peer that floods at the limit (docs/benchmarks.md: ~17 us per message).
  double messages_per_s = 200;  // token bucket refill
  double message_burst = 400;   // token bucket size
  std::size_t wants_in_flight = 16;
  std::size_t holdings_per_peer = 8192;
  // Directory entries (hash x peer) of all peers together, ~140 bytes each measured: 2M ~ 280 MiB.
  std::size_t holdings_total = 2'000'000;
  std::size_t hashes_per_message = 1024;
  std::size_t pairs_per_peer = 64;
  // Signals one peer relays to one partner per pairing: an offer, an answer and a few dozen ICE
  // candidates (~10-30 per side), with room for restarts; more is a flood.
  std::uint32_t signals_per_pairing = 128;
  // New holders one peer may be paired with per minute (a bucket of this size, refilled over a
  // minute): a 76-item page meets a handful; enumerating who holds what needs thousands.
  std::uint32_t new_holders_per_min = 120;
  std::uint32_t uploads_per_holder = 4;
  double errors_before_disconnect = 32;  // a leaky count: see error_decay_per_s
  double error_decay_per_s = 0.1;        // one forgiven error every 10 s
  std::size_t holder_sample = 32;        // holders looked at per want
  std::chrono::seconds want_timeout{60};
  std::chrono::seconds fetch_grace{10};    // how long a peer's origin fetch makes others wait
  std::size_t fetch_claims_per_peer = 16;  // such claims one peer holds at once (never extended)
  std::size_t incoming_max = 100'000;      // hashes being fetched that the tracker remembers
  std::chrono::seconds penalty_base{600};  // doubles with each further distinct evidence
  // Proof of possession (docs/protocol.md, "Possession challenges"): the share of `announce`
  // messages that get one of their hashes challenged (suspects: all of them), the time to answer,
  // and a server-wide cap. One challenge reads a piece and hashes it: 146 us of CPU for 256 KiB
  // (docs/benchmarks.md, "Proof of possession"), so 50/s costs under 1% of a core.
  double challenge_rate = 0.05;
  std::chrono::milliseconds challenge_timeout{5000};
  double challenges_per_s = 50;
  std::size_t write_queue_messages = 256;  // a slower reader is disconnected
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds ping_after{30};    // a silent peer is pinged, then dropped as long again
  std::chrono::seconds close_timeout{5};  // for the peer's answer to our close frame
  // Every welcome hands out a fresh token, so it need only outlive a reconnect; a short life keeps
  // a leaked one from resuming an id for long (tokens are stateless: they rotate by expiring).
  std::chrono::seconds resume_token_life{600};
  std::chrono::seconds miss_token_life{300};
  // Not enforced here: what every library is told to enforce on its own uploads
  // (`welcome.uploads`).
  upload_policy visitor_uploads;
  // `usage` reports (bytes a visitor says it loaded, by source) are untrusted: one peer's reports
  // add at most usage_bytes_per_s (after a first usage_bytes_burst) to the totals, the excess is
  // counted as clamped, and reports closer together than usage_interval_min are refused. The
  // library reports once a second at most; 64 MiB/s is above what a browser takes from its store,
  // a DataChannel or the origin in practice (docs/benchmarks.md).
  std::chrono::milliseconds usage_interval_min{500};
  double usage_bytes_per_s = 64.0 * 1024 * 1024;
  double usage_bytes_burst = 256.0 * 1024 * 1024;
  // A `done` says how many bytes a pairing carried; no item is larger than a piece.
  std::uint64_t item_bytes_max = 256 * 1024;
  std::size_t resources_remembered = 65'536;  // hashes whose peer bytes are kept for the dashboard
  // How lookups travel (--routing), what welcome.routing says, and the caps on the routing
  // connections the tracker brokers (docs/routing.md, "The server side").
  routing::params routing;
};

}  // namespace circlecdn::signal
