// The TOML file: every option is also a key under [serve]; unknown keys and bad values are refused
// naming them; `check-config` validates a file alone; SIGHUP's plan takes live options and keeps
// the others; the options table in docs/operations.md is the one the code generates.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/command_line.hpp"
#include "cli/options.hpp"
#include "cli/reload.hpp"
#include "support/temp_dir.hpp"

using namespace circlecdn;
using namespace circlecdn::cli;

namespace {

// A valid value for each option, as a TOML value.
std::string good_toml_value(const option_spec& spec, const test::temp_dir& dir) {
  if (spec.kind == option_kind::flag) return "false";
  static const std::map<std::string, std::string> values = {
      {"listen", "\"127.0.0.1:0\""},
      {"allowed-origin", "[\"https://example.com\"]"},
      {"trust-proxy", "[\"127.0.0.1/32\"]"},
      {"stun", "[\"stun:198.51.100.1:3478\"]"},
      {"turn", "[\"turn:198.51.100.1:3478?transport=udp\"]"},
      {"crowd-include", "[\"*\"]"},
      {"crowd-exclude", "[\"*.pdf\"]"},
      {"log-level", "\"warn\""},
      {"access-log-format", "\"json\""},
      {"access-log", "\"-\""},
      {"redirect-http", "\"127.0.0.1:0\""},
      {"gpc", "\"ignore\""},
      {"hidden-uploads", "\"continue\""},
      {"service-worker", "\"off\""},
      {"routing", "\"chord\""},
      {"challenge-rate", "0.5"},
      {"cache-control", "[\"*.css=no-cache\"]"},
      {"hash-cache", "\"none\""},
      {"operator-token", "\"0123456789abcdef0\""},
      {"redis", "\"redis://127.0.0.1:6379/2\""},
  };
  if (auto it = values.find(spec.name); it != values.end()) return it->second;
  if (spec.name == "client-dir") return "\"" + dir.path().string() + "\"";
  if (spec.name == "tls-cert" || spec.name == "tls-key")
    return "\"" + dir.write(spec.name + ".pem", "x").string() + "\"";
  if (spec.name == "turn-secret-file") return "\"" + dir.write("secret", "s\n").string() + "\"";
  if (spec.name == "operator-token-file")
    return "\"" + dir.write("token", "0123456789abcdef0\n").string() + "\"";
  if (spec.name == "token-secret-file")
    return "\"" + dir.write("token-key", "a shared key of 16+ characters\n").string() + "\"";
  if (spec.name == "secret" || spec.name == "turn-secret") return "\"s\"";
  // Numbers: the lower end of the range ("0 or 1024..N" -> 0; "60..604800" -> 60).
  return spec.range.substr(0, spec.range.find_first_of(". "));
}

}  // namespace

TEST(ConfigFile, EveryOptionIsAKeyUnderServe) {
  test::temp_dir dir;
  for (const auto& spec : serve_options()) {
    auto file = dir.write("one.toml",
                          "[serve]\n" + toml_key(spec) + " = " + good_toml_value(spec, dir) + "\n");
    auto problems = check_config_file(file);
    // Only the cross checks may complain (a TLS cert alone, TURN without a secret...): never
    // about the key itself or its value.
    for (const auto& p : problems) {
      EXPECT_EQ(p.find("unknown key"), std::string::npos) << spec.name << ": " << p;
      EXPECT_FALSE(p.starts_with("--" + spec.name + ": expected")) << p;
    }
  }
}

TEST(ConfigFile, RefusesAnUnknownKeyNamingIt) {
  test::temp_dir dir;
  auto file = dir.write("c.toml", "[serve]\nlisten = \"127.0.0.1:0\"\nmesages-per-s = 5\n");
  auto problems = check_config_file(file);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("unknown key serve.mesages-per-s"), std::string::npos) << problems[0];
  auto top = dir.write("top.toml", "listen = \"127.0.0.1:0\"\n");
  ASSERT_EQ(check_config_file(top).size(), 1u);
  EXPECT_NE(check_config_file(top)[0].find("unknown key listen"), std::string::npos);
}

