// `--redis redis://HOST:PORT[/DB]`: what is accepted and what each refusal says.
#include "cluster/redis_url.hpp"

#include <gtest/gtest.h>

using namespace circlecdn::cluster;

namespace {
std::optional<redis_endpoint> parse(std::string_view text) {
  std::string problem;
  auto e = parse_redis_url(text, problem);
  if (!e) {
    EXPECT_FALSE(problem.empty()) << text;
  }
  return e;
}
}  // namespace

TEST(RedisUrl, HostPortAndDatabase) {
  auto e = parse("redis://127.0.0.1:6380");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 0u);
  e = parse("redis://redis.internal:6379/3");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "redis.internal");
  EXPECT_EQ(e->db, 3u);
  e = parse("redis://[::1]:7000/15");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 7000);
  EXPECT_EQ(e->db, 15u);
}

TEST(RedisUrl, RefusesWhatItCannotUse) {
  std::string problem;
  EXPECT_FALSE(parse_redis_url("127.0.0.1:6379", problem));
  EXPECT_NE(problem.find("redis://"), std::string::npos);
  EXPECT_FALSE(parse_redis_url("redis://127.0.0.1", problem));
  EXPECT_NE(problem.find("port"), std::string::npos);
  EXPECT_FALSE(parse("redis://127.0.0.1:0"));
  EXPECT_FALSE(parse("redis://127.0.0.1:65536"));
  EXPECT_FALSE(parse("redis://127.0.0.1:6379/16"));
  EXPECT_FALSE(parse("redis://127.0.0.1:6379/x"));
  EXPECT_FALSE(parse("redis://:6379"));
  EXPECT_FALSE(parse("redis://[::1]6379"));
  EXPECT_FALSE(parse_redis_url("redis://user:secret@127.0.0.1:6379", problem));
  EXPECT_NE(problem.find("password"), std::string::npos);
  EXPECT_FALSE(parse("rediss://127.0.0.1:6379"));
}
