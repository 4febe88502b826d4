#include "signal/tracker_session.hpp"

#include <memory>

namespace circlecdn::signal {

tracker_session::tracker_session(net::stream stream, ws::session_hub& hub, signal::tracker& tracker)
    : ws::session(std::move(stream), hub, *this), tracker_(tracker) {}

void tracker_session::begin(std::optional<peer_id> cookie_id, std::string address) {
  joining_ = &cookie_id;  // on_open() runs inside start()
  joining_address_ = &address;
  start();
  joining_ = nullptr;
  joining_address_ = nullptr;
}

void tracker_session::on_open() {
  state_ = tracker_.join(*this, joining_ ? *joining_ : std::nullopt, tracker::clock::now(),
                         joining_address_ ? std::move(*joining_address_) : std::string());
}

void tracker_session::on_text(std::string_view message) {
  tracker_.on_text(state_, message, tracker::clock::now());
}

void tracker_session::on_binary(std::string_view) {
  tracker_.on_binary(state_, tracker::clock::now());
}

void tracker_session::on_close() {
  tracker_.leave(state_);
  state_ = nullptr;
}

void start_tracker_session(net::stream stream, ws::session_hub& hub, signal::tracker& tracker,
                           std::optional<peer_id> cookie_id, std::string address) {
  std::make_shared<tracker_session>(std::move(stream), hub, tracker)
      ->begin(cookie_id, std::move(address));
}

}  // namespace circlecdn::signal
