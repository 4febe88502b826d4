#pragma once
// Entity-tag comparisons for conditional requests (RFC 9110 §8.8.3, §13.1.2, §13.1.5), parsed
// from the header as the grammar says: a comma may sit inside a quoted tag, `W/` marks a weak one.
#include <string_view>

namespace circlecdn::origin {

// If-None-Match: true when `*` is listed (a current representation exists) or any listed tag
// equals `etag` by weak comparison (W/ ignored on both sides). A malformed member ends the list:
// the tags before it still count, nothing after it does. An empty etag matches only `*`.
bool none_match(std::string_view header, std::string_view etag);

// If-Range with an entity tag: strong comparison (neither side weak, same opaque tag). A date, or
// anything not one entity tag, is false: the client then gets the whole representation.
bool if_range_matches(std::string_view header, std::string_view etag);

}  // namespace circlecdn::origin
