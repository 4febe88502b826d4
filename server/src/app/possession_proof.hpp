#pragma once
// What a possession proof must equal (docs/protocol.md, "Possession challenges"):
// SHA-256(nonce || bytes of a content hash), read from the origin's own file with one pread of the
// piece's range. A hash the manifest does not list, or a file changed since it was hashed, gives
// nullopt: the server does not challenge what it cannot check. Runs on the tracker's thread; its
// cost per call is bounded by the piece size and its rate by --challenges-per-s.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/content_hash.hpp"
#include "manifest/store.hpp"

namespace circlecdn::app {

class possession_proof {
 public:
  explicit possession_proof(const manifest::store& store) : store_(store) {}

  std::optional<content_hash> operator()(const content_hash& h, std::string_view nonce);

 private:
  struct location {
    std::string url;  // the manifest's path; the file is root / url
    std::uint64_t offset = 0, length = 0;
  };
  void index(const manifest::snapshot& snap);

  const manifest::store& store_;
  std::shared_ptr<const manifest::snapshot> indexed_;  // the snapshot `where_` was built from
  std::unordered_map<content_hash, location> where_;
  std::string buffer_;  // one piece, reused
};

}  // namespace circlecdn::app
