#pragma once
// Finds the bytes of one member's value in the text of a JSON object that Boost.JSON has already
// parsed and validated, so a relay forwards what the sender wrote instead of re-serialising it.
#include <optional>
#include <string_view>

namespace circlecdn::signal {

// The raw text of the top-level member `key` of `object_text`. Duplicate keys: the last one, as
// Boost.JSON keeps. nullopt when the key is absent, when any top-level key is written with escapes
// (it might spell `key` another way: the caller then re-serialises the parsed value), or when the
// text is not an object.
std::optional<std::string_view> raw_member(std::string_view object_text, std::string_view key);

}  // namespace circlecdn::signal
