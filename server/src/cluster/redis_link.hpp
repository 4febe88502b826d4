#pragma once
// One connection to Redis, driven by the server's io_context: hiredis's async API with a small
// Asio adapter (the socket's readiness, never a blocking call on the io thread; only a host name
// is resolved synchronously at connect: give an address). It reconnects by itself, once a second,
// and reports the outage; while down, commands are refused (the caller keeps its state and
// re-sends it from on_up).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;

namespace circlecdn::cluster {

class redis_link {
 public:
  // The reply, or null when the connection went down before it came.
  using reply_fn = std::function<void(const redisReply*)>;

  redis_link(boost::asio::any_io_executor ex, redis_endpoint where);
  ~redis_link();
  redis_link(const redis_link&) = delete;
  redis_link& operator=(const redis_link&) = delete;

  void start();
  void stop();  // now: commands in flight get null replies; no reconnecting after this
  // Sends what is queued, waits for its replies, then closes (the io_context must keep running).
  void close_gracefully();
  // Drops the connection (its commands in flight get null replies) and reconnects: for a Redis
  // that stopped answering without closing.
  void reset();
  bool up() const { return up_; }
  // Queues a command (pipelined behind those before it). False, and nothing sent, when down.
  bool command(const std::vector<std::string>& args, reply_fn done = {});
  // Subscribes to `channel` (call from on_up: a connection that subscribed takes no other
  // command). Each message's payload goes to on_message, until the connection goes down.
  using message_fn = std::function<void(std::string_view payload)>;
  bool subscribe(const std::string& channel);
  message_fn on_message;

  std::function<void()> on_up;    // connected (and the database selected)
  std::function<void()> on_down;  // lost (not called by stop())
  std::uint64_t outages() const { return outages_; }
  std::uint64_t connects() const { return connects_; }
  std::uint64_t commands_refused() const { return refused_; }

 private:
  struct connection;
  void connect();
  void retry_later();
  void went_down(const char* why);
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);

  boost::asio::any_io_executor ex_;
  redis_endpoint where_;
  boost::asio::steady_timer retry_;
  std::shared_ptr<connection> conn_;  // null while down
  bool up_ = false, stopped_ = true, ever_up_ = false;
  std::uint64_t outages_ = 0, connects_ = 0, refused_ = 0;
};

}  // namespace circlecdn::cluster
