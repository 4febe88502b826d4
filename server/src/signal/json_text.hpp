#pragma once
// Free text inside the JSON we build by hand: quoted and escaped by Boost.JSON's serializer.
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <string>
#include <string_view>

namespace circlecdn::signal {

inline std::string json_quoted(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

}  // namespace circlecdn::signal
