// The scanner that finds a member's bytes in an already validated JSON object.
#include "signal/raw_member.hpp"

#include <gtest/gtest.h>

using namespace circlecdn::signal;

TEST(RawMember, FindsEachKindOfValue) {
  const std::string_view t =
      R"( { "s" : "a\"}b" , "o":{"x":[1,{"y":"]"}]}, "a":[ ], "n":-1.5e3 ,"t":true,"z":null } )";
  EXPECT_EQ(raw_member(t, "s"), R"("a\"}b")");
  EXPECT_EQ(raw_member(t, "o"), R"({"x":[1,{"y":"]"}]})");
  EXPECT_EQ(raw_member(t, "a"), "[ ]");
  EXPECT_EQ(raw_member(t, "n"), "-1.5e3");
  EXPECT_EQ(raw_member(t, "t"), "true");
  EXPECT_EQ(raw_member(t, "z"), "null");
  EXPECT_EQ(raw_member(t, "missing"), std::nullopt);
}

TEST(RawMember, OnlyTopLevelKeysCount) {
  EXPECT_EQ(raw_member(R"({"o":{"data":1},"data":2})", "data"), "2");
  EXPECT_EQ(raw_member(R"({"o":{"data":1}})", "data"), std::nullopt);
  EXPECT_EQ(raw_member(R"({"k":"\"data\":1"})", "data"), std::nullopt);
}

TEST(RawMember, LastDuplicateWins) {
  EXPECT_EQ(raw_member(R"({"data":1,"data":{"b":2}})", "data"), R"({"b":2})");
}

TEST(RawMember, EscapedKeysAndNonObjectsGiveUp) {
  EXPECT_EQ(raw_member(R"({"d\u0061ta":1})", "data"), std::nullopt);
  EXPECT_EQ(raw_member(R"({"data":1,"x\n":2})", "data"), std::nullopt);
  EXPECT_EQ(raw_member(R"([{"data":1}])", "data"), std::nullopt);
  EXPECT_EQ(raw_member("{}", "data"), std::nullopt);
  EXPECT_EQ(raw_member("", "data"), std::nullopt);
  EXPECT_EQ(raw_member(R"({"data":{"a":1})", "data"), std::nullopt);  // truncated
  EXPECT_EQ(raw_member(R"({"data":"abc)", "data"), std::nullopt);
}
