// The operator's ICE settings: URL checks, whole-configuration checks, the secret file.
#include "signal/ice_config.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

using namespace circlecdn;
using namespace circlecdn::signal;
using namespace std::chrono_literals;

TEST(IceConfig, AcceptsTheUrlFormsOfRfc7064And7065) {
  for (auto url : {"stun:198.51.100.1", "stun:198.51.100.1:3478", "stuns:stun.example.org:5349",
                   "stun:[2001:db8::1]:3478", "stun:[2001:db8::1]"})
    EXPECT_EQ(ice_url_problem(url, false), std::nullopt) << url;
  for (auto url : {"turn:198.51.100.1:3478", "turn:198.51.100.1:3478?transport=udp",
                   "turn:turn.example.org?transport=tcp", "turns:turn.example.org:5349",
                   "turns:[2001:db8::1]:443?transport=tcp"})
    EXPECT_EQ(ice_url_problem(url, true), std::nullopt) << url;
}

TEST(IceConfig, RefusesOtherSchemesTransportsAndHosts) {
  for (auto url : {"turn:198.51.100.1", "http://198.51.100.1", "stun:", "stun:host:0",
                   "stun:host:99999", "stun:host?transport=udp", "STUN:host", "stun://host",
                   "stun:ho st", "stun:host\"", "stun:[::1", "stun:[]"})
    EXPECT_NE(ice_url_problem(url, false), std::nullopt) << url;
  for (auto url : {"stun:198.51.100.1", "turn:", "turn:host?transport=sctp", "turn:host?foo=bar",
                   "turn:host?transport=udp&x=1", "turnss:host", "turn:host:port", "turn:host\n",
                   "turn:h\\u0022"})
    EXPECT_NE(ice_url_problem(url, true), std::nullopt) << url;
  EXPECT_NE(ice_url_problem("turn:" + std::string(300, 'a'), true), std::nullopt);
}

TEST(IceConfig, ProblemsNameTheOption) {
  auto problem = [](auto change) {
    ice_config c;
    c.turn_urls = {"turn:198.51.100.1:3478"};
    c.turn_secret = "s";
    change(c);
    return ice_config_problem(c).value_or("");
  };
  EXPECT_EQ(problem([](ice_config&) {}), "");
  EXPECT_TRUE(problem([](ice_config& c) { c.stun_urls = {"turn:x"}; }).starts_with("--stun:"));
  EXPECT_TRUE(problem([](ice_config& c) {
                c.turn_urls.push_back("turn:x?transport=quic");
              }).starts_with("--turn:"));
  EXPECT_TRUE(problem([](ice_config& c) { c.turn_secret.clear(); }).starts_with("--turn:"));
  EXPECT_TRUE(problem([](ice_config& c) { c.turn_urls.clear(); }).starts_with("--turn-secret:"));
  EXPECT_TRUE(problem([](ice_config& c) { c.turn_ttl = 59s; }).starts_with("--turn-ttl:"));
  EXPECT_EQ(problem([](ice_config& c) { c.turn_ttl = 60s; }), "");
  EXPECT_TRUE(problem([](ice_config& c) {
                c.turn_urls.clear();
                c.turn_secret.clear();
                c.relay_only = true;
              }).starts_with("--ice-relay-only:"));
  EXPECT_TRUE(
      problem([](ice_config& c) { c.connect_timeout = 0ms; }).starts_with("--connect-timeout:"));
  EXPECT_TRUE(problem([](ice_config& c) {
                c.first_byte_timeout = 61s;
              }).starts_with("--first-byte-timeout:"));
  EXPECT_EQ(ice_config_problem(ice_config{}), std::nullopt);  // no ICE servers at all is fine
}

TEST(IceConfig, SecretFileLosesItsTrailingNewlineAndMustNotBeEmpty) {
  test::temp_dir dir;
  std::string problem;
  EXPECT_EQ(read_secret_file(dir.write("lf", "s3cret\n"), problem), "s3cret");
  EXPECT_EQ(read_secret_file(dir.write("crlf", "s3cret\r\n"), problem), "s3cret");
  EXPECT_EQ(read_secret_file(dir.write("bare", "s3 cret"), problem), "s3 cret");
  EXPECT_EQ(read_secret_file(dir.write("empty", ""), problem), std::nullopt);
  EXPECT_NE(problem.find("empty"), std::string::npos);
  EXPECT_EQ(read_secret_file(dir.write("newline", "\n"), problem), std::nullopt);
  problem.clear();
  EXPECT_EQ(read_secret_file(dir.path() / "missing", problem), std::nullopt);
  EXPECT_TRUE(problem.starts_with("--turn-secret-file: cannot read")) << problem;
  EXPECT_EQ(read_secret_file(dir.path(), problem), std::nullopt);  // a directory
}
