#include "signal/message.hpp"

#include "signal/raw_member.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace circlecdn::signal {

namespace json = boost::json;

std::string_view to_string(error_code c) {
  switch (c) {
    case error_code::bad_json:
      return "bad_json";
    case error_code::bad_frame:
      return "bad_frame";
    case error_code::bad_message:
      return "bad_message";
    case error_code::unknown_type:
      return "unknown_type";
    case error_code::too_large:
      return "too_large";
    case error_code::rate_limited:
      return "rate_limited";
    case error_code::too_many_wants:
      return "too_many_wants";
    case error_code::duplicate_id:
      return "duplicate_id";
    case error_code::unknown_want:
      return "unknown_want";
    case error_code::unknown_hash:
      return "unknown_hash";
    case error_code::too_many_holdings:
      return "too_many_holdings";
    case error_code::not_paired:
      return "not_paired";
    case error_code::peer_gone:
      return "peer_gone";
    case error_code::bad_token:
      return "bad_token";
    case error_code::shutting_down:
      return "shutting_down";
    case error_code::not_wanter:
      return "not_wanter";
    case error_code::report_too_early:
      return "report_too_early";
    case error_code::already_reported:
      return "already_reported";
    case error_code::unknown_challenge:
      return "unknown_challenge";
    case error_code::too_many_signals:
      return "too_many_signals";
    case error_code::too_many_links:
      return "too_many_links";
    case error_code::wrong_routing:
      return "wrong_routing";
  }
  return "unknown";
}

std::string_view to_string(done_reason r) {
  switch (r) {
    case done_reason::none:
      return "none";
    case done_reason::connect_failed:
      return "connect_failed";
    case done_reason::timeout:
      return "timeout";
    case done_reason::closed:
      return "closed";
    case done_reason::superseded:
      return "superseded";
  }
  return "unknown";
}

std::string_view to_string(usage_source s) {
  switch (s) {
    case usage_source::peer:
      return "peer";
    case usage_source::origin:
      return "origin";
    case usage_source::store:
      return "store";
  }
  return "unknown";
}

namespace {

constexpr std::uint64_t max_json_integer = 9'007'199'254'740'991;  // 2^53 - 1: exact in JS
constexpr std::uint32_t max_verify_failures = 1'000'000;
constexpr std::size_t max_json_depth = 16;       // SDP/ICE objects are 2-3 levels deep
constexpr std::size_t parse_arena_bytes = 4096;  // most messages parse without touching the heap
constexpr std::uint32_t max_request_id = 0x7fffffff;
constexpr std::uint32_t max_declared_uploads = 16;

// Field access that turns every shape problem into a parse_error naming the field.
struct reader {
  const json::object& obj;
  std::string_view type;
  std::optional<parse_error> error;

  parse_error fail(std::string_view field, std::string_view what) {
    return {error_code::bad_message, std::string(field) + ": " + std::string(what),
            std::string(type)};
  }
  const json::value* get(std::string_view field, bool required) {
    auto* v = obj.if_contains(field);
    if (!v && required && !error) error = fail(field, "missing");
    return v;
  }
  std::optional<content_hash> hash(std::string_view field) {
    auto* v = get(field, true);
    if (!v) return std::nullopt;
    auto* s = v->if_string();
    auto h = s ? content_hash::from_hex(*s) : std::nullopt;
    if (!h && !error) error = fail(field, "expected 64 lower-case hex characters");
    return h;
  }
  std::optional<peer_id> peer(std::string_view field) {
    auto* v = get(field, true);
    if (!v) return std::nullopt;
    auto* s = v->if_string();
    auto p = s ? peer_id::parse(*s) : std::nullopt;
    if (!p && !error) error = fail(field, "expected a peer id");
    return p;
  }
  std::optional<std::uint32_t> request_id(std::string_view field) {
    auto* v = get(field, true);
    if (!v) return std::nullopt;
    if (v->is_int64() && v->get_int64() >= 1 && v->get_int64() <= max_request_id)
      return static_cast<std::uint32_t>(v->get_int64());
    if (v->is_uint64() && v->get_uint64() >= 1 && v->get_uint64() <= max_request_id)
      return static_cast<std::uint32_t>(v->get_uint64());
    if (!error) error = fail(field, "expected an integer 1..2147483647");
    return std::nullopt;
  }
  std::optional<bool> boolean(std::string_view field, bool required) {
    auto* v = get(field, required);
    if (!v) return std::nullopt;
    if (v->is_bool()) return v->get_bool();
    if (!error) error = fail(field, "expected true or false");
    return std::nullopt;
  }
  std::optional<std::uint64_t> count(std::string_view field, bool required, std::uint64_t max) {
    auto* v = get(field, required);
    if (!v) return std::nullopt;
    if (v->is_int64() && v->get_int64() >= 0 && static_cast<std::uint64_t>(v->get_int64()) <= max)
      return static_cast<std::uint64_t>(v->get_int64());
    if (v->is_uint64() && v->get_uint64() <= max) return v->get_uint64();
    if (!error) error = fail(field, "expected an integer 0.." + std::to_string(max));
    return std::nullopt;
  }
  std::vector<content_hash> hashes(std::string_view field, const limits& lim) {
    std::vector<content_hash> out;
    auto* v = get(field, true);
    if (!v) return out;
    auto* arr = v->if_array();
    if (!arr) {
      if (!error) error = fail(field, "expected an array of hashes");
      return out;
    }
    if (arr->size() > lim.hashes_per_message) {
      if (!error)
        error = parse_error{error_code::too_large,
                            std::string(field) + ": more than " +
                                std::to_string(lim.hashes_per_message) + " hashes",
                            std::string(type)};
      return out;
    }
    out.reserve(arr->size());
    for (auto& item : *arr) {
      auto* s = item.if_string();
      auto h = s ? content_hash::from_hex(*s) : std::nullopt;
      if (!h) {
        if (!error) error = fail(field, "every item must be 64 lower-case hex characters");
        return {};
      }
      out.push_back(*h);
    }
    return out;
  }
};

template <class T>
std::variant<inbound, parse_error> finish(reader& r, T&& msg) {
  if (r.error) return std::move(*r.error);
  return inbound(std::forward<T>(msg));
}

}  // namespace

