#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace circlecdn::net {

namespace {

// TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 has only such suites).
constexpr const char* tls12_ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";

std::string openssl_reason() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static const unsigned char ours[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, ours, sizeof ours, in, inlen) ==
      OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol
}

// A complete context for the pair, or nullptr with `why` set.
SSL_CTX* make_context(const std::filesystem::path& cert, const std::filesystem::path& key,
                      std::string& why) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    why = openssl_reason();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_cipher_list(ctx, tls12_ciphers);
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    why = "certificate " + cert.string() + ": " + openssl_reason();
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    why = "key " + key.string() + ": " + openssl_reason();
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    why = "key " + key.string() + " does not match certificate " + cert.string() + ": " +
          openssl_reason();
  } else {
    return ctx;
  }
  SSL_CTX_free(ctx);
  return nullptr;
}

}  // namespace

tls_context::tls_context(std::filesystem::path cert_file, std::filesystem::path key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {
  std::string why;
  ctx_ = make_context(cert_file_, key_file_, why);
  if (!ctx_) throw std::runtime_error("TLS: " + why);
}

tls_context::~tls_context() {
  SSL_CTX_free(ctx_);
}

std::string tls_context::reload() {
  std::string why;
  SSL_CTX* fresh = make_context(cert_file_, key_file_, why);
  if (!fresh) return why;
  SSL_CTX_free(ctx_);  // connections still using it hold their own reference
  ctx_ = fresh;
  return {};
}

std::string tls_context::fingerprint() const {
  X509* cert = SSL_CTX_get0_certificate(ctx_);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace circlecdn::net
