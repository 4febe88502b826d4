#pragma once
// SIGHUP's view of the configuration: the command line is parsed again (so the config file is
// re-read and the command line still wins) and compared with the running configuration option
// by option. Live options take their new value; the others keep theirs and are reported as
// needing a restart.
#include <string>
#include <vector>

#include "app/reload_plan.hpp"

namespace circlecdn::cli {

app::reload_plan plan_reload(const std::vector<std::string>& args, const app::config& running);

// The same comparison for a configuration already parsed (tests).
app::reload_plan plan_reload(const app::config& reread, const app::config& running);

}  // namespace circlecdn::cli
