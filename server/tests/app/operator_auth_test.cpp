// Who may read the operator endpoints.
#include <gtest/gtest.h>

#include "app/operator_auth.hpp"

using namespace circlecdn;
using namespace circlecdn::app;

namespace {

http::request<http::string_body> with_auth(std::string_view value) {
  http::request<http::string_body> req{http::verb::get, "/metrics", 11};
  if (!value.empty()) req.set(http::field::authorization, value);
  return req;
}

constexpr std::string_view token = "0123456789abcdef-operator";

}  // namespace

TEST(OperatorAuth, OnlyTheExactBearerTokenIsGranted) {
  EXPECT_EQ(check_operator(with_auth("Bearer 0123456789abcdef-operator"), token),
            operator_access::granted);
  EXPECT_EQ(check_operator(with_auth("bearer 0123456789abcdef-operator"), token),
            operator_access::granted);  // the scheme is case-insensitive
  for (auto bad : {"", "Bearer", "Bearer ", "Basic 0123456789abcdef-operator",
                   "Bearer 0123456789abcdef-operato", "Bearer 0123456789abcdef-operatorX",
                   "Bearer 0123456789ABCDEF-operator", "0123456789abcdef-operator",
                   "Bearer  0123456789abcdef-operator"})
    EXPECT_EQ(check_operator(with_auth(bad), token), operator_access::denied) << bad;
}

TEST(OperatorAuth, WithoutAConfiguredTokenTheEndpointsDoNotExist) {
  EXPECT_EQ(check_operator(with_auth("Bearer anything"), ""), operator_access::not_configured);
  EXPECT_EQ(check_operator(with_auth(""), ""), operator_access::not_configured);
}

// Timing is not asserted (a flaky test proves nothing); what is checked is that the comparison
// works over digests, so a prefix, a longer string and an empty one are all just unequal.
TEST(OperatorAuth, ConstantTimeEqualComparesWholeValues) {
  EXPECT_TRUE(constant_time_equal("same-token-value", "same-token-value"));
  EXPECT_FALSE(constant_time_equal("same-token-value", "same-token-valuE"));
  EXPECT_FALSE(constant_time_equal("same-token-value", "same-token"));
  EXPECT_FALSE(constant_time_equal("same-token-value", "same-token-value-and-more"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal("", ""));
}
