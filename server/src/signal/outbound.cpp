#include "signal/outbound.hpp"

#include "signal/json_text.hpp"

namespace circlecdn::signal {

namespace {

frame done(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

void append_hashes(std::string& out, std::span<const content_hash> hashes) {
  out += '[';
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (i) out += ',';
    out += '"';
    out += hashes[i].hex();
    out += '"';
  }
  out += ']';
}

std::string id_hash_peer(std::string_view type, std::uint32_t id, const content_hash& h,
                         const peer_id& p) {
  std::string s = R"({"type":")";
  s += type;
  s += R"(","id":)";
  s += std::to_string(id);
  s += R"(,"hash":")";
  s += h.hex();
  s += R"(","peer":")";
  s += p.str();
  s += '"';
  return s;
}

}  // namespace

frame make_welcome(const peer_id& self, std::string_view resume_token,
                   std::span<const content_hash> served, const limits& lim,
                   std::string_view ice_members, const ice_config& ice,
                   std::string_view routing_member) {
  std::string s = R"({"type":"welcome","peer":")" + self.str() + R"(","resume":)" +
                  json_quoted(resume_token) + R"(,"protocol":1,"served":)";
  append_hashes(s, served);
  s += R"(,"limits":{"message_bytes":)" + std::to_string(lim.message_bytes) +
       R"(,"messages_per_s":)" + std::to_string(static_cast<int>(lim.messages_per_s)) +
       R"(,"wants_in_flight":)" + std::to_string(lim.wants_in_flight) + R"(,"holdings_per_peer":)" +
       std::to_string(lim.holdings_per_peer) + R"(,"hashes_per_message":)" +
       std::to_string(lim.hashes_per_message) + R"(,"uploads_per_holder":)" +
       std::to_string(lim.uploads_per_holder) + R"(,"want_timeout_s":)" +
       std::to_string(lim.want_timeout.count()) + "},";
  s += ice_members;
  s += R"(,"connect_timeout":)" + std::to_string(ice.connect_timeout.count()) +
       R"(,"first_byte_timeout":)" + std::to_string(ice.first_byte_timeout.count()) + ',';
  s += upload_policy_member(lim.visitor_uploads);
  s += ',';
  s += routing_member;
  s += '}';
  return done(std::move(s));
}

std::string routing_member(const routing::params& r, const std::optional<peer_id>& bootstrap) {
  std::string s = R"("routing":{"strategy":")" + std::string(routing::to_string(r.strategy)) + '"';
  auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()); };
  switch (r.strategy) {
    case routing::strategy::tracker:
      break;
    case routing::strategy::ring:
      s += R"(,"max_hops":)" + std::to_string(r.ring.max_hops) + R"(,"deadline_ms":)" +
           ms(r.ring.deadline);
      break;
    case routing::strategy::chord: {
      const auto& c = r.chord;
      s += R"(,"bootstrap":)" + (bootstrap ? '"' + bootstrap->str() + '"' : std::string("null")) +
           R"(,"fingers":)" + std::to_string(c.fingers) + R"(,"successors":)" +
           std::to_string(c.successors) + R"(,"stabilise_ms":)" + ms(c.stabilise) +
           R"(,"fix_period_ms":)" + ms(c.fix_period) + R"(,"republish_ms":)" + ms(c.republish) +
           R"(,"record_ttl_ms":)" + ms(c.record_ttl) + R"(,"max_connections":)" +
           std::to_string(c.max_connections) + R"(,"deadline_ms":)" + ms(c.deadline);
      break;
    }
  }
  s += '}';
  return s;
}

frame make_ring(const std::optional<peer_id>& serving, const std::optional<peer_id>& served) {
  auto id = [](const std::optional<peer_id>& p) {
    return p ? '"' + p->str() + '"' : std::string("null");
  };
  return done(R"({"type":"ring","serving":)" + id(serving) + R"(,"served":)" + id(served) + "}");
}

frame make_link(const peer_id& peer, std::string_view reason, bool offer) {
  return done(R"({"type":"link","peer":")" + peer.str() + R"(","reason":)" + json_quoted(reason) +
              R"(,"offer":)" + (offer ? "true}" : "false}"));
}

frame make_ice(std::string_view ice_members) {
  std::string s = R"({"type":"ice",)";
  s += ice_members;
  s += '}';
  return done(std::move(s));
}

frame make_match(std::uint32_t id, const content_hash& h, const peer_id& holder, bool connect) {
  return done(id_hash_peer("match", id, h, holder) + R"(,"connect":)" +
              (connect ? "true}" : "false}"));
}

frame make_push(std::uint32_t id, const content_hash& h, const peer_id& wanter, bool connect) {
  return done(id_hash_peer("push", id, h, wanter) + R"(,"connect":)" +
              (connect ? "true}" : "false}"));
}

frame make_miss(std::uint32_t id, const content_hash& h, std::string_view token,
                swarm::miss_reason reason) {
  return make_miss(id, h, token, to_string(reason));
}

frame make_miss(std::uint32_t id, const content_hash& h, std::string_view token,
                std::string_view reason) {
  return done(R"({"type":"miss","id":)" + std::to_string(id) + R"(,"hash":")" + h.hex() +
              R"(","token":)" + json_quoted(token) + R"(,"reason":)" + json_quoted(reason) + "}");
}

frame make_signal(const peer_id& from, std::string_view data_json) {
  constexpr std::string_view head = R"({"type":"signal","from":")", mid = R"(","data":)";
  std::string s;
  s.reserve(head.size() + 22 + mid.size() + data_json.size() + 1);
  s += head;
  s += from.str();
  s += mid;
  s += data_json;  // validated by the parser; the sender's own bytes
  s += '}';
  return done(std::move(s));
}

frame make_cancel(std::uint32_t id, const content_hash& h, const peer_id& other,
                  std::string_view role, std::string_view reason) {
  return done(id_hash_peer("cancel", id, h, other) + R"(,"role":)" + json_quoted(role) +
              R"(,"reason":)" + json_quoted(reason) + "}");
}

frame make_penalised(const peer_id& p) {
  return done(R"({"type":"penalised","peer":")" + p.str() + R"("})");
}

frame make_challenge(std::uint32_t id, const content_hash& h, std::string_view nonce_hex) {
  return done(R"({"type":"challenge","id":)" + std::to_string(id) + R"(,"hash":")" + h.hex() +
              R"(","nonce":")" + std::string(nonce_hex) + R"("})");
}

frame make_manifest(std::uint64_t generation, const content_hash& content_tag) {
  return done(R"({"type":"manifest","generation":)" + std::to_string(generation) +
              R"(,"etag":"W/\")" + content_tag.hex() + R"(\""})");
}

frame make_error(error_code code, std::string_view message, std::string_view ref,
                 std::span<const content_hash> hashes, std::uint32_t id) {
  std::string s = R"({"type":"error","code":")" + std::string(to_string(code)) + R"(","message":)" +
                  json_quoted(message);
  if (!ref.empty()) s += R"(,"ref":)" + json_quoted(ref);
  if (id != 0) s += R"(,"id":)" + std::to_string(id);
  if (!hashes.empty()) {
    s += R"(,"hashes":)";
    append_hashes(s, hashes);
  }
  s += '}';
  return done(std::move(s));
}

}  // namespace circlecdn::signal
