#include "origin/render.hpp"

namespace circlecdn::origin {

namespace {

void attach_body(reply& r, const response_plan& plan, std::shared_ptr<const cached_file> data) {
  r.omits_body = !plan.send_body && plan.content_length > 0;
  if (!plan.send_body || plan.length == 0) return;
  r.body = std::move(data);
  r.offset = plan.first;
  r.length = plan.length;
}

}  // namespace

std::shared_ptr<prepared_file> prepare(std::shared_ptr<prepared_file> file) {
  response_plan ok;
  ok.length = ok.content_length = file->rep.fields.size;
  ok.send_body = true;
  write_head(file->ok, 11, ok, file->rep.fields);
  response_plan not_modified;
  not_modified.status = http::status::not_modified;
  write_head(file->not_modified, 11, not_modified, file->rep.fields);
  return file;
}

reply render_from_memory(const response_plan& plan, std::shared_ptr<const prepared_file> file,
                         unsigned version, bool keep_alive, extra_fields extra,
                         std::string_view cache_control) {
  reply r;
  r.keep_alive = keep_alive;
  const bool whole = plan.status == http::status::ok && plan.first == 0 &&
                     plan.content_length == file->rep.fields.size;
  const bool as_prepared = version == 11 && cache_control.empty();
  if (as_prepared && whole) {
    r.head = file->ok;
  } else if (as_prepared && plan.status == http::status::not_modified) {
    r.head = file->not_modified;
  } else {
    auto fields = file->rep.fields;
    if (!cache_control.empty()) fields.cache_control = cache_control;
    r.tail.reserve(320);
    write_head(r.tail, version, plan, fields);
  }
  write_request_lines(r.tail, version, keep_alive, extra);
  attach_body(r, plan, file->data);
  r.keep = std::move(file);
  return r;
}

reply render_from_disk(const response_plan& plan, const representation& rep,
                       std::shared_ptr<const cached_file> opened, unsigned version, bool keep_alive,
                       extra_fields extra) {
  reply r;
  r.keep_alive = keep_alive;
  r.tail.reserve(320);
  write_head(r.tail, version, plan, rep);
  write_request_lines(r.tail, version, keep_alive, extra);
  attach_body(r, plan, std::move(opened));
  return r;
}

}  // namespace circlecdn::origin
