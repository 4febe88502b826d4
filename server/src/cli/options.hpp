#pragma once
// The one table of `circlecdn serve` options. Each row is an option's whole contract: its flag
// name (which is also its TOML key), help, the range it accepts, whether SIGHUP may change it on a
// running server, how its text becomes a field of app::config, and how that field reads back.
// --help, validation, check-config, reload and the docs' table all come from these rows.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace circlecdn::cli {

// What CLI11 captured for one option (from the command line or the config file).
struct option_value {
  std::vector<std::string> values;  // one per occurrence (or per TOML array element)
  std::string single;               // what CLI11 fills for a one-value option
  bool flag = false;                // for flags
  bool given = false;
};

enum class option_kind { value, list, flag };

struct option_spec {
  std::string name;        // long name without "--": also the key under [serve]...
  std::string toml_table;  // ...or under [serve.<toml_table>] when set (TOML key table.name)
  std::string value_name;  // "ADDR:PORT", "BYTES"...; empty for flags
  std::string help;
  std::string range;  // allowed values, as --help, errors and the docs show them ("" = any)
  option_kind kind = option_kind::value;
  bool live = false;       // SIGHUP applies a change without a restart
  bool sensitive = false;  // never printed (secrets): --help and reload logs say "(hidden)"
  // Parses and checks a given value into cfg; returns what is wrong (without the option's name).
  std::function<std::optional<std::string>(const option_value&, app::config&)> set;
  // The option's value in cfg as text: --help's default, reload's "what changed".
  std::function<std::string(const app::config&)> show;
  // Copies this option's field(s) from one configuration to another (reload keeps or takes it).
  std::function<void(const app::config& from, app::config& to)> copy;
};

// Every option of `circlecdn serve`, in --help order (the site directory is positional, not here).
const std::vector<option_spec>& serve_options();

// What `show` prints for spec in cfg, with secrets hidden.
std::string shown_value(const option_spec& spec, const app::config& cfg);

// An option's key in the config file, under [serve]: its name, or "table.name" (a dotted key,
// the same as `name` in a [serve.table] table).
std::string toml_key(const option_spec& spec);

// The table of docs/operations.md "Configuration", generated from the rows (a test keeps the
// docs equal to it).
std::string markdown_table();

// Checks that span options (TLS pair, TURN, relay-only...); returns one message per problem, each
// naming the option at fault.
std::vector<std::string> cross_check(const app::config& cfg);

}  // namespace circlecdn::cli
