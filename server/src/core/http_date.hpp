#pragma once
// The HTTP `Date` header's value (RFC 9110 section 5.6.7, IMF-fixdate), which an origin server
// with a clock must send on every response. Formatting once per second, not per response.
#include <ctime>
#include <string>
#include <string_view>

namespace circlecdn {

// "Sun, 06 Nov 1994 08:49:37 GMT" for t (seconds since the epoch, UTC).
std::string format_http_date(std::time_t t);

// The current time, formatted; the view stays valid until this thread's next call in a later
// second.
std::string_view http_date_now();

}  // namespace circlecdn
