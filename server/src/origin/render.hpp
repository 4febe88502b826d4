#pragma once
// The two renderers of a response plan (origin/response_plan.hpp). From memory: a file in the
// open-file cache, or an encoded form held in memory, whose 200 and 304 header blocks are built
// once, so a request adds only Date, its extra lines and Connection. From disk: a file opened for
// this request, its header built now. Both write every header through write_head().
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "core/content_hash.hpp"
#include "origin/reply.hpp"
#include "origin/response_plan.hpp"

namespace circlecdn::origin {

// A representation whose strings it owns.
struct owned_representation {
  representation fields;  // views into the strings below (and into static data)
  std::string etag, cache_control;

  owned_representation() = default;
  owned_representation(const owned_representation&) = delete;
  owned_representation& operator=(const owned_representation&) = delete;
  // Points fields at this object's strings.
  void bind() {
    fields.etag = etag;
    fields.cache_control = cache_control;
  }
};

// What every answer about one file (in one encoding) from memory shares.
struct prepared_file {
  owned_representation rep;
  std::shared_ptr<const cached_file> data;  // the representation's bytes
  content_hash hash;                        // of the identity bytes (what a visitor was served)
  std::string ok;                           // write_head of a 200 (HTTP/1.1)
  std::string not_modified;                 // write_head of a 304 (HTTP/1.1)
};

// Builds the header blocks; rep.bind() must have been called.
std::shared_ptr<prepared_file> prepare(std::shared_ptr<prepared_file> file);

using extra_fields = std::span<const std::pair<http::field, std::string>>;

// cache_control, when not empty, replaces the prepared one (a response carrying Set-Cookie).
reply render_from_memory(const response_plan& plan, std::shared_ptr<const prepared_file> file,
                         unsigned version, bool keep_alive, extra_fields extra,
                         std::string_view cache_control = {});

reply render_from_disk(const response_plan& plan, const representation& rep,
                       std::shared_ptr<const cached_file> opened, unsigned version, bool keep_alive,
                       extra_fields extra);

}  // namespace circlecdn::origin
