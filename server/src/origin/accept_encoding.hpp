#pragma once
// Accept-Encoding (RFC 9110 §12.5.3) reduced to the choice the origin makes: brotli, gzip or the
// identity bytes, by the client's q-values; q=0 refuses a coding, `*` stands for any coding not
// named. Ties go to brotli (smaller for text), then gzip.
#include <string_view>

namespace circlecdn::origin {

enum class content_coding { identity, gzip, br };

std::string_view coding_name(content_coding c);  // "", "gzip", "br"

// The best coding the header accepts; identity without the header, or when nothing else is
// acceptable (a server may always send identity, RFC 9110 §12.5.3).
content_coding choose_coding(std::string_view accept_encoding);

}  // namespace circlecdn::origin
