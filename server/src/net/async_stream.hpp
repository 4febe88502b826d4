#pragma once
// net::stream as a Beast AsyncReadStream / AsyncWriteStream, so http::async_read and
// http::async_write work over TLS as they do over a beast::tcp_stream. Each operation tries the
// stream at once and waits for the readiness the stream asks for only when it would block; a
// write completes once its bytes are on the socket (none left in OpenSSL's record buffer).
// expires_after() puts one deadline on every operation until the next call, as tcp_stream does:
// an operation it interrupts ends with beast::error::timeout.
#include <array>
#include <chrono>
#include <memory>

#include "net/stream.hpp"

namespace circlecdn::net {

class async_stream {
 public:
  using executor_type = asio::any_io_executor;

  explicit async_stream(stream s) : state_(std::make_shared<state>(std::move(s))) {}
  ~async_stream() { state_->timer.cancel(); }
  async_stream(const async_stream&) = delete;
  async_stream& operator=(const async_stream&) = delete;

  executor_type get_executor() { return state_->s.get_executor(); }
  stream& next_layer() { return state_->s; }
  // Hands the stream on (a WebSocket upgrade); the deadline ends.
  stream release() {
    expires_never();
    return std::move(state_->s);
  }

  void expires_after(std::chrono::steady_clock::duration d) {
    auto& st = *state_;
    st.expired = false;
    ++st.generation;
    st.timer.expires_after(d);
    st.timer.async_wait(
        [w = std::weak_ptr<state>(state_), g = st.generation](const beast::error_code& ec) {
          if (ec) return;
          auto s = w.lock();
          if (!s || s->generation != g) return;  // re-armed since: not our deadline
          s->expired = true;
          s->s.cancel();
        });
  }
  void expires_never() {
    ++state_->generation;
    state_->expired = false;
    state_->timer.cancel();
  }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    asio::mutable_buffer first;
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      if (asio::mutable_buffer b = *it; b.size() > 0) {
        first = b;
        break;
      }
    }
    return asio::async_compose<Token, void(beast::error_code, std::size_t)>(
        io_op<kind::read>(state_.get(), first), token, state_->s.socket());
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    io_op<kind::write> op(state_.get());
    for (auto it = asio::buffer_sequence_begin(buffers);
         it != asio::buffer_sequence_end(buffers) && op.count < op.out.size(); ++it) {
      if (asio::const_buffer b = *it; b.size() > 0) op.out[op.count++] = b;
    }
    return asio::async_compose<Token, void(beast::error_code, std::size_t)>(std::move(op), token,
                                                                            state_->s.socket());
  }

  // The TLS server handshake (completes at once for a plain stream).
  template <class Token>
  auto async_handshake(Token&& token) {
    return asio::async_compose<Token, void(beast::error_code, std::size_t)>(
        io_op<kind::handshake>(state_.get()), token, state_->s.socket());
  }

 private:
  struct state {
    explicit state(stream st) : s(std::move(st)), timer(s.get_executor()) {}
    stream s;
    asio::steady_timer timer;
    bool expired = false;
    unsigned generation = 0;
  };

  enum class kind { read, write, handshake };
  static constexpr std::size_t max_write_buffers = 16;

  template <kind K>
  struct io_op {
    enum class phase { start, waiting, flushing, posted };
    using buffers = std::conditional_t<K == kind::read, asio::mutable_buffer,
                                       std::array<asio::const_buffer, max_write_buffers>>;
    explicit io_op(state* s, buffers b = {}) : st(s), out(b) {}

    state* st;
    phase at = phase::start;
    buffers out;
    std::size_t count = 0;  // write: buffers in `out`
    beast::error_code result;
    std::size_t n = 0;

    template <class Self>
    void operator()(Self& self, beast::error_code ec = {}, std::size_t = 0) {
      switch (at) {
        case phase::posted:
          return self.complete(result, n);
        case phase::waiting:
        case phase::flushing:
          if (ec) {
            bool timed_out = st->expired && ec == asio::error::operation_aborted;
            return self.complete(timed_out ? beast::error_code(beast::error::timeout) : ec, 0);
          }
          break;
        case phase::start:
          if (st->expired) {
            result = beast::error::timeout;
            return post(self);
          }
          break;
      }
      if (at == phase::flushing) {
        st->s.write_some({}, result);
      } else {
        attempt();
      }
      if (result == asio::error::would_block) {
        if (at == phase::start) at = phase::waiting;
        return st->s.async_wait(st->s.wants(), std::move(self));
      }
      if (!result && K == kind::write && st->s.has_unsent()) {
        at = phase::flushing;  // taken, but the socket is full: push the record out first
        return st->s.async_wait(st->s.wants(), std::move(self));
      }
      if (at == phase::start) return post(self);  // never complete inside the initiating call
      self.complete(result, n);
    }

    void attempt() {
      result = {};
      if constexpr (K == kind::read) {
        n = out.size() == 0 ? 0
                            : st->s.read_some({static_cast<char*>(out.data()), out.size()}, result);
      } else if constexpr (K == kind::write) {
        n = count == 0 ? 0 : st->s.write_some({out.data(), count}, result);
      } else {
        st->s.handshake(result);
      }
    }

    template <class Self>
    void post(Self& self) {
      at = phase::posted;
      asio::post(std::move(self));
    }
  };

  std::shared_ptr<state> state_;
};

}  // namespace circlecdn::net