TEST(ConfigFile, RefusesBadValuesInTheFileNamingTheOption) {
  test::temp_dir dir;
  auto file = dir.write("c.toml",
                        "[serve]\nmessages-per-s = -5\nlisten = \"127.0.0.1:99999\"\n"
                        "log-level = \"verbose\"\n");
  auto problems = check_config_file(file);
  ASSERT_EQ(problems.size(), 3u);
  std::string all;
  for (auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("--messages-per-s: expected 1..1000000"), std::string::npos) << all;
  EXPECT_NE(all.find("--listen: expected"), std::string::npos) << all;
  EXPECT_NE(all.find("--log-level: expected trace|debug|info|warn|error|critical|off"),
            std::string::npos)
      << all;
}

TEST(ConfigFile, AReusedCheckerAnswersEachFileAsAFreshOneWould) {
  // The fuzzer reuses one checker: nothing of one file may leak into the next one's answer.
  test::temp_dir dir;
  std::vector<std::filesystem::path> files = {
      dir.write("bad.toml", "[serve]\nmessages-per-s = -5\nstun = [\"bogus\"]\n"),
      dir.write("good.toml", "[serve]\nmessages-per-s = 5\n"),
      dir.write("unknown.toml", "[serve]\nnope = 1\n"),
      dir.write("empty.toml", ""),
      dir.write("broken.toml", "[serve\nlisten = \n"),
      CIRCLECDN_SOURCE_DIR "/examples/circlecdn.toml",
      dir.write("bad2.toml", "[serve]\nturn-secret = \"a\"\nturn-secret-file = \"/x\"\n"),
  };
  config_checker reused;
  for (int round = 0; round < 2; ++round)
    for (const auto& f : files) EXPECT_EQ(reused.check(f), check_config_file(f)) << f;
  EXPECT_EQ(reused.check(files[1]), std::vector<std::string>{});
  EXPECT_EQ(reused.check(files[0]).size(), 2u);
}

TEST(ConfigFile, CheckConfigAcceptsTheExampleAndRefusesAMissingFile) {
  EXPECT_EQ(check_config_file(CIRCLECDN_SOURCE_DIR "/examples/circlecdn.toml"),
            std::vector<std::string>{});
  auto missing = check_config_file("/nonexistent/circlecdn.toml");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].find("cannot read /nonexistent/circlecdn.toml"), std::string::npos);
}

TEST(ConfigFile, DottedKeysWorkLikeTheTable) {
  test::temp_dir dir;
  auto file = dir.write("c.toml", "serve.messages-per-s = 7\n");
  auto r =
      parse_command_line({"circlecdn", "serve", dir.path().string(), "--config", file.string()});
  ASSERT_TRUE(r.problems.empty()) << r.problems[0];
  EXPECT_EQ(r.cfg.limits.messages_per_s, 7);
  EXPECT_EQ(r.config_file, file);
}

TEST(ReloadPlan, TakesLiveOptionsAndKeepsTheOthers) {
  app::config running;
  running.site = "/srv/site";
  app::config reread = running;
  reread.limits.messages_per_s = 50;
  reread.ice.stun_urls = {"stun:198.51.100.1"};
  reread.logging.level = "debug";
  reread.listen_port = 9999;       // needs a restart
  reread.piece_size_bytes = 4096;  // needs a restart
  auto plan = plan_reload(reread, running);
  ASSERT_TRUE(plan.next);
  EXPECT_EQ(plan.next->limits.messages_per_s, 50);
  EXPECT_EQ(plan.next->ice.stun_urls, reread.ice.stun_urls);
  EXPECT_EQ(plan.next->logging.level, "debug");
  EXPECT_EQ(plan.next->listen_port, running.listen_port);
  EXPECT_EQ(plan.next->piece_size_bytes, running.piece_size_bytes);
  EXPECT_EQ(plan.changed.size(), 3u);
  ASSERT_EQ(plan.need_restart.size(), 2u);
  EXPECT_TRUE(plan.need_restart[0].starts_with("listen: 127.0.0.1:8080 -> 127.0.0.1:9999"))
      << plan.need_restart[0];
}

