#include "app/operator_auth.hpp"

#include <openssl/crypto.h>

#include <cctype>

#include "core/content_hash.hpp"

namespace circlecdn::app {

bool constant_time_equal(std::string_view a, std::string_view b) {
  auto da = content_hash::of(a), db = content_hash::of(b);
  return CRYPTO_memcmp(da.bytes.data(), db.bytes.data(), da.bytes.size()) == 0;
}

operator_access check_operator(const http::request<http::string_body>& req,
                               std::string_view token) {
  if (token.empty()) return operator_access::not_configured;
  std::string_view auth = req[http::field::authorization];
  // The scheme is case-insensitive (RFC 9110 11.1); one space, then the token.
  constexpr std::string_view scheme = "bearer ";
  if (auth.size() <= scheme.size()) return operator_access::denied;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(auth[i])) != scheme[i])
      return operator_access::denied;
  auth.remove_prefix(scheme.size());
  while (!auth.empty() && auth.back() == ' ') auth.remove_suffix(1);
  return constant_time_equal(auth, token) ? operator_access::granted : operator_access::denied;
}

}  // namespace circlecdn::app
