#pragma once
// Outbound signaling messages, built once as immutable shared strings so a fan-out shares one
// buffer. Fields we put in are ids, hex hashes and numbers; free text goes through a JSON escaper.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"
#include "routing/strategy.hpp"
#include "signal/ice_config.hpp"
#include "signal/limits.hpp"
#include "signal/message.hpp"
#include "swarm/miss_reason.hpp"

namespace circlecdn::signal {

using frame = std::shared_ptr<const std::string>;

// ice_members: from ice_members() (signal/ice_servers.hpp), for this peer; routing_member: from
// routing_member() below.
frame make_welcome(const peer_id& self, std::string_view resume_token,
                   std::span<const content_hash> served, const limits& lim,
                   std::string_view ice_members, const ice_config& ice,
                   std::string_view routing_member);
// `"routing":{...}`: the strategy in force and its numbers (docs/protocol.md, `welcome`);
// `bootstrap`: in chord mode, another online peer (none: null).
std::string routing_member(const routing::params& r, const std::optional<peer_id>& bootstrap);
// Ring mode: the neighbours this peer keeps (none: null).
frame make_ring(const std::optional<peer_id>& serving, const std::optional<peer_id>& served);
// Open (offer) or expect a routing connection with `peer`; reason: "ring" or a chord connect's.
frame make_link(const peer_id& peer, std::string_view reason, bool offer);
// Fresh TURN credentials before the old ones expire.
frame make_ice(std::string_view ice_members);
frame make_match(std::uint32_t id, const content_hash& h, const peer_id& holder, bool connect);
frame make_push(std::uint32_t id, const content_hash& h, const peer_id& wanter, bool connect);
frame make_miss(std::uint32_t id, const content_hash& h, std::string_view token,
                swarm::miss_reason reason);
// A miss with the crowd's reason (routing/crowd_miss.hpp), for a `miss_token`.
frame make_miss(std::uint32_t id, const content_hash& h, std::string_view token,
                std::string_view reason);
// data_json: the validated `data` object, as the sender wrote it.
frame make_signal(const peer_id& from, std::string_view data_json);
// role: what the receiver of this cancel was in want `id`: "wanter" or "holder".
frame make_cancel(std::uint32_t id, const content_hash& h, const peer_id& other,
                  std::string_view role, std::string_view reason);
frame make_penalised(const peer_id& p);
// A possession challenge: answer with `proof` carrying SHA-256(nonce bytes || bytes of `h`).
frame make_challenge(std::uint32_t id, const content_hash& h, std::string_view nonce_hex);
// The site changed (docs/protocol.md, `manifest`): `etag` is the new manifest's ETag, as its
// answer has it (W/"<content tag>"), so a page compares it with the one it holds.
frame make_manifest(std::uint64_t generation, const content_hash& content_tag);
// id: the want id the error is about (0 = none).
frame make_error(error_code code, std::string_view message, std::string_view ref,
                 std::span<const content_hash> hashes = {}, std::uint32_t id = 0);

}  // namespace circlecdn::signal
