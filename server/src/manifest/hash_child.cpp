#include "manifest/hash_child.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>
#include <type_traits>
#include <utility>

#include "manifest/file_hasher.hpp"

namespace circlecdn::manifest {

namespace {

// A record: u32 index, u8 ok; when ok: file_info, u64 size, 32 bytes of SHA-256, u32 pieces,
// 32 bytes per piece. Native byte order and layout: the reader is the same binary.
static_assert(std::is_trivially_copyable_v<file_info>);
constexpr std::size_t head_bytes = sizeof(std::uint32_t) + 1;
constexpr std::size_t ok_bytes = sizeof(file_info) + sizeof(std::uint64_t) + 32 + 4;
constexpr int child_out_fd =
    3;  // the child keeps stdin, stdout, stderr (sanitizer reports) and this

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

bool write_all(int fd, const std::string& bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

[[noreturn]] void run_child(int fd, const std::vector<hash_request>& files,
                            std::uint64_t piece_size) {
  std::signal(SIGPIPE, SIG_IGN);  // a parent that went away ends the loop through write()
  std::vector<char> buffer(1024 * 1024);
  for (std::uint32_t i = 0; i < files.size(); ++i) {
    auto e = hash_file(files[i].path, files[i].url, piece_size, buffer);
    std::string rec;
    put(rec, i);
    put(rec, static_cast<std::uint8_t>(e ? 1 : 0));
    if (e) {
      put(rec, e->version);
      put(rec, e->size);
      rec.append(reinterpret_cast<const char*>(e->sha256.bytes.data()), 32);
      put(rec, static_cast<std::uint32_t>(e->pieces.size()));
      for (const auto& p : e->pieces) rec.append(reinterpret_cast<const char*>(p.bytes.data()), 32);
    }
    if (!write_all(fd, rec)) ::_exit(1);
  }
  ::_exit(0);  // no destructors, no atexit handlers: they belong to the parent
}

}  // namespace

hash_child::hash_child(std::vector<hash_request> files, std::uint64_t piece_size)
    : count_(files.size()) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::system_error(err, std::generic_category(), "fork");
  }
  if (pid_ == 0) {
    // Dies with the server (a crash or SIGKILL would otherwise leave it hashing gigabytes), and
    // answers the signals the server's handlers caught with their defaults again.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(3);  // the parent died before prctl took effect
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Every descriptor but the pipe goes: a copy of a connection, a listener or the epoll set
    // held here would keep a socket the server closed open until this child exits.
    int out = fds[1];
    if (out != child_out_fd) {
      if (::dup2(out, child_out_fd) < 0) ::_exit(2);
      out = child_out_fd;
    }
    if (::close_range(child_out_fd + 1, ~0U, 0) != 0) {  // before Linux 5.9: one by one
      rlimit lim{};
      ::getrlimit(RLIMIT_NOFILE, &lim);
      for (rlim_t fd = child_out_fd + 1; fd < lim.rlim_cur; ++fd) ::close(static_cast<int>(fd));
    }
    run_child(out, files, piece_size);
  }
  ::close(fds[1]);
  fd_ = fds[0];
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  urls_.reserve(files.size());
  for (auto& f : files) urls_.push_back(std::move(f.url));
}

hash_child::~hash_child() {
  if (fd_ >= 0) ::close(fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

int hash_child::release_fd() {
  return std::exchange(fd_, -1);
}

void hash_child::feed(std::span<const char> bytes) {
  pending_.append(bytes.data(), bytes.size());
  std::size_t at = 0;
  while (pending_.size() - at >= head_bytes) {
    const char* p = pending_.data() + at;
    const auto index = get<std::uint32_t>(p);
    const bool ok = get<std::uint8_t>(p + 4) != 0;
    std::size_t need = head_bytes;
    std::uint32_t pieces = 0;
    if (ok) {
      need += ok_bytes;
      if (pending_.size() - at < need) break;
      pieces = get<std::uint32_t>(p + need - 4);
      need += std::size_t{pieces} * 32;
      if (pending_.size() - at < need) break;
    }
    if (index != reported_ || index >= count_) {  // not what this child was asked: stop reading
      reported_ = count_ + 1;
      pending_.clear();
      return;
    }
    if (!ok) {
      ready_.emplace_back(std::nullopt);
    } else {
      const char* q = p + head_bytes;
      file_entry e;
      e.path = urls_[index];
      e.version = get<file_info>(q);
      q += sizeof(file_info);
      e.size = get<std::uint64_t>(q);
      q += sizeof(std::uint64_t);
      std::memcpy(e.sha256.bytes.data(), q, 32);
      q += 32 + 4;
      e.pieces.resize(pieces);
      for (auto& h : e.pieces) {
        std::memcpy(h.bytes.data(), q, 32);
        q += 32;
      }
      ready_.emplace_back(std::move(e));
    }
    ++reported_;
    at += need;
  }
  pending_.erase(0, at);
}

std::vector<std::optional<file_entry>> hash_child::take() {
  return std::exchange(ready_, {});
}

bool hash_child::wait() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace circlecdn::manifest
