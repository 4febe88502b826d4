#pragma once
// TLS and reverse-proxy settings (`--tls-cert`, `--tls-key`, `--redirect-http`, `--trust-proxy`):
// their own block of the configuration, checked when the server starts.
#include <filesystem>
#include <string>
#include <vector>

namespace circlecdn::app {

struct tls_config {
  std::filesystem::path cert_file;  // PEM chain, leaf first; with key_file: serve HTTPS and WSS
  std::filesystem::path key_file;   // PEM private key (re-read on SIGHUP with the certificate)
  std::string redirect_http;        // ADDR:PORT of a plain listener that answers 301 to https
  std::vector<std::string> trust_proxy;  // CIDRs whose X-Forwarded-Proto/-For count

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

}  // namespace circlecdn::app
