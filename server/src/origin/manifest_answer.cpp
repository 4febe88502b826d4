// The manifest as the origin serves it. Its ETag is weak, W/"<SHA-256 of the JSON without the
// generation>": the generation counts changes within one process and starts again at a restart,
// so two bodies with the same files can differ in that number alone, which is what a weak tag
// means (RFC 9110 §8.8.1: equivalent, not byte-identical). The tag is the same after a restart for
// the same files, so a cached manifest revalidates as unchanged exactly when it is.
#include "origin/accept_encoding.hpp"
#include "origin/static_handler.hpp"

namespace circlecdn::origin {

namespace {

constexpr std::string_view manifest_key = "\n/.circlecdn/manifest.json";
constexpr std::string_view manifest_type = "application/json";

}  // namespace

static_result static_handler::manifest(const request_type& req, std::string_view new_cookie) {
  follow(manifest_.current());
  const auto ae = req.find(http::field::accept_encoding);
  auto coding = ae == req.end() ? content_coding::identity : choose_coding(ae->value());
  if (req.method() == http::verb::get && req.find(http::field::range) != req.end())
    coding = content_coding::identity;

  auto identity = [&]() -> std::shared_ptr<const prepared_file> {
    const std::string key(manifest_key);
    if (const auto it = prepared_.find(key); it != prepared_.end()) return it->second;
    manifest_body_hash_ = content_hash::of(snapshot_->json);  // keys its encoded forms
    auto p = std::make_shared<prepared_file>();
    p->data = std::make_shared<cached_file>(snapshot_->json);
    auto& f = p->rep.fields;
    f.size = snapshot_->json.size();
    f.content_type = manifest_type;
    f.vary_encoding = true;
    p->rep.etag = "W/\"" + snapshot_->content_tag.hex() + "\"";
    p->rep.cache_control = revalidate_cache_control;
    p->rep.bind();
    return prepared_.emplace(key, prepare(std::move(p))).first->second;
  };
  std::shared_ptr<const prepared_file> chosen = identity();
  if (coding != content_coding::identity) {
    std::string key(manifest_key);
    key.append("\n").append(coding_name(coding));
    if (const auto it = prepared_.find(key); it != prepared_.end()) {
      chosen = it->second;
    } else if (auto form = encoded_.get(manifest_body_hash_, coding, snapshot_->json.size(),
                                        [this](std::string& out) {
                                          out = snapshot_->json;
                                          return true;
                                        })) {
      auto p = std::make_shared<prepared_file>();
      p->rep.fields = chosen->rep.fields;
      p->rep.fields.size = form->bytes().size();
      p->rep.fields.content_encoding = coding_name(coding);
      p->rep.etag =
          "W/\"" + snapshot_->content_tag.hex() + "-" + std::string(coding_name(coding)) + "\"";
      p->rep.cache_control = chosen->rep.cache_control;
      p->rep.bind();
      p->data = std::move(form);
      chosen = prepared_.emplace(std::move(key), prepare(std::move(p))).first->second;
    }
  }
  const auto plan = plan_response(request_facts::of(req), chosen->rep.fields);
  static_result result;
  std::vector<std::pair<http::field, std::string>> extra;
  std::string_view cache_control;
  if (!new_cookie.empty()) {
    extra.emplace_back(http::field::set_cookie, new_cookie);
    cache_control = private_cache_control;
    result.cookie_set = true;
  }
  result.message = render_from_memory(plan, std::move(chosen), req.version(), req.keep_alive(),
                                      extra, cache_control);
  result.from_memory = true;
  return result;
}

}  // namespace circlecdn::origin
