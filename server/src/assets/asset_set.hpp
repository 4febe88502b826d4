#pragma once
// The browser files the server hands out under /.circlecdn/: each with its bytes, its content type
// and a content hash that names it (ETag, and the fingerprinted name of the library). Built once
// from the files embedded in the binary; for the library files a development directory
// (`--client-dir`) may take precedence, read again on every request so a rebuild shows at once.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/content_hash.hpp"

namespace circlecdn::assets {

struct asset {
  std::string name;                          // "circlecdn.js"
  std::string content_type;                  // from the name's extension
  std::string_view bytes;                    // embedded (static storage) or `owned`
  std::string hash_hex;                      // SHA-256 of bytes, lower-case hex
  std::shared_ptr<const std::string> owned;  // a file read from the override directory

  // The first 16 hex digits of the hash: circlecdn.<fingerprint>.js
  std::string_view fingerprint() const { return std::string_view(hash_hex).substr(0, 16); }
  std::string fingerprinted_name() const;
};

class asset_set {
 public:
  // The embedded files; `library_dir` (may be empty) overrides the client files (is_client_file).
  explicit asset_set(std::filesystem::path library_dir = {});

  // By plain name ("circlecdn.js"). nullopt: unknown, or a placeholder with no bytes (the binary
  // was built without it), or missing from the override directory.
  std::optional<asset> find(std::string_view name) const;
  // By fingerprinted name ("circlecdn.0123456789abcdef.js"): only when the fingerprint is that of
  // the current bytes, so an old fingerprint never serves new bytes as immutable.
  std::optional<asset> find_fingerprinted(std::string_view name) const;

  // The library files, which get fingerprinted names.
  static bool is_library(std::string_view name);
  // What the override directory may replace: the library and the service workers.
  static bool is_client_file(std::string_view name);

 private:
  std::filesystem::path library_dir_;
  std::vector<asset> embedded_;  // hashed once at start
};

}  // namespace circlecdn::assets
