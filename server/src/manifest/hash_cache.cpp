#include "manifest/hash_cache.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

namespace circlecdn::manifest {

namespace fs = std::filesystem;

namespace {

// The first line; a change of format changes the number, so an old file is ignored, not misread.
constexpr std::string_view magic = "circlecdn-hashes 1";

template <class T>
bool take_number(std::string_view& s, T& out) {
  const auto space = s.find(' ');
  const auto field = s.substr(0, space);
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  if (ec != std::errc{} || end != field.data() + field.size()) return false;
  s = space == std::string_view::npos ? std::string_view{} : s.substr(space + 1);
  return true;
}

bool take_hash(std::string_view& s, content_hash& out) {
  const auto field = s.substr(0, s.find(' '));
  auto parsed = content_hash::from_hex(field);
  if (!parsed) return false;
  out = *parsed;
  s = field.size() == s.size() ? std::string_view{} : s.substr(field.size() + 1);
  return true;
}

// "<inode> <size> <mtime_ns> <ctime_ns> <sha256> <pieces> [<piece>...]\t<url>"
bool parse_line(std::string_view line, std::string& url, cached_hashes& h) {
  const auto tab = line.find('\t');
  if (tab == std::string_view::npos) return false;
  url = line.substr(tab + 1);
  if (url.empty() || url.front() != '/') return false;
  auto s = line.substr(0, tab);
  std::size_t pieces = 0;
  if (!take_number(s, h.version.inode) || !take_number(s, h.version.size) ||
      !take_number(s, h.version.mtime_ns) || !take_number(s, h.version.ctime_ns) ||
      !take_hash(s, h.sha256) || !take_number(s, pieces))
    return false;
  h.version.regular = true;
  h.version.links = 1;
  h.pieces.resize(pieces);
  for (auto& p : h.pieces)
    if (!take_hash(s, p)) return false;
  return s.empty();
}

}  // namespace

loaded_hashes load_hashes(const fs::path& path, std::uint64_t piece_size) {
  loaded_hashes out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;  // none yet: the first start with this file
  std::string line;
  const std::string header = std::string(magic) + " " + std::to_string(piece_size);
  if (!std::getline(in, line) || line != header) {
    out.problem = line.starts_with(magic) ? "made with another piece size"
                                          : "not a circlecdn hash cache (or another version)";
    return out;
  }
  std::size_t lines = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("end ")) {
      std::size_t count = 0;
      std::string_view rest = std::string_view(line).substr(4);
      if (!take_number(rest, count) || count != lines || !rest.empty() || in.peek() != EOF) break;
      out.found = true;
      return out;  // complete
    }
    std::string url;
    cached_hashes h;
    if (!parse_line(line, url, h)) {
      out.files.clear();
      out.problem = "line " + std::to_string(lines + 2) + " is malformed";
      return out;
    }
    out.files.emplace(std::move(url), std::move(h));
    ++lines;
  }
  out.files.clear();
  out.problem = "truncated (no end line)";
  return out;
}

std::string save_hashes(const fs::path& path, std::uint64_t piece_size,
                        const std::vector<hashed_file>& files) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  const fs::path temp = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write " + temp.string();
    out << magic << ' ' << piece_size << '\n';
    for (const auto& f : files) {
      out << f.version->inode << ' ' << f.version->size << ' ' << f.version->mtime_ns << ' '
          << f.version->ctime_ns << ' ' << f.sha256->hex() << ' ' << f.pieces->size();
      for (const auto& p : *f.pieces) out << ' ' << p.hex();
      out << '\t' << *f.url << '\n';
    }
    out << "end " << files.size() << '\n';
    out.flush();
    if (!out) {
      fs::remove(temp, ec);
      return "cannot write " + temp.string();
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    return "cannot rename to " + path.string() + ": " + ec.message();
  }
  return {};
}

}  // namespace circlecdn::manifest
