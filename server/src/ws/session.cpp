#include "ws/session.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cstring>

namespace circlecdn::ws {

namespace {

// Reads land here first: one buffer per thread, not one per peer. Frames that arrive whole
// (nearly all: signaling messages are small) are handled in place and never copied.
constexpr std::size_t read_chunk_bytes = 64 * 1024;
std::span<char> read_scratch() {
  thread_local std::array<char, read_chunk_bytes> scratch;
  return scratch;
}

// Plain new/delete at the requested size, for allocations an idle peer holds for long.
template <class T>
struct exact_allocator {
  using value_type = T;
  exact_allocator() = default;
  template <class U>
  exact_allocator(const exact_allocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) { ::operator delete(p); }
  friend bool operator==(exact_allocator, exact_allocator) { return true; }
};

// At most this many frames go into one gather write.
constexpr std::size_t frames_per_write = 32;
// Reads per wakeup at most, so one busy peer cannot starve the others.
constexpr int reads_per_wakeup = 4;

payload make_payload(std::string_view bytes) {
  return std::make_shared<const std::string>(bytes);
}

std::size_t wire_size(opcode op, const std::string& bytes) {
  std::array<char, max_header_bytes> h;
  return encode_header(h, op, bytes.size()) + bytes.size();
}

}  // namespace

session::session(net::stream stream, session_hub& hub, message_sink& sink)
    : stream_(std::move(stream)),
      hub_(hub),
      sink_(sink),
      assembler_(hub.lim.frame_hard_cap_bytes) {}

session::~session() {
  hub_.sessions.erase(this);
}

void session::start() {
  beast::error_code ec;
  stream_.socket().non_blocking(true, ec);
  if (ec) return;
  hub_.sessions.insert(this);
  heard_ = clock::now();
  sink_.on_open();
  if (broken_) return end();
  wait_readable();
}

// The wait is what an idle peer holds, so it is allocated at its exact size (~100 bytes). Asio's
// default recycling allocator (used for std::allocator too) would hand it a cached block left by
// the HTTP session's read, ~550 bytes, and massif showed such a block held by every idle peer.
void session::wait_readable() {
  stream_.async_wait(read_wait_,
                     asio::bind_allocator(exact_allocator<void>(),
                                          [self = shared_from_this()](const beast::error_code& ec) {
                                            self->on_readable(ec);
                                          }));
}

void session::on_readable(const beast::error_code& ec) {
  if (ended_) return drain(ec);
  if (ec) {
    broken_ = true;
    return end();
  }
  auto scratch = read_scratch();
  for (int round = 0; round < reads_per_wakeup; ++round) {
    beast::error_code rec;
    std::size_t n = stream_.read_some(scratch, rec);
    if (rec == asio::error::would_block) {
      read_wait_ = stream_.wants();
      break;
    }
    read_wait_ = net::stream::wait_type::wait_read;
    if (rec) {  // eof, reset, a TLS error: the peer is gone
      broken_ = true;
      return end();
    }
    heard_ = clock::now();
    pinged_ = false;
    std::optional<std::size_t> used;
    if (partial_) {
      // Completes a frame that began in an earlier read: work on the copy.
      partial_->append(scratch.data(), n);
      used = handle_frames(*partial_);
      if (!used) return;
      partial_->erase(0, *used);
      if (partial_->empty()) partial_.reset();
    } else {
      used = handle_frames(scratch.first(n));
      if (!used) return;
      if (*used < n) partial_ = std::make_unique<std::string>(scratch.data() + *used, n - *used);
    }
    // A message that keeps arriving without ever completing (a frame dribbled a byte at a time,
    // fragments without end) holds memory: keep_alive_due() cuts it after ping_after.
    if (!partial_ && !assembler_.in_message())
      incomplete_since_ = {};
    else if (incomplete_since_ == clock::time_point{} || (*used > 0 && !assembler_.in_message()))
      incomplete_since_ = heard_;  // (a frame finished: the incomplete one is new)
    // A short plain read means the socket is drained: no read that would only say EAGAIN. TLS
    // hands out one record per read, so there only would_block says so.
    if (n < scratch.size() && !stream_.is_tls()) break;
  }
  wait_readable();
}

std::optional<std::size_t> session::handle_frames(std::span<char> bytes) {
  std::size_t used = 0;
  for (;;) {
    auto r = parse_client_frame(bytes.subspan(used), hub_.lim.frame_hard_cap_bytes);
    if (r.status == parse_result::incomplete) return used;
    if (r.status == parse_result::error) {
      handle({event::fail, r.reason, r.code});
      return std::nullopt;
    }
    used += r.consumed;
    bool go_on = handle(assembler_.on_frame(r.f));
    assembler_.release();
    if (!go_on || ended_) return std::nullopt;
    if (broken_) {  // a write to this peer failed while we handled its message
      end();
      return std::nullopt;
    }
  }
}

bool session::handle(const event& e) {
  switch (e.kind) {
    case event::none:
    case event::pong:
      return true;
    case event::text:
      // Once we have sent our close frame, we read on until the peer's, ignoring content.
      if (!close_sent_) sink_.on_text(e.payload);
      return true;
    case event::binary:
      if (!close_sent_) sink_.on_binary(e.payload);
      return true;
    case event::ping:
      send(opcode::pong, make_payload(e.payload));
      return true;
    case event::close:
      // The peer's close: answer with the same code (none if it sent none), then hang up.
      if (!close_sent_) send_close(e.code == close_code::no_status ? 0 : e.code, {});
      end();
      return false;
    case event::fail:
      if (e.code != close_code::too_big)
        spdlog::debug("event=ws_protocol_error close={} error=\"{}\"", e.code, e.payload);
      if (!close_sent_) send_close(e.code, e.payload);
      end();
      return false;
  }
  return false;
}

void session::send_text(payload message) {
  if (close_sent_ || ended_ || broken_) return;
  if (queue_.size() >= hub_.lim.write_queue_messages) {
    // A reader this slow would make us buffer without bound: cut it off. The frame being written
    // stays (its first bytes are out), the rest go, the close frame follows.
    queue_.resize(head_written_ > 0 ? 1 : 0);
    close(close_code::policy, "too slow to read");
    return;
  }
  send(opcode::text, std::move(message));
}

void session::close(std::uint16_t code, std::string_view reason) {
  if (close_sent_ || ended_ || broken_) return;
  send_close(code, reason);
}

void session::send_close(std::uint16_t code, std::string_view reason) {
  std::string bytes;
  if (code != 0) {
    bytes += static_cast<char>(code >> 8);
    bytes += static_cast<char>(code & 0xFF);
    bytes += reason.substr(0, 123);  // a control frame carries at most 125 bytes
  }
  close_sent_ = true;
  mark_ = clock::now();
  send(opcode::close, make_payload(bytes));
}

void session::send(opcode op, payload bytes) {
  if (broken_) return;
  queue_.push_back({op, std::move(bytes)});
  if (!waiting_write_) write_queued();
}

// Writes as much of the queue as the socket takes now, in one gather write per round; waits for
// writability only when the socket is full. Most frames leave here at once, with no queue. Under
// TLS the stream may still hold a record it took (has_unsent): that is pushed out first.
void session::write_queued() {
  while (!queue_.empty() || stream_.has_unsent()) {
    std::array<std::array<char, max_header_bytes>, frames_per_write> headers;
    std::array<asio::const_buffer, 2 * frames_per_write> bufs;
    std::size_t nbufs = 0, skip = head_written_;
    std::size_t frames = std::min(queue_.size(), frames_per_write);
    for (std::size_t i = 0; i < frames; ++i) {
      auto& q = queue_[i];
      auto hlen = encode_header(headers[i], q.op, q.bytes->size());
      asio::const_buffer parts[2] = {asio::buffer(headers[i].data(), hlen), asio::buffer(*q.bytes)};
      for (auto& part : parts) {
        if (skip >= part.size()) {  // already sent (an empty payload adds no buffer)
          skip -= part.size();
          continue;
        }
        bufs[nbufs++] = part + skip;
        skip = 0;
      }
    }
    beast::error_code ec;
    std::size_t n = stream_.write_some(std::span<const asio::const_buffer>(bufs.data(), nbufs), ec);
    if (ec == asio::error::would_block) return wait_writable();
    if (ec) return fail_write();
    // Retire the frames that went out whole; remember how far into the next one we got.
    std::size_t sent = head_written_ + n, retired = 0;
    while (retired < frames) {
      std::size_t size = wire_size(queue_[retired].op, *queue_[retired].bytes);
      if (sent < size) break;
      sent -= size;
      ++retired;
    }
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(retired));
    head_written_ = sent;
  }
  queue_ = {};  // an idle peer keeps no queue storage
  head_written_ = 0;
  if (ended_) finish_sending();  // our last frame (a close) is out
}

