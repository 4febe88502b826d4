#include "model/scenario.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>
#include <vector>

namespace circlecdn::sim {

namespace {

using field_ptr = std::variant<double*, std::uint64_t*, std::string*>;
struct field {
  std::string_view name;
  field_ptr ptr;
};

std::vector<field> fields_of(scenario& s) {
  return {
      {"name", &s.name},
      {"strategy", &s.strategy},
      {"seed", &s.seed},
      {"duration_s", &s.duration_s},
      {"peers", &s.peers},
      {"arrival", &s.arrival},
      {"flash_at_s", &s.flash_at_s},
      {"flash_factor", &s.flash_factor},
      {"flash_duration_s", &s.flash_duration_s},
      {"warm_start", &s.warm_start},
      {"session_min_s", &s.session_min_s},
      {"session_shape", &s.session_shape},
      {"session_max_s", &s.session_max_s},
      {"think_mean_s", &s.think_mean_s},
      {"requests_per_view", &s.requests_per_view},
      {"catalogue", &s.catalogue},
      {"zipf_exponent", &s.zipf_exponent},
      {"size_median_bytes", &s.size_median_bytes},
      {"size_sigma", &s.size_sigma},
      {"size_min_bytes", &s.size_min_bytes},
      {"size_max_bytes", &s.size_max_bytes},
      {"world_diameter_ms", &s.world_diameter_ms},
      {"access_min_ms", &s.access_min_ms},
      {"access_max_ms", &s.access_max_ms},
      {"server_access_ms", &s.server_access_ms},
      {"upload_median_mbps", &s.upload_median_mbps},
      {"upload_sigma", &s.upload_sigma},
      {"download_median_mbps", &s.download_median_mbps},
      {"download_sigma", &s.download_sigma},
      {"abrupt_fraction", &s.abrupt_fraction},
      {"disconnect_detect_s", &s.disconnect_detect_s},
      {"hop_timeout_ms", &s.hop_timeout_ms},
      {"transfer_stall_ms", &s.transfer_stall_ms},
      {"lookup_deadline_ms", &s.lookup_deadline_ms},
      {"max_uploads", &s.max_uploads},
      {"tracker_sample", &s.tracker_sample},
      {"fetching_retry_ms", &s.fetching_retry_ms},
      {"ring_max_hops", &s.ring_max_hops},
      {"chord_fix_period_s", &s.chord_fix_period_s},
      {"chord_stabilise_period_s", &s.chord_stabilise_period_s},
      {"chord_successors", &s.chord_successors},
      {"chord_republish_s", &s.chord_republish_s},
      {"chord_records_returned", &s.chord_records_returned},
      {"chord_holder_tries", &s.chord_holder_tries},
      {"signal_messages_per_connect", &s.signal_messages_per_connect},
      {"connect_p2p_rtts", &s.connect_p2p_rtts},
      {"sample_period_s", &s.sample_period_s},
      {"probe_peers", &s.probe_peers},
  };
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '\r')) {
    v.remove_prefix(1);
  }
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) {
    v.remove_suffix(1);
  }
  return v;
}

}  // namespace

std::string set_field(scenario& s, std::string_view key, std::string_view value) {
  for (const field& f : fields_of(s)) {
    if (f.name != key) continue;
    if (auto* d = std::get_if<double*>(&f.ptr)) {
      // from_chars for double is in libstdc++ 11+; it never depends on the locale.
      double v = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc{} || end != value.data() + value.size()) {
        return "not a number for " + std::string(key) + ": " + std::string(value);
      }
      **d = v;
    } else if (auto* u = std::get_if<std::uint64_t*>(&f.ptr)) {
      std::uint64_t v = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc{} || end != value.data() + value.size()) {
        return "not an unsigned integer for " + std::string(key) + ": " + std::string(value);
      }
      **u = v;
    } else {
      *std::get<std::string*>(f.ptr) = std::string(value);
    }
    return {};
  }
  return "unknown key: " + std::string(key);
}

scenario parse_scenario(std::string_view text, scenario base) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = trim(line);
    if (line.empty()) continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      throw std::runtime_error("line " + std::to_string(line_no) + ": expected key = value");
    }
    const std::string error = set_field(base, trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
    if (!error.empty()) throw std::runtime_error("line " + std::to_string(line_no) + ": " + error);
  }
  return base;
}

scenario load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read scenario " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return parse_scenario(buffer.str());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void validate(const scenario& s) {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("invalid scenario: ") + what);
  };
  require(s.strategy == "tracker" || s.strategy == "ring" || s.strategy == "chord",
          "strategy must be tracker, ring or chord");
  require(s.arrival == "poisson" || s.arrival == "flash", "arrival must be poisson or flash");
  require(s.peers >= 1 && s.peers <= 4e6, "peers in 1 .. 4e6");
  require(s.duration_s > 0, "duration_s > 0");
  require(s.session_shape > 1, "session_shape > 1 (finite mean)");
  require(s.session_min_s > 0 && s.session_max_s > s.session_min_s, "session bounds");
  require(s.think_mean_s > 0, "think_mean_s > 0");
  require(s.requests_per_view >= 1 && s.requests_per_view <= 64, "requests_per_view 1 .. 64");
  require(s.catalogue >= 1 && s.catalogue <= 1e8, "catalogue 1 .. 1e8");
  require(s.size_min_bytes >= 1 && s.size_max_bytes >= s.size_min_bytes && s.size_max_bytes < 4e9,
          "size bounds");
  require(s.max_uploads >= 1 && s.max_uploads <= 8, "max_uploads 1 .. 8");
  require(s.tracker_sample >= 1, "tracker_sample >= 1");
  require(s.fetching_retry_ms > 0, "fetching_retry_ms > 0");
  require(s.chord_successors >= 1 && s.chord_successors <= 16, "chord_successors 1 .. 16");
  require(s.chord_fix_period_s > 0 && s.chord_stabilise_period_s > 0, "chord periods > 0");
  require(s.sample_period_s > 0, "sample_period_s > 0");
  require(s.lookup_deadline_ms > 0, "lookup_deadline_ms > 0");
  require(s.flash_factor > 0, "flash_factor > 0");
}

std::string describe(const scenario& s) {
  scenario copy = s;
  std::ostringstream out;
  out.precision(17);
  for (const field& f : fields_of(copy)) {
    out << f.name << " = ";
    if (auto* d = std::get_if<double*>(&f.ptr)) {
      out << **d;
    } else if (auto* u = std::get_if<std::uint64_t*>(&f.ptr)) {
      out << **u;
    } else {
      out << *std::get<std::string*>(f.ptr);
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace circlecdn::sim
