#include "manifest/file_hasher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

#include "manifest/store.hpp"

namespace circlecdn::manifest {

file_hasher::file_hasher(const std::filesystem::path& path, std::string url,
                         std::uint64_t piece_size)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)),
      url_(std::move(url)),
      piece_size_(piece_size) {
  if (fd_ >= 0) before_ = file_info_of(fd_);
  if (!before_ || !before_->regular) state_ = state::failed;
}

file_hasher::~file_hasher() {
  if (fd_ >= 0) ::close(fd_);
}

file_hasher::state file_hasher::step(std::vector<char>& buffer, std::uint64_t budget) {
  const bool pieced = state_ == state::reading && before_->size > piece_size_;
  for (std::uint64_t spent = 0; state_ == state::reading && spent < budget;) {
    const auto want = std::min<std::uint64_t>(buffer.size(), budget - spent);
    const ssize_t n = ::read(fd_, buffer.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return state_ = state::failed;
    if (n == 0) {
      if (pieced && in_piece_ > 0) pieces_.push_back(piece_.finish());
      const auto after = file_info_of(fd_);
      const bool same = after && total_ == before_->size && after->same_version(*before_);
      return state_ = same ? state::done : state::failed;
    }
    const auto got = static_cast<std::uint64_t>(n);
    spent += got;
    whole_.update(buffer.data(), got);
    total_ += got;
    if (total_ > before_->size) return state_ = state::failed;  // grew while being read
    if (!pieced) continue;
    for (std::uint64_t used = 0; used < got;) {
      const auto take = std::min(got - used, piece_size_ - in_piece_);
      piece_.update(buffer.data() + used, take);
      used += take;
      in_piece_ += take;
      if (in_piece_ == piece_size_) {
        pieces_.push_back(piece_.finish());
        in_piece_ = 0;
      }
    }
  }
  return state_;
}

file_entry file_hasher::take() {
  file_entry e;
  e.path = std::move(url_);
  e.size = total_;
  e.sha256 = whole_.finish();
  e.pieces = std::move(pieces_);
  e.version = *before_;
  return e;
}

std::optional<file_entry> hash_file(const std::filesystem::path& path, std::string url,
                                    std::uint64_t piece_size, std::vector<char>& buffer) {
  file_hasher h(path, std::move(url), piece_size);
  if (h.step(buffer, std::numeric_limits<std::uint64_t>::max()) != file_hasher::state::done)
    return std::nullopt;
  return h.take();
}

}  // namespace circlecdn::manifest
