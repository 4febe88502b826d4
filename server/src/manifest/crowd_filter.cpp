#include "manifest/crowd_filter.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace circlecdn::manifest {

bool crowd_filter::carries(std::string_view url_path) const {
  const std::string path(url_path);  // fnmatch needs a terminated string
  auto matches = [&path](const std::string& glob) {
    return ::fnmatch(glob.c_str(), path.c_str(), 0) == 0;
  };
  if (!include.empty() && std::none_of(include.begin(), include.end(), matches)) return false;
  return std::none_of(exclude.begin(), exclude.end(), matches);
}

}  // namespace circlecdn::manifest
