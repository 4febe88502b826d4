#include "cli/reload.hpp"

#include "cli/command_line.hpp"
#include "cli/options.hpp"

namespace circlecdn::cli {

app::reload_plan plan_reload(const app::config& reread, const app::config& running) {
  app::reload_plan plan;
  app::config next = running;
  if (reread.site != running.site)
    plan.need_restart.push_back("SITE_DIR: " + running.site.string() + " -> " +
                                reread.site.string() + " (keeps " + running.site.string() + ")");
  for (const auto& spec : serve_options()) {
    if (spec.show(reread) == spec.show(running)) continue;
    auto line = spec.name + ": " + shown_value(spec, running) + " -> " + shown_value(spec, reread);
    if (spec.live) {
      spec.copy(reread, next);
      plan.changed.push_back(std::move(line));
    } else {
      plan.need_restart.push_back(line + " (needs a restart; keeps " + shown_value(spec, running) +
                                  ")");
    }
  }
  plan.next = std::move(next);
  return plan;
}

app::reload_plan plan_reload(const std::vector<std::string>& args, const app::config& running) {
  auto parsed = parse_command_line(args);
  if (!parsed.problems.empty()) {
    app::reload_plan refused;
    refused.problems = std::move(parsed.problems);
    return refused;
  }
  return plan_reload(parsed.cfg, running);
}

}  // namespace circlecdn::cli