std::variant<inbound, parse_error> parse_inbound(std::string_view text, const limits& lim) {
  if (text.size() > lim.message_bytes)
    return parse_error{error_code::too_large,
                       "message over " + std::to_string(lim.message_bytes) + " bytes", ""};
  unsigned char arena[parse_arena_bytes];
  json::monotonic_resource mr(arena, sizeof arena);
  json::parse_options opts;
  opts.max_depth = max_json_depth;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, &mr, opts);
  if (ec) return parse_error{error_code::bad_json, "not valid JSON: " + ec.message(), ""};
  auto* obj = doc.if_object();
  if (!obj) return parse_error{error_code::bad_json, "a message must be a JSON object", ""};
  auto* type_v = obj->if_contains("type");
  auto* type_s = type_v ? type_v->if_string() : nullptr;
  if (!type_s) return parse_error{error_code::bad_message, "type: missing or not a string", ""};
  std::string_view type = *type_s;
  reader r{*obj, type, std::nullopt};

  if (type == "want") {
    want_msg m;
    if (auto id = r.request_id("id")) m.id = *id;
    if (auto h = r.hash("hash")) m.hash = *h;
    return finish(r, std::move(m));
  }
  if (type == "signal") {
    signal_msg m;
    if (auto p = r.peer("to")) m.to = *p;
    if (auto* data = r.get("data", true)) {
      if (!data->is_object()) {
        if (!r.error) r.error = r.fail("data", "expected an object");
      } else {
        // Forward the bytes as sent (STYLE.md: PeerJS re-stringifies each relay); the parse above
        // validated them.
        if (auto raw = raw_member(text, "data")) {
          m.data = *raw;
        } else {
          m.reserialised = std::make_shared<const std::string>(json::serialize(*data));
          m.data = *m.reserialised;
        }
        if (m.data.size() > lim.signal_data_bytes && !r.error)
          r.error = parse_error{error_code::too_large,
                                "data: over " + std::to_string(lim.signal_data_bytes) + " bytes",
                                "signal"};
      }
    }
    return finish(r, std::move(m));
  }
  if (type == "done") {
    done_msg m;
    if (auto id = r.request_id("id")) m.id = *id;
    if (auto ok = r.boolean("ok", true)) m.ok = *ok;
    if (auto* b = r.get("bytes", false)) {
      if (b->is_int64() && b->get_int64() >= 0)
        m.bytes = static_cast<std::uint64_t>(b->get_int64());
      else if (b->is_uint64())
        m.bytes = b->get_uint64();
      else if (!r.error)
        r.error = r.fail("bytes", "expected a non-negative integer");
    }
    if (auto* v = r.get("reason", false)) {
      auto* s = v->if_string();
      for (auto reason : {done_reason::connect_failed, done_reason::timeout, done_reason::closed,
                          done_reason::superseded})
        if (s && *s == to_string(reason)) m.reason = reason;
      if (m.reason == done_reason::none && !r.error)
        r.error = r.fail("reason", "expected connect_failed, timeout, closed or superseded");
    }
    // Only a failure has a reason; one that gives none is a channel that closed.
    if (m.ok)
      m.reason = done_reason::none;
    else if (m.reason == done_reason::none)
      m.reason = done_reason::closed;
    return finish(r, std::move(m));
  }
  if (type == "announce") {
    announce_msg m{r.hashes("have", lim)};
    return finish(r, std::move(m));
  }
  if (type == "drop") {
    drop_msg m{r.hashes("hashes", lim)};
    return finish(r, std::move(m));
  }
  if (type == "report") {
    report_msg m;
    if (auto p = r.peer("peer")) m.peer = *p;
    if (auto h = r.hash("hash")) m.hash = *h;
    return finish(r, std::move(m));
  }
  if (type == "usage") {
    usage_msg m;
    for (auto src : {usage_source::peer, usage_source::origin, usage_source::store})
      if (auto n = r.count(to_string(src), true, max_json_integer))
        m.bytes[static_cast<std::size_t>(src)] = *n;
    if (auto n = r.count("verify_failures", false, max_verify_failures))
      m.verify_failures = static_cast<std::uint32_t>(*n);
    if (auto* v = r.get("ms", false)) {
      auto* o = v->if_object();
      if (!o && !r.error) r.error = r.fail("ms", "expected an object of arrays");
      for (auto src : {usage_source::peer, usage_source::origin, usage_source::store}) {
        auto* list = o ? o->if_contains(to_string(src)) : nullptr;
        if (!list) continue;
        auto* arr = list->if_array();
        if (!arr || arr->size() > usage_samples_max) {
          if (!r.error)
            r.error = r.fail("ms", "expected at most " + std::to_string(usage_samples_max) +
                                       " numbers per source");
          break;
        }
        auto& out = m.ms[static_cast<std::size_t>(src)];
        for (auto& item : *arr) {
          double ms = item.is_double()   ? item.get_double()
                      : item.is_int64()  ? static_cast<double>(item.get_int64())
                      : item.is_uint64() ? static_cast<double>(item.get_uint64())
                                         : -1;
          if (!(ms >= 0)) {
            if (!r.error) r.error = r.fail("ms", "expected non-negative numbers");
            break;
          }
          out.push_back(std::min(ms, usage_sample_max_ms));
        }
      }
    }
    return finish(r, std::move(m));
  }
  if (type == "proof") {
    proof_msg m;
    if (auto id = r.request_id("id")) m.id = *id;
    if (r.get("digest", false)) m.digest = r.hash("digest");
    return finish(r, std::move(m));
  }
  if (type == "connect") {
    connect_msg m;
    if (auto p = r.peer("peer")) m.peer = *p;
    if (auto* v = r.get("reason", true)) {
      auto* s = v->if_string();
      auto it = s ? std::find(connect_reason_names.begin(), connect_reason_names.end(), *s)
                  : connect_reason_names.end();
      if (it != connect_reason_names.end())
        m.reason = static_cast<connect_reason>(it - connect_reason_names.begin());
      else if (!r.error)
        r.error = r.fail(
            "reason", "expected ring, chord, finger, successor, predecessor, bootstrap or reply");
    }
    // A ring or chord connect is a want: it needs the want's id and hash.
    if (!r.error && is_transfer(m.reason)) {
      if (auto id = r.request_id("id")) m.id = *id;
      if (auto h = r.hash("hash")) m.hash = *h;
    }
    return finish(r, std::move(m));
  }
  if (type == "unlink") {
    unlink_msg m;
    if (auto p = r.peer("peer")) m.peer = *p;
    return finish(r, std::move(m));
  }
  if (type == "miss_token") {
    miss_token_msg m;
    if (auto id = r.request_id("id")) m.id = *id;
    if (auto h = r.hash("hash")) m.hash = *h;
    if (auto* v = r.get("reason", true)) {
      auto* s = v->if_string();
      auto reason = s ? routing::parse_crowd_miss(*s) : std::nullopt;
      if (reason)
        m.reason = *reason;
      else if (!r.error)
        r.error = r.fail("reason",
                         "expected ring_came_back, ring_ttl, ring_deadline, ring_no_neighbour, "
                         "chord_no_record or chord_deadline");
    }
    return finish(r, std::move(m));
  }
  if (type == "hello") {
    hello_msg m;
    if (auto* v = r.get("resume", false)) {
      if (auto* s = v->if_string(); s && s->size() <= 256)
        m.resume = std::string(*s);
      else if (!r.error)
        r.error = r.fail("resume", "expected a token string");
    }
    if (auto* v = r.get("max_uploads", false)) {
      if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= max_declared_uploads)
        m.max_uploads = static_cast<std::uint32_t>(v->get_int64());
      else if (!r.error)
        r.error = r.fail("max_uploads", "expected an integer 0..16");
    }
    m.upload = r.boolean("upload", false);
    return finish(r, std::move(m));
  }
  return parse_error{error_code::unknown_type,
                     "unknown message type (expected hello, announce, drop, want, done, signal, "
                     "report, usage, proof, connect, unlink or miss_token)",
                     std::string(type.substr(0, 32))};
}

}  // namespace circlecdn::signal
