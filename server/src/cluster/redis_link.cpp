#include "cluster/redis_link.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>

namespace circlecdn::cluster {

namespace asio = boost::asio;

namespace {
constexpr auto reconnect_every = std::chrono::seconds(1);
}

// The hiredis context of one connection and the Asio side of its socket. Shared with the pending
// readiness waits, so a wait that completes after hiredis freed the context finds `ac` null.
struct redis_link::connection : std::enable_shared_from_this<connection> {
  connection(asio::any_io_executor ex, redis_link* link) : socket(ex), owner(link) {}
  asio::posix::stream_descriptor socket;
  redis_link* owner;
  redisAsyncContext* ac = nullptr;
  bool want_read = false, want_write = false, read_waiting = false, write_waiting = false;

  void arm_read() {
    if (!ac || !want_read || read_waiting) return;
    read_waiting = true;
    socket.async_wait(asio::posix::stream_descriptor::wait_read,
                      [self = shared_from_this()](boost::system::error_code ec) {
                        self->read_waiting = false;
                        if (ec || !self->ac || !self->want_read) return;
                        redisAsyncHandleRead(self->ac);  // may free the context (cleanup below)
                        self->arm_read();
                      });
  }
  void arm_write() {
    if (!ac || !want_write || write_waiting) return;
    write_waiting = true;
    socket.async_wait(asio::posix::stream_descriptor::wait_write,
                      [self = shared_from_this()](boost::system::error_code ec) {
                        self->write_waiting = false;
                        if (ec || !self->ac || !self->want_write) return;
                        redisAsyncHandleWrite(self->ac);
                        self->arm_write();
                      });
  }
  // hiredis's event hooks (privdata = this).
  static void add_read(void* p) {
    auto* c = static_cast<connection*>(p);
    c->want_read = true;
    c->arm_read();
  }
  static void del_read(void* p) { static_cast<connection*>(p)->want_read = false; }
  static void add_write(void* p) {
    auto* c = static_cast<connection*>(p);
    c->want_write = true;
    c->arm_write();
  }
  static void del_write(void* p) { static_cast<connection*>(p)->want_write = false; }
  // hiredis frees the context (and closes the descriptor itself): let go of it.
  static void cleanup(void* p) {
    auto* c = static_cast<connection*>(p);
    c->ac = nullptr;
    c->want_read = c->want_write = false;
    boost::system::error_code ec;
    c->socket.cancel(ec);
    if (c->socket.is_open()) c->socket.release();
  }
};

redis_link::redis_link(asio::any_io_executor ex, redis_endpoint where)
    : ex_(std::move(ex)), where_(std::move(where)), retry_(ex_) {}

redis_link::~redis_link() {
  stop();
}

void redis_link::start() {
  stopped_ = false;
  connect();
}

void redis_link::stop() {
  stopped_ = true;
  retry_.cancel();
  if (conn_ && conn_->ac) redisAsyncFree(conn_->ac);  // pending replies get null
  conn_.reset();
  up_ = false;
}

void redis_link::close_gracefully() {
  stopped_ = true;
  retry_.cancel();
  up_ = false;
  if (conn_ && conn_->ac) redisAsyncDisconnect(conn_->ac);
}

void redis_link::reset() {
  if (!conn_ || !conn_->ac) return;
  spdlog::warn("event=redis_reset (no answer in time)");
  redisAsyncFree(conn_->ac);  // -> on_disconnect (when it had connected), which reconnects
  if (conn_ && !up_) {        // it had not connected: no callback comes
    conn_.reset();
    retry_later();
  }
}

void redis_link::connect() {
  if (stopped_) return;
  auto* ac = redisAsyncConnect(where_.host.c_str(), where_.port);
  if (!ac || ac->err) {
    if (ever_up_ || connects_ == 0)
      spdlog::warn("event=redis_connect_failed host={} port={} error=\"{}\"", where_.host,
                   where_.port, ac ? ac->errstr : "out of memory");
    if (ac) redisAsyncFree(ac);
    retry_later();
    return;
  }
  conn_ = std::make_shared<connection>(ex_, this);
  conn_->ac = ac;
  conn_->socket.assign(ac->c.fd);
  ac->data = this;
  ac->ev.data = conn_.get();
  ac->ev.addRead = connection::add_read;
  ac->ev.delRead = connection::del_read;
  ac->ev.addWrite = connection::add_write;
  ac->ev.delWrite = connection::del_write;
  ac->ev.cleanup = connection::cleanup;
  redisAsyncSetConnectCallback(ac, &redis_link::on_connect);
  redisAsyncSetDisconnectCallback(ac, &redis_link::on_disconnect);
  if (where_.db != 0) command({"SELECT", std::to_string(where_.db)});
}

void redis_link::on_connect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<redis_link*>(ac->data);
  if (status != REDIS_OK) {  // hiredis frees the context after this
    self->conn_.reset();
    self->retry_later();
    return;
  }
  self->up_ = true;
  ++self->connects_;
  self->ever_up_ = true;
  spdlog::info("event=redis_up host={} port={} db={}", self->where_.host, self->where_.port,
               self->where_.db);
  if (self->on_up) self->on_up();
}

