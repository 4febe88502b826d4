#pragma once
// Who may read the operator endpoints: a request carrying `Authorization: Bearer <token>` equal
// to the configured operator token. Compared in constant time (over SHA-256 digests, so neither
// the content nor the length of the token leaks through timing).
#include <string_view>

#include "core/net.hpp"

namespace circlecdn::app {

enum class operator_access {
  granted,
  not_configured,  // no token: the endpoints do not exist (404)
  denied,          // missing or wrong credentials (401)
};

operator_access check_operator(const http::request<http::string_body>& req, std::string_view token);

// True when a == b; the time taken does not depend on where they differ, nor on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace circlecdn::app