void session::wait_writable() {
  waiting_write_ = true;
  stream_.async_wait(stream_.wants(), [self = shared_from_this()](const beast::error_code& ec) {
    self->waiting_write_ = false;
    if (ec) return self->fail_write();
    self->write_queued();
  });
}

// The peer cannot take frames any more. Called from inside the sink (send_text) too, so it only
// marks the session and stops the reader; the reader's handler tells the sink.
void session::fail_write() {
  broken_ = true;
  queue_ = {};
  head_written_ = 0;
  if (ended_) return close_socket();
  stream_.cancel();
}

void session::end() {
  if (!ended_) {
    ended_ = true;
    sink_.on_close();
    if (!close_sent_) mark_ = clock::now();  // the deadline for the goodbye (keep_alive_due)
  }
  if (broken_) return close_socket();
  if (queue_.empty() && !stream_.has_unsent()) finish_sending();  // else write_queued() does
}

// Our last frame is out: send FIN (after a TLS close_notify), then read and discard until the
// peer's FIN. Closing at once would make the kernel answer the peer's late bytes (its close
// frame, the rest of an oversized frame) with a reset, and a reset can destroy our close frame
// before the peer reads it.
void session::finish_sending() {
  stream_.shutdown_send();
  wait_readable();
}

void session::drain(const beast::error_code& ec) {
  if (!ec) {
    auto scratch = read_scratch();
    for (;;) {
      beast::error_code rec;
      stream_.read_some(scratch, rec);
      if (rec == asio::error::would_block) {
        read_wait_ = stream_.wants();
        return wait_readable();
      }
      if (rec) break;  // eof: the peer has hung up too
    }
  }
  close_socket();
}

