#include "signal/outbound.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

using namespace circlecdn;
using namespace circlecdn::signal;

namespace {
boost::json::object as_object(const frame& f) {
  return boost::json::parse(*f).as_object();
}
}  // namespace

// The operator's upload policy reaches every library as it was configured.
TEST(Outbound, WelcomeCarriesTheOperatorsUploadPolicy) {
  limits lim;
  lim.visitor_uploads = {.honor_gpc = false, .budget_bytes = 0, .pause_hidden = false};
  auto w = as_object(make_welcome(peer_id::random(), "t", {}, lim, R"("ice_servers":[])",
                                  ice_config{}, routing_member({}, std::nullopt)));
  auto& up = w["uploads"].as_object();
  EXPECT_EQ(up.at("gpc"), "ignore");
  EXPECT_EQ(up.at("budget_bytes"), 0);
  EXPECT_EQ(up.at("when_hidden"), "continue");
}

// Every outbound frame is valid JSON with the documented fields.
TEST(Outbound, FramesAreValidJson) {
  auto h = content_hash::of(std::string_view("x"));
  auto p = peer_id::random();
  limits lim;
  std::vector<content_hash> served{h};
  ice_config ice;
  auto w = as_object(make_welcome(p, "tok\"en", served, lim, R"("ice_servers":[])", ice,
                                  routing_member({}, std::nullopt)));
  EXPECT_EQ(w["type"], "welcome");
  EXPECT_EQ(w["peer"], boost::json::value(p.str()));
  EXPECT_EQ(w["resume"], "tok\"en");
  EXPECT_EQ(w["served"].as_array().size(), 1u);
  EXPECT_TRUE(w["ice_servers"].as_array().empty());
  EXPECT_EQ(w["connect_timeout"], 5000);
  EXPECT_EQ(w["first_byte_timeout"], 3000);
  auto& up = w["uploads"].as_object();
  EXPECT_EQ(up.at("gpc"), "honor");
  EXPECT_EQ(up.at("budget_bytes"), 256 << 20);
  EXPECT_EQ(up.at("when_hidden"), "pause");
  auto i = as_object(make_ice(R"("ice_servers":[],"ice_transport_policy":"relay")"));
  EXPECT_EQ(i["type"], "ice");
  EXPECT_EQ(i["ice_transport_policy"], "relay");
  EXPECT_EQ(as_object(make_match(3, h, p, true))["connect"], true);
  EXPECT_EQ(as_object(make_push(3, h, p, false))["peer"], boost::json::value(p.str()));
  EXPECT_EQ(as_object(make_miss(3, h, "t", swarm::miss_reason::no_holder))["reason"], "no_holder");
  EXPECT_EQ(as_object(make_signal(p, R"({"a":1})"))["data"].as_object()["a"], 1);
  EXPECT_EQ(as_object(make_cancel(3, h, p, "holder", "peer_gone"))["reason"], "peer_gone");
  EXPECT_EQ(as_object(make_cancel(3, h, p, "holder", "peer_gone"))["role"], "holder");
  EXPECT_EQ(as_object(make_error(error_code::duplicate_id, "m", "want", {}, 7))["id"], 7);
  EXPECT_EQ(as_object(make_penalised(p))["peer"], boost::json::value(p.str()));
  auto e = as_object(make_error(error_code::not_paired, "a \"quoted\"\nmessage", "signal", served));
  EXPECT_EQ(e["code"], "not_paired");
  EXPECT_EQ(e["message"], "a \"quoted\"\nmessage");
  EXPECT_EQ(e["hashes"].as_array().size(), 1u);
}
