// The binary's command line: --version, --help with defaults, check-config, and exit status 2
// with a message naming the option for a bad value, on the command line or in the file.
#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

TEST(CommandLine, VersionPrintsTheProjectVersion) {
  auto r = run_to_exit(CIRCLECDN_BIN, {"--version"});
  EXPECT_EQ(r.code(), 0);
  EXPECT_TRUE(r.out.starts_with("circlecdn 0.")) << r.out;
}

TEST(CommandLine, HelpShowsEachOptionsDefault) {
  auto r = run_to_exit(CIRCLECDN_BIN, {"serve", "--help"});
  EXPECT_EQ(r.code(), 0);
  for (const char* line : {"(default: 127.0.0.1:8080;", "(default: 200; 1..1000000;",
                           "(default: 3000; 0..600000;", "(default: combined; combined|json;"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line;
}

TEST(CommandLine, BadValuesExitWithTwoNamingTheOption) {
  temp_dir site;
  for (auto [flag, value] : {std::pair{"--messages-per-s", "-5"},
                             {"--listen", "127.0.0.1:99999"},
                             {"--log-level", "verbose"},
                             {"--piece-size", "0"}}) {
    auto r = run_to_exit(CIRCLECDN_BIN, {"serve", site.path().string(), flag, value});
    EXPECT_EQ(r.code(), 2) << flag;
    EXPECT_TRUE(r.err.starts_with(std::string(flag) + ": expected")) << r.err;
  }
}

TEST(CommandLine, CheckConfigSaysOkOrListsTheProblems) {
  temp_dir dir;
  auto good = dir.write("good.toml", "[serve]\nlisten = \"0.0.0.0:80\"\nmessages-per-s = 50\n");
  auto r = run_to_exit(CIRCLECDN_BIN, {"check-config", good.string()});
  EXPECT_EQ(r.code(), 0);
  EXPECT_EQ(r.out, "ok\n");
  auto bad = dir.write("bad.toml", "[serve]\nmessages-per-s = -5\nlisten = \"127.0.0.1:99999\"\n");
  r = run_to_exit(CIRCLECDN_BIN, {"check-config", bad.string()});
  EXPECT_EQ(r.code(), 2);
  EXPECT_NE(r.err.find("--messages-per-s: expected 1..1000000"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--listen: expected"), std::string::npos) << r.err;
  auto unknown = dir.write("unknown.toml", "[serve]\nlisten-port = 80\n");
  r = run_to_exit(CIRCLECDN_BIN, {"check-config", unknown.string()});
  EXPECT_EQ(r.code(), 2);
  EXPECT_NE(r.err.find("unknown key serve.listen-port"), std::string::npos) << r.err;
}

TEST(CommandLine, AnUnknownKeyInTheFileStopsServe) {
  temp_dir site;
  temp_dir dir;
  auto file = dir.write("c.toml", "[serve]\nlisten = \"127.0.0.1:0\"\nholdings-maximum = 5\n");
  auto r = run_to_exit(CIRCLECDN_BIN, {"serve", site.path().string(), "--config", file.string()});
  EXPECT_EQ(r.code(), 2);
  EXPECT_NE(r.err.find("unknown key serve.holdings-maximum"), std::string::npos) << r.err;
}
