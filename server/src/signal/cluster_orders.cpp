#include "signal/cluster_orders.hpp"

#include <array>
#include <charconv>

namespace circlecdn::signal {

namespace {

constexpr std::array<std::string_view, 6> kind_names = {"push", "refuse", "cancel",
                                                        "done", "signal", "gone"};

// The next space-separated field of `rest` (consumed), or nullopt at the end.
std::optional<std::string_view> field(std::string_view& rest) {
  if (rest.empty()) return std::nullopt;
  auto sp = rest.find(' ');
  auto f = rest.substr(0, sp);
  rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
  return f;
}

std::string_view or_dash(std::string_view w) {
  return w.empty() ? "-" : w;
}

}  // namespace

// kind process from to id hash flag word word2 data...
std::string encode_order(const order& o) {
  std::string s;
  s.reserve(160 + o.data.size());
  s += kind_names[static_cast<std::size_t>(o.kind)];
  for (const auto* p : {&o.process, &o.from, &o.to}) {
    s += ' ';
    s += p->str();
  }
  s += ' ';
  s += std::to_string(o.id);
  s += ' ';
  s += o.hash.hex();
  s += o.flag ? " 1 " : " 0 ";
  s += or_dash(o.word);
  s += ' ';
  s += or_dash(o.word2);
  s += ' ';
  s += o.data;
  return s;
}

std::optional<order> parse_order(std::string_view text) {
  order o;
  auto kind = field(text);
  if (!kind) return std::nullopt;
  std::size_t k = 0;
  while (k < kind_names.size() && kind_names[k] != *kind) ++k;
  if (k == kind_names.size()) return std::nullopt;
  o.kind = static_cast<order_kind>(k);
  for (auto* p : {&o.process, &o.from, &o.to}) {
    auto f = field(text);
    auto id = f ? peer_id::parse(*f) : std::nullopt;
    if (!id) return std::nullopt;
    *p = *id;
  }
  auto id = field(text);
  if (!id || std::from_chars(id->data(), id->data() + id->size(), o.id).ec != std::errc{})
    return std::nullopt;
  auto hash = field(text);
  auto h = hash ? content_hash::from_hex(*hash) : std::nullopt;
  if (!h) return std::nullopt;
  o.hash = *h;
  auto flag = field(text);
  if (!flag || (*flag != "0" && *flag != "1")) return std::nullopt;
  o.flag = *flag == "1";
  auto w1 = field(text), w2 = field(text);
  if (!w1 || !w2) return std::nullopt;
  o.word = *w1 == "-" ? std::string_view{} : *w1;
  o.word2 = *w2 == "-" ? std::string_view{} : *w2;
  o.data = text;
  return o;
}

}  // namespace circlecdn::signal