// The session stays in the registry until here, so the keep-alive sweep can cut a peer that never
// reads our last frames, and a graceful stop waits for it.
void session::close_socket() {
  hub_.sessions.erase(this);
  if (!stream_.is_open()) return;
  stream_.close();  // pending waits complete with operation_aborted
}

bool session::keep_alive_due(clock::time_point now) {
  if (!stream_.is_open()) return false;
  if (ended_ || close_sent_) return now - mark_ >= hub_.lim.close_timeout;
  if (incomplete_since_ != clock::time_point{} && now - incomplete_since_ >= hub_.lim.ping_after)
    return true;
  if (pinged_) return now - mark_ >= hub_.lim.ping_after;
  if (now - heard_ >= hub_.lim.ping_after) {
    pinged_ = true;
    mark_ = now;
    send(opcode::ping, make_payload({}));
  }
  return broken_;
}

void session::drop() {
  broken_ = true;
  end();
}

std::size_t keep_alive(session_registry& sessions, session::clock::time_point now) {
  std::vector<std::shared_ptr<session>> dead;
  for (auto* s : sessions)
    if (s->keep_alive_due(now)) dead.push_back(s->shared_from_this());
  for (auto& s : dead) s->drop();  // drop() leaves the registry: not while iterating it
  return dead.size();
}

}  // namespace circlecdn::ws
