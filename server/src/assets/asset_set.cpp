#include "assets/asset_set.hpp"

#include <fstream>
#include <iterator>

#include "assets/embedded.hpp"

namespace circlecdn::assets {

namespace {

std::string type_of(std::string_view name) {
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

asset make(std::string_view name, std::string_view bytes,
           std::shared_ptr<const std::string> owned = {}) {
  return {std::string(name), type_of(name), bytes, content_hash::of(bytes).hex(), std::move(owned)};
}

// "circlecdn.iife.js" -> {"circlecdn.iife", ".js"}: the fingerprint goes before the last dot.
std::pair<std::string_view, std::string_view> split_extension(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return {name, {}};
  return {name.substr(0, dot), name.substr(dot)};
}

}  // namespace

std::string asset::fingerprinted_name() const {
  auto [stem, ext] = split_extension(name);
  return std::string(stem) + "." + std::string(fingerprint()) + std::string(ext);
}

asset_set::asset_set(std::filesystem::path library_dir) : library_dir_(std::move(library_dir)) {
  for (const auto& f : embedded_files())
    if (!f.bytes.empty()) embedded_.push_back(make(f.name, f.bytes));
}

bool asset_set::is_library(std::string_view name) {
  // The core (ES module and classic script) and the chunks it loads on demand (client/build.mjs).
  return name == "circlecdn.js" || name == "circlecdn.iife.js" || name == "circlecdn-crowd.js" ||
         name == "circlecdn-dom.js" || name == "circlecdn-sw.js";
}

bool asset_set::is_client_file(std::string_view name) {
  return is_library(name) || name == "sw.js" || name == "sw-off.js";
}

std::optional<asset> asset_set::find(std::string_view name) const {
  if (!library_dir_.empty() && is_client_file(name)) {
    std::ifstream in(library_dir_ / std::string(name), std::ios::binary);
    if (!in) return std::nullopt;
    auto text = std::make_shared<std::string>(std::istreambuf_iterator<char>(in),
                                              std::istreambuf_iterator<char>());
    std::string_view bytes = *text;
    return make(name, bytes, std::move(text));
  }
  for (const auto& a : embedded_)
    if (a.name == name) return a;
  return std::nullopt;
}

std::optional<asset> asset_set::find_fingerprinted(std::string_view name) const {
  // circlecdn.<16 hex>.js, circlecdn.iife.<16 hex>.js, circlecdn-crowd.<16 hex>.js ...
  auto [rest, ext] = split_extension(name);
  auto dot = rest.rfind('.');
  if (dot == std::string_view::npos || rest.size() - dot - 1 != 16) return std::nullopt;
  std::string plain = std::string(rest.substr(0, dot)) + std::string(ext);
  if (!is_library(plain)) return std::nullopt;
  auto a = find(plain);
  if (!a || a->fingerprint() != rest.substr(dot + 1)) return std::nullopt;
  return a;
}

}  // namespace circlecdn::assets
