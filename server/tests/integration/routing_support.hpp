#pragma once
// What the routing integration tests (ring_test.cpp, chord_test.cpp) share: a server in one
// routing mode, the new messages as text, and the operator's counters.
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/test_site.hpp"
#include "support/ws_client.hpp"

namespace circlecdn::test::routing_support {

inline app::config mode(routing::strategy s) {
  app::config c;
  c.limits.routing.strategy = s;
  return c;
}

inline std::string connect_ring(int id, const std::string& peer, const std::string& hash,
                                const std::string& reason = "ring") {
  return R"({"type":"connect","id":)" + std::to_string(id) + R"(,"peer":")" + peer +
         R"(","hash":")" + hash + R"(","reason":")" + reason + R"("})";
}
inline std::string connect_chord(const std::string& peer, const std::string& reason = "finger") {
  return R"({"type":"connect","peer":")" + peer + R"(","reason":")" + reason + R"("})";
}
inline std::string unlink(const std::string& peer) {
  return R"({"type":"unlink","peer":")" + peer + R"("})";
}
inline std::string miss_token(int id, const std::string& hash, const std::string& reason) {
  return R"({"type":"miss_token","id":)" + std::to_string(id) + R"(,"hash":")" + hash +
         R"(","reason":")" + reason + R"("})";
}
inline std::string signal_to(const std::string& peer) {
  return R"({"type":"signal","to":")" + peer + R"(","data":{"candidate":{}}})";
}
inline std::string announce(int file) {
  return R"({"type":"announce","have":[")" + test_site::hash(file) + R"("]})";
}
inline std::string report(const std::string& peer, const std::string& hash) {
  return R"({"type":"report","peer":")" + peer + R"(","hash":")" + hash + R"("})";
}

inline boost::json::object stats(std::uint16_t port) {
  return boost::json::parse(get(port, "/.circlecdn/stats", operator_auth()).body()).as_object();
}

// The messages of one type among those drained.
inline std::vector<boost::json::object> of_type(const std::vector<boost::json::object>& got,
                                                std::string_view type) {
  std::vector<boost::json::object> out;
  for (const auto& o : got)
    if (auto* t = o.at("type").if_string(); t && *t == type) out.push_back(o);
  return out;
}

// The error code the next message carries (it must be an error).
inline std::string next_error(ws_client& c) {
  auto e = c.read();
  if (e["type"] != "error") return "not an error: " + boost::json::serialize(e);
  return str(e["code"]);
}

// A JSON value that is null or a peer id, as text ("null" for null).
inline std::string id_or_null(const boost::json::value& v) {
  return v.is_null() ? "null" : str(v);
}

}  // namespace circlecdn::test::routing_support
