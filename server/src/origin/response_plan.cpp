#include "origin/response_plan.hpp"

#include "core/http_date.hpp"
#include "origin/etag.hpp"
#include "origin/range.hpp"

namespace circlecdn::origin {

namespace {

std::optional<std::string_view> field(const http::request<http::string_body>& req, http::field f) {
  const auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return it->value();
}

std::string_view reason(http::status s) {
  switch (s) {
    case http::status::ok:
      return "200 OK";
    case http::status::partial_content:
      return "206 Partial Content";
    case http::status::not_modified:
      return "304 Not Modified";
    default:
      return "416 Range Not Satisfiable";
  }
}

void line(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

request_facts request_facts::of(const http::request<http::string_body>& req) {
  request_facts f;
  f.head = req.method() == http::verb::head;
  f.if_none_match = field(req, http::field::if_none_match);
  f.if_modified_since = field(req, http::field::if_modified_since);
  f.range = field(req, http::field::range);
  f.if_range = field(req, http::field::if_range);
  return f;
}

response_plan plan_response(const request_facts& req, const representation& rep) {
  response_plan p;
  bool not_modified = false;
  if (req.if_none_match) {
    not_modified = none_match(*req.if_none_match, rep.etag);
  } else if (req.if_modified_since && rep.last_modified) {
    const auto since = parse_http_date(*req.if_modified_since);
    not_modified = since && *rep.last_modified <= *since;
  }
  if (not_modified) {
    p.status = http::status::not_modified;
    return p;
  }
  p.length = rep.size;
  p.content_length = rep.size;
  if (req.head) return p;
  if (req.range && rep.content_encoding.empty() &&
      (!req.if_range || if_range_matches(*req.if_range, rep.etag))) {
    const auto range = parse_range(*req.range, rep.size);
    if (range.kind == range_kind::unsatisfiable) {
      p.status = http::status::range_not_satisfiable;
      p.length = p.content_length = 0;
      return p;
    }
    if (range.kind == range_kind::single) {
      p.status = http::status::partial_content;
      p.first = range.range.first;
      p.length = p.content_length = range.range.length;
      p.send_body = true;
      return p;
    }
  }
  p.send_body = true;
  p.whole_body_sent = true;
  return p;
}

void write_head(std::string& out, unsigned version, const response_plan& plan,
                const representation& rep) {
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(reason(plan.status)).append("\r\n");
  out.append("Server: circlecdn\r\n");
  if (rep.content_encoding.empty()) out.append("Accept-Ranges: bytes\r\n");
  line(out, "Cache-Control", rep.cache_control);
  out.append("X-Content-Type-Options: nosniff\r\n");
  if (rep.vary_encoding) out.append("Vary: Accept-Encoding\r\n");
  if (!rep.etag.empty()) line(out, "ETag", rep.etag);
  if (rep.last_modified) line(out, "Last-Modified", format_http_date(*rep.last_modified));
  if (plan.status == http::status::not_modified) return;  // RFC 9110 §15.4.5: no content fields
  if (plan.status == http::status::range_not_satisfiable) {
    line(out, "Content-Range", "bytes */" + std::to_string(rep.size));
    out.append("Content-Length: 0\r\n");
    return;
  }
  line(out, "Content-Type", rep.content_type);
  if (!rep.content_encoding.empty()) line(out, "Content-Encoding", rep.content_encoding);
  if (plan.status == http::status::partial_content)
    line(out, "Content-Range",
         "bytes " + std::to_string(plan.first) + "-" +
             std::to_string(plan.first + plan.length - 1) + "/" + std::to_string(rep.size));
  line(out, "Content-Length", std::to_string(plan.content_length));
}

void write_request_lines(std::string& out, unsigned version, bool keep_alive,
                         std::span<const std::pair<http::field, std::string>> extra) {
  out.append("Date: ").append(http_date_now()).append("\r\n");
  for (const auto& [f, value] : extra) line(out, http::to_string(f), value);
  if (version == 10 && keep_alive) out.append("Connection: keep-alive\r\n");
  if (version != 10 && !keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
}

}  // namespace circlecdn::origin
