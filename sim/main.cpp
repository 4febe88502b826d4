// circlecdn-sim: runs one scenario with one strategy and writes what it measured.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "model/scenario.hpp"
#include "model/world.hpp"
#include "observe/report.hpp"

namespace sim = circlecdn::sim;

int main(int argc, char** argv) {
  CLI::App app{"circlecdn-sim: discrete-event simulator of CircleCDN routing strategies"};
  std::string scenario_path;
  std::string strategy;
  double peers = 0;
  std::uint64_t seed = 0;
  double duration_s = 0;
  std::vector<std::string> overrides;
  std::string csv_path;
  std::string series_path;
  bool quiet = false;
  bool show = false;
  app.add_option("-s,--scenario", scenario_path, "scenario file (key = value)");
  app.add_option("--strategy", strategy, "tracker | ring | chord (overrides the scenario)");
  app.add_option("--peers", peers, "steady-state crowd size (overrides the scenario)");
  app.add_option("--seed", seed, "random seed (overrides the scenario)");
  app.add_option("--duration", duration_s, "simulated seconds (overrides the scenario)");
  app.add_option("--set", overrides, "key=value, any scenario field (repeatable)");
  app.add_option("--csv", csv_path, "append one summary row to this CSV (header if new)");
  app.add_option("--series", series_path, "write the time series CSV here");
  app.add_flag("-q,--quiet", quiet, "no summary on stdout");
  app.add_flag("--show-scenario", show, "print the resolved scenario and exit");
  CLI11_PARSE(app, argc, argv);

  try {
    sim::scenario s = scenario_path.empty() ? sim::scenario{} : sim::load_scenario(scenario_path);
    if (!strategy.empty()) s.strategy = strategy;
    if (peers > 0) s.peers = peers;
    if (seed > 0) s.seed = seed;
    if (duration_s > 0) s.duration_s = duration_s;
    for (const auto& kv : overrides) {
      const auto eq = kv.find('=');
      const std::string error = eq == std::string::npos
                                    ? "--set expects key=value"
                                    : sim::set_field(s, kv.substr(0, eq), kv.substr(eq + 1));
      if (!error.empty()) throw std::runtime_error(error);
    }
    sim::validate(s);
    if (show) {
      std::cout << sim::describe(s);
      return 0;
    }

    const auto started = std::chrono::steady_clock::now();
    sim::world w(s);
    w.run();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const sim::run_summary r = sim::summarise(s, w.stats(), w.limit(), w.peak_online());

    if (!quiet) std::cout << sim::human_summary(r);
    std::fprintf(stderr, "wall %.2f s, %llu events\n", wall,
                 static_cast<unsigned long long>(w.events()));
    if (!csv_path.empty()) {
      const bool fresh = !std::ifstream(csv_path).good();
      std::ofstream out(csv_path, std::ios::app);
      if (fresh) out << sim::summary_csv_header();
      out << sim::summary_csv_row(r);
    }
    if (!series_path.empty()) std::ofstream(series_path) << sim::timeseries_csv(w.stats());
  } catch (const std::exception& e) {
    std::cerr << "circlecdn-sim: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
