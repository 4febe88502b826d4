#include "core/turn_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace circlecdn {

std::string turn_username(std::int64_t expires_unix, const peer_id& peer) {
  return std::to_string(expires_unix) + ":" + peer.str();
}

std::string turn_credential(std::string_view secret, std::string_view username) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac, &len))
    throw std::runtime_error("HMAC-SHA1 failed");
  std::string out(4 * ((len + 2) / 3) + 1, '\0');  // EVP_EncodeBlock writes a NUL after the text
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace circlecdn
