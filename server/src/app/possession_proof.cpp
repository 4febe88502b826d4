#include "app/possession_proof.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "manifest/file_info.hpp"

namespace circlecdn::app {

namespace {
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

void possession_proof::index(const manifest::snapshot& snap) {
  where_.clear();
  for (const auto& [url, f] : snap.files) {
    if (!f.crowd) continue;
    if (f.pieces.empty()) {
      where_[f.sha256] = {url, 0, f.size};
      continue;
    }
    for (std::size_t i = 0; i < f.pieces.size(); ++i) {
      auto offset = i * snap.piece_size;
      where_[f.pieces[i]] = {url, offset, std::min(snap.piece_size, f.size - offset)};
    }
  }
}

std::optional<content_hash> possession_proof::operator()(const content_hash& h,
                                                         std::string_view nonce) {
  auto snap = store_.current();
  if (snap != indexed_) {  // a new generation: rebuild once (O(files))
    index(*snap);
    indexed_ = snap;
  }
  auto it = where_.find(h);
  if (it == where_.end()) return std::nullopt;
  const auto& loc = it->second;
  const auto* entry = snap->find(loc.url);
  if (!entry) return std::nullopt;
  auto path = store_.root() / loc.url.substr(1);
  fd_guard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) return std::nullopt;
  auto info = manifest::file_info_of(f.fd);
  if (!info || !info->regular || !info->same_version(entry->version)) return std::nullopt;
  buffer_.resize(static_cast<std::size_t>(loc.length));
  std::size_t got = 0;
  while (got < buffer_.size()) {
    auto n = ::pread(f.fd, buffer_.data() + got, buffer_.size() - got,
                     static_cast<off_t>(loc.offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    got += static_cast<std::size_t>(n);
  }
  sha256_stream digest;
  digest.update(nonce.data(), nonce.size());
  digest.update(buffer_.data(), buffer_.size());
  return digest.finish();
}

}  // namespace circlecdn::app
