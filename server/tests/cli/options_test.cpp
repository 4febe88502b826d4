// Every option of `circlecdn serve` refuses its bad values with a message that names the option
// and the allowed range; good values land in app::config. Table-driven: an option added to the
// table without a bad-value row here fails RefusesBadValuesOfEveryOption.
#include <gtest/gtest.h>

#include <set>

#include "cli/command_line.hpp"
#include "cli/options.hpp"
#include "support/temp_dir.hpp"

using namespace circlecdn;
using namespace circlecdn::cli;

namespace {

struct bad_value {
  std::string option, value;
  std::string says;  // a fragment of the range the message must show
};

// At least one bad value for every option that has a range to break.
const std::vector<bad_value> bad_values = {
    {"listen", "127.0.0.1:99999", "0..65535"},
    {"listen", "127.0.0.1", "ADDR:PORT"},
    {"listen", "localhost:80", "IP address"},
    {"listen", "127.0.0.1:-1", "0..65535"},
    {"client-dir", "/nonexistent/dist", "existing directory"},
    {"piece-size", "0", "1024..67108864"},
    {"piece-size", "100000000", "1024..67108864"},
    {"piece-size", "12k", "1024..67108864"},
    {"log-level", "verbose", "trace|debug|info|warn|error|critical|off"},
    {"log-level", "INFO", "trace|debug"},
    {"access-log", "/nonexistent/dir/access.log", "writable directory"},
    {"access-log", "/", "a file it may write"},
    {"access-log-format", "common", "combined|json"},
    {"allowed-origin", "example.com", "scheme://host[:port]"},
    {"allowed-origin", "https://example.com/path", "scheme://host[:port]"},
    {"uploads-per-holder", "0", "1..256"},
    {"uploads-per-holder", "1000", "1..256"},
    {"messages-per-s", "-5", "1..1000000"},
    {"messages-per-s", "0", "1..1000000"},
    {"messages-per-s", "1.5", "1..1000000"},
    {"holdings-max", "10", "1000..100000000"},
    {"holdings-max", "999999999999", "1000..100000000"},
    {"origin-rate-limit", "-1", "0 or 1024.."},
    {"origin-rate-limit", "5", "0 or 1024.."},
    {"shutdown-grace-ms", "-1", "0..600000"},
    {"shutdown-grace-ms", "3600000", "0..600000"},
    {"stun", "http://198.51.100.1", "stun:HOST"},
    {"turn", "turn:198.51.100.1?transport=sctp", "turn:HOST"},
    {"turn-secret-file", "/nonexistent/secret", "cannot read"},
    {"token-secret-file", "/nonexistent/key", "cannot read"},
    {"turn-ttl", "30", "60..604800"},
    {"turn-ttl", "99999999", "60..604800"},
    {"connect-timeout", "50", "100..60000"},
    {"first-byte-timeout", "600000", "100..60000"},
    {"tls-cert", "/nonexistent/cert.pem", "existing file"},
    {"tls-key", "/nonexistent/key.pem", "existing file"},
    {"redirect-http", "0.0.0.0:70000", "0..65535"},
    {"trust-proxy", "10.0.0.0/33", "address or CIDR"},
    {"trust-proxy", "proxy.example", "address or CIDR"},
    {"peers-per-address", "0", "1..10000000"},
    {"peers-max", "-1", "0..100000000"},
    {"fd-reserve", "1", "16..1000000"},
    {"new-holders-per-min", "0", "1..100000"},
    {"signals-per-pairing", "2", "8..4000000000"},
    {"cache-control", "no-equals-sign", "GLOB=VALUE"},
    {"challenge-rate", "2", "0..1"},
    {"challenge-rate", "half", "0..1"},
    {"challenge-timeout-ms", "50", "100..600000"},
    {"challenges-per-s", "-1", "0..100000"},
    {"gpc", "maybe", "honor|ignore"},
    {"routing", "kademlia", "tracker|ring|chord"},
    {"routing", "Ring", "tracker|ring|chord"},
    {"upload-budget", "-1", "0.."},
    {"hidden-uploads", "stop", "pause|continue"},
    {"service-worker", "maybe", "on|off"},
    {"operator-token", "short", "shorter than 16"},
    {"operator-token", "sixteen chars with spaces", "printable ASCII without spaces"},
    {"operator-token-file", "/nonexistent/token", "cannot read"},
    {"redis", "127.0.0.1:6379", "redis://HOST:PORT[/DB]"},
    {"redis", "redis://127.0.0.1", "port is required"},
    {"redis", "redis://127.0.0.1:6379/99", "0..15"},
};

// Options whose every value is valid on its own (free text, globs, flags).
// (--hash-cache is any path outside the site: restart_test checks the refusal inside it.)
const std::set<std::string> any_value = {"secret",         "crowd-include",  "crowd-exclude",
                                         "require-origin", "secure-cookies", "turn-secret",
                                         "ice-relay-only", "hash-cache",     "reuse-port"};

parse_result serve_with(const test::temp_dir& site, std::vector<std::string> extra) {
  std::vector<std::string> args{"circlecdn", "serve", site.path().string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return parse_command_line(args);
}

}  // namespace

TEST(Options, RefusesBadValuesOfEveryOption) {
  test::temp_dir site;
  std::set<std::string> covered;
  for (const auto& b : bad_values) {
    covered.insert(b.option);
    auto r = serve_with(site, {"--" + b.option, b.value});
    ASSERT_EQ(r.problems.size(), 1u) << "--" << b.option << " " << b.value;
    const auto& message = r.problems[0];
    EXPECT_TRUE(message.starts_with("--" + b.option + ":")) << message;
    EXPECT_NE(message.find(b.says), std::string::npos) << message;
  }
  for (const auto& spec : serve_options())
    if (!any_value.contains(spec.name)) {
      EXPECT_TRUE(covered.contains(spec.name)) << "no bad-value row for --" << spec.name;
    }
}

TEST(Options, AcceptsGoodValuesIntoTheConfig) {
  test::temp_dir site;
  auto r = serve_with(site, {"--listen",
                             "[::1]:0",
                             "--messages-per-s",
                             "50",
                             "--piece-size",
                             "1024",
                             "--log-level",
                             "debug",
                             "--origin-rate-limit",
                             "0",
                             "--allowed-origin",
                             "HTTPS://Example.COM:443",
                             "--trust-proxy",
                             "10.0.0.0/8",
                             "--shutdown-grace-ms",
                             "0",
                             "--access-log",
                             "-",
                             "--access-log-format",
                             "json"});
  ASSERT_TRUE(r.problems.empty()) << r.problems[0];
  EXPECT_EQ(r.cfg.listen_address, "::1");
  EXPECT_EQ(r.cfg.listen_port, 0);
  EXPECT_EQ(r.cfg.limits.messages_per_s, 50);
  EXPECT_EQ(r.cfg.piece_size_bytes, 1024u);
  EXPECT_EQ(r.cfg.logging.level, "debug");
  EXPECT_EQ(r.cfg.origins.allowed, std::vector<std::string>{"https://example.com"});
  EXPECT_EQ(r.cfg.shutdown_grace.count(), 0);
  EXPECT_EQ(r.cfg.logging.access_log, "-");
  EXPECT_EQ(r.cfg.logging.access_log_format, "json");
}

TEST(Options, ReportsEveryProblemAtOnce) {
  test::temp_dir site;
  auto r = serve_with(site, {"--messages-per-s", "-5", "--piece-size", "0"});
  EXPECT_EQ(r.problems.size(), 2u);
}

TEST(Options, RefusesOptionsThatNeedEachOther) {
  test::temp_dir site;
  auto cert = site.write("c.pem", "x");
  auto secret = site.write("s", "x\n");
  auto one = [&](std::vector<std::string> extra) {
    auto r = serve_with(site, extra);
    return r.problems.empty() ? std::string() : r.problems[0];
  };
  EXPECT_NE(one({"--tls-cert", cert.string()}).find("--tls-cert and --tls-key"), std::string::npos);
  EXPECT_NE(one({"--redirect-http", "127.0.0.1:0"}).find("--redirect-http"), std::string::npos);
  EXPECT_NE(one({"--turn", "turn:198.51.100.1"}).find("--turn:"), std::string::npos);
  EXPECT_NE(one({"--ice-relay-only"}).find("--ice-relay-only"), std::string::npos);
  EXPECT_NE(one({"--turn", "turn:198.51.100.1", "--turn-secret", "s", "--turn-secret-file",
                 secret.string()})
                .find("not both"),
            std::string::npos);
  // A cluster's processes verify each other's tokens: a key shared by all, from a file.
  auto key = site.write("k", "a shared key of 16+ characters\n");
  EXPECT_NE(one({"--redis", "redis://127.0.0.1:6379"}).find("--token-secret-file"),
            std::string::npos);
  EXPECT_EQ(one({"--redis", "redis://127.0.0.1:6379", "--token-secret-file", key.string()}), "");
  EXPECT_NE(one({"--token-secret-file", secret.string()}).find("16 characters"), std::string::npos);
  EXPECT_NE(one({"--secret", "k", "--token-secret-file", key.string()}).find("not both"),
            std::string::npos);
}

TEST(Options, RefusesAMissingOrAbsentSiteDirectory) {
  EXPECT_EQ(parse_command_line({"circlecdn", "serve"}).problems.at(0).find("SITE_DIR"), 0u);
  EXPECT_EQ(parse_command_line({"circlecdn", "serve", "/nonexistent/site"})
                .problems.at(0)
                .find("SITE_DIR"),
            0u);
}

TEST(Options, RefusesUnknownFlagsAndHelpShowsEveryDefault) {
  test::temp_dir site;
  EXPECT_FALSE(serve_with(site, {"--no-such-option", "1"}).problems.empty());
  // Every row's help carries its default and range (what --help prints).
  for (const auto& spec : serve_options()) {
    EXPECT_FALSE(spec.help.empty()) << spec.name;
    EXPECT_FALSE(spec.range.empty()) << spec.name;
  }
}

TEST(Options, NamesAreUniqueAndAreTheirTomlKeys) {
  std::set<std::string> names;
  for (const auto& spec : serve_options()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_EQ(spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-"), std::string::npos);
  }
}

TEST(Options, SecretsAreNeverShown) {
  app::config c;
  c.secret = "hunter2";
  c.ice.turn_secret = "hunter3";
  c.operator_token = "hunter4-operator-token";
  for (const auto& spec : serve_options())
    if (spec.sensitive) {
      EXPECT_EQ(shown_value(spec, c), "(hidden)") << spec.name;
    }
  EXPECT_EQ(markdown_table().find("hunter"), std::string::npos);
}
