#pragma once
// The HTTP `Date` header's value (RFC 9110 section 5.6.7, IMF-fixdate), which an origin server
// with a clock must send on every response. Formatting once per second, not per response.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace circlecdn {

// "Sun, 06 Nov 1994 08:49:37 GMT" for t (seconds since the epoch, UTC).
std::string format_http_date(std::time_t t);

// Seconds since the epoch from an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); the obsolete
// RFC 850 and asctime forms, and anything malformed, give nullopt (the condition is then ignored,
// which RFC 9110 §13.1.3 allows for an invalid date).
std::optional<std::time_t> parse_http_date(std::string_view text);

// The current time, formatted; the view stays valid until this thread's next call in a later
// second.
std::string_view http_date_now();

}  // namespace circlecdn