// Peers on a ring or on Chord cannot switch strategies in the middle of a session.
TEST(ReloadPlan, TheRoutingStrategyNeedsARestart) {
  app::config running;
  app::config reread = running;
  reread.limits.routing.strategy = routing::strategy::chord;
  auto plan = plan_reload(reread, running);
  ASSERT_TRUE(plan.next);
  EXPECT_EQ(plan.next->limits.routing.strategy, routing::strategy::tracker);
  EXPECT_TRUE(plan.changed.empty());
  ASSERT_EQ(plan.need_restart.size(), 1u);
  EXPECT_EQ(plan.need_restart[0], "routing: tracker -> chord (needs a restart; keeps tracker)");
}

TEST(ReloadPlan, ABadFileChangesNothing) {
  test::temp_dir dir;
  auto file = dir.write("c.toml", "[serve]\nmessages-per-s = 0\n");
  app::config running;
  auto plan =
      plan_reload({"circlecdn", "serve", dir.path().string(), "--config", file.string()}, running);
  EXPECT_FALSE(plan.next);
  ASSERT_EQ(plan.problems.size(), 1u);
  EXPECT_NE(plan.problems[0].find("--messages-per-s"), std::string::npos);
}

TEST(ReloadPlan, ChangedSecretsAreReportedHidden) {
  app::config running;
  running.ice.turn_secret = "old-secret";
  app::config reread = running;
  reread.ice.turn_secret = "new-secret";
  auto plan = plan_reload(reread, running);
  ASSERT_EQ(plan.changed.size(), 1u);
  EXPECT_EQ(plan.changed[0], "turn-secret: (hidden) -> (hidden)");
  EXPECT_EQ(plan.next->ice.turn_secret, "new-secret");
}

// docs/operations.md carries the table between two markers; it must be the generated one.
// An option kept in a table of its own: `cluster.redis` under [serve], or `redis` in
// [serve.cluster]; the flag is --redis.
TEST(ConfigFile, DottedKeysReachTheirOption) {
  test::temp_dir dir;
  // (--redis needs a shared token key: here --secret, before any table)
  for (const std::string text :
       {"[serve]\nsecret = \"k\"\ncluster.redis = \"redis://127.0.0.1:7001/2\"\n",
        "[serve]\nsecret = \"k\"\n[serve.cluster]\nredis = \"redis://127.0.0.1:7001/2\"\n"}) {
    auto file = dir.write("cluster.toml", text);
    auto r =
        parse_command_line({"circlecdn", "serve", dir.path().string(), "--config", file.string()});
    EXPECT_TRUE(r.problems.empty()) << text << (r.problems.empty() ? "" : r.problems[0]);
    EXPECT_EQ(r.cfg.cluster.redis, "redis://127.0.0.1:7001/2") << text;
  }
  auto bad = dir.write("bad.toml", "[serve]\ncluster.redis = \"localhost\"\n");
  auto problems = check_config_file(bad);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("--redis"), std::string::npos) << problems[0];
  auto unknown = dir.write("unknown.toml", "[serve]\ncluster.nothing = 1\n");
  EXPECT_FALSE(check_config_file(unknown).empty());
}

TEST(ConfigDocs, OperationsTableIsTheGeneratedOne) {
  std::ifstream in(CIRCLECDN_SOURCE_DIR "/docs/operations.md");
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  const std::string begin = "<!-- options-table: generated from server/src/cli/options.cpp -->\n";
  const std::string end = "<!-- options-table end -->";
  auto b = text.find(begin), e = text.find(end);
  ASSERT_NE(b, std::string::npos) << "marker missing";
  ASSERT_NE(e, std::string::npos) << "end marker missing";
  EXPECT_EQ(text.substr(b + begin.size(), e - b - begin.size()), markdown_table())
      << "docs/operations.md is out of date; the table should read:\n"
      << markdown_table();
}