void redis_link::on_disconnect(const redisAsyncContext* ac, int) {
  auto* self = static_cast<redis_link*>(ac->data);
  self->conn_.reset();
  if (self->stopped_) return;
  self->went_down("connection lost");
  self->retry_later();
}

void redis_link::went_down(const char* why) {
  if (!up_) return;
  up_ = false;
  ++outages_;
  spdlog::error(
      "event=redis_down reason=\"{}\" (serving and pairing local peers; retrying every "
      "{} s)",
      why, reconnect_every.count());
  if (on_down) on_down();
}

void redis_link::retry_later() {
  if (stopped_) return;
  retry_.expires_after(reconnect_every);
  retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
}

bool redis_link::command(const std::vector<std::string>& args, reply_fn done) {
  // Commands may be queued before the connection is up (SELECT, and nothing else: callers wait
  // for on_up).
  if (!conn_ || !conn_->ac || (!up_ && !(args.size() == 2 && args[0] == "SELECT"))) {
    ++refused_;
    return false;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* fn = done ? new reply_fn(std::move(done)) : nullptr;
  auto callback = [](redisAsyncContext*, void* r, void* priv) {
    auto* f = static_cast<reply_fn*>(priv);
    if (!f) return;
    (*f)(static_cast<const redisReply*>(r));
    delete f;
  };
  if (redisAsyncCommandArgv(conn_->ac, callback, fn, static_cast<int>(argv.size()), argv.data(),
                            lens.data()) != REDIS_OK) {
    delete fn;
    ++refused_;
    return false;
  }
  return true;
}

}  // namespace circlecdn::cluster

namespace circlecdn::cluster {

// hiredis keeps a subscription's callback for every message it brings (and calls it with null
// when the connection goes): the callback finds its link through the context, never through a
// heap object of its own.
bool redis_link::subscribe(const std::string& channel) {
  if (!conn_ || !conn_->ac || !up_) {
    ++refused_;
    return false;
  }
  const char* argv[] = {"SUBSCRIBE", channel.data()};
  std::size_t lens[] = {9, channel.size()};
  auto callback = [](redisAsyncContext* ac, void* r, void*) {
    auto* self = static_cast<redis_link*>(ac->data);
    auto* reply = static_cast<const redisReply*>(r);
    // ["message", channel, payload]; the ["subscribe", channel, count] confirmation is not one.
    if (!self || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
        reply->element[2]->type != REDIS_REPLY_STRING ||
        std::string_view(reply->element[0]->str, reply->element[0]->len) != "message")
      return;
    if (self->on_message)
      self->on_message(std::string_view(reply->element[2]->str, reply->element[2]->len));
  };
  if (redisAsyncCommandArgv(conn_->ac, callback, nullptr, 2, argv, lens) != REDIS_OK) {
    ++refused_;
    return false;
  }
  return true;
}

}  // namespace circlecdn::cluster
