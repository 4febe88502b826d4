#pragma once
// Inbound signaling messages: parsed and validated at the boundary into plain structs, so the
// tracker never sees raw JSON. Pure code (Boost.JSON only), fuzzed on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"
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
  std::string data;  // the `data` object, re-serialised compactly (validated, bounded)
};
struct report_msg {
  peer_id peer;
  content_hash hash;
};

using inbound =
    std::variant<hello_msg, announce_msg, drop_msg, want_msg, done_msg, signal_msg, report_msg>;

struct parse_error {
  error_code code;
  std::string message;
  std::string ref;  // the message type (or "" when unknown)
};

std::variant<inbound, parse_error> parse_inbound(std::string_view text, const limits& lim);

}  // namespace circlecdn::signal
