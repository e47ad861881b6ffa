#pragma once

#include <string>
#include <string_view>

namespace ivschat::detail {

// RFC 3986 unreserved characters: A-Z a-z 0-9 - _ . ~
constexpr bool is_unreserved(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

// Appends `in` to `out` with every byte but the unreserved ones (and '/'
// when keep_slash) written as %XX with upper-case hex, as AWS SigV4 and the
// rest-json URI bindings require.
void percent_encode(std::string_view in, std::string& out, bool keep_slash = false);

// Appends `in` to `out` with %XX sequences decoded; a '%' not followed by two
// hex digits is kept as it is. '+' is kept ('+' means space only in forms).
void percent_decode(std::string_view in, std::string& out);

}  // namespace ivschat::detail
