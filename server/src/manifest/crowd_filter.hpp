#pragma once
// Which public files the crowd carries (--crowd-include / --crowd-exclude). A file outside the
// crowd is still served by the origin, with its ETag, but the manifest does not list it, so no
// page asks peers for it and the tracker refuses its hashes: an operator keeps what visitors must
// not learn about each other (account pages' assets, large downloads) on the origin alone.
#include <string>
#include <string_view>
#include <vector>

namespace circlecdn::manifest {

struct crowd_filter {
  // Globs over the whole URL path ("/img/*.png", "*.pdf") with fnmatch(3) rules and no
  // FNM_PATHNAME: `*` also matches `/`. No include glob means every public file.
  std::vector<std::string> include;
  std::vector<std::string> exclude;

  bool carries(std::string_view url_path) const;
};

}  // namespace circlecdn::manifest
