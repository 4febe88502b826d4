#pragma once
// The operator token every test server is started with, and the header that presents it: the
// operator endpoints (/.circlecdn/stats, /metrics, the dashboard) answer 404 without one.
#include <string>

#include "support/http_client.hpp"

namespace circlecdn::test {

inline const std::string operator_token = "integration-operator-token";

inline header_list operator_auth() {
  return {{"Authorization", "Bearer " + operator_token}};
}

}  // namespace circlecdn::test
