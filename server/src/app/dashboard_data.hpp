#pragma once
// One frame of the live dashboard: the totals it plots and lists, as JSON. The page derives rates
// (pairings per second, offload over time) from consecutive frames.
#include <string>

#include "app/context.hpp"

namespace circlecdn::app {

inline constexpr std::size_t dashboard_top_resources = 10;

std::string dashboard_json(context& ctx);

}  // namespace circlecdn::app
