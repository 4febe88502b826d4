#pragma once
// The server's TLS settings and its current certificate: one SSL_CTX that new handshakes use.
// TLS 1.2 and later, ALPN "http/1.1" (a client offering only other protocols, h2 alone say, is
// refused with the no_application_protocol alert), no renegotiation, record buffers released
// while empty. reload() reads the files again and swaps the context only when the new pair loads
// and matches: connections already open keep theirs (each SSL holds a reference on its context).
#include <openssl/ssl.h>

#include <filesystem>
#include <string>

namespace circlecdn::net {

class tls_context {
 public:
  // Throws std::runtime_error (with OpenSSL's reason) when the pair does not load or match.
  tls_context(std::filesystem::path cert_file, std::filesystem::path key_file);
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  // Loads the files again. Empty on success (new handshakes use the new pair), else why not (the
  // old pair stays in use).
  std::string reload();
  // A fresh SSL for one connection with the current pair, or nullptr when out of memory.
  SSL* new_ssl() const { return SSL_new(ctx_); }
  // The current certificate's SHA-256 fingerprint (hex), for logs and tests.
  std::string fingerprint() const;

 private:
  std::filesystem::path cert_file_, key_file_;
  SSL_CTX* ctx_ = nullptr;
};

}  // namespace circlecdn::net
