#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ivschat::detail {

/// `text` with every control character escaped so that printing it cannot
/// move the cursor, clear a terminal or forge a line: C0 (U+0000..U+001F,
/// ESC, CR and LF among them), DEL and C1 (U+0080..U+009F, as UTF-8) become
/// \n, \r, \t or \u00XX; a backslash that would start such an escape stays a
/// backslash (the result is for reading, not for decoding). Bytes that are
/// not valid UTF-8 become \xXX. Everything else is copied as is.
std::string escape_control_characters(std::string_view text);

/// A short, printable excerpt of a response body for an error message: runs
/// of white space folded to one space, control characters escaped as above,
/// at most `max_chars` characters of the body (cut at a character
/// boundary), "..." appended when cut.
std::string body_excerpt(std::string_view body, std::size_t max_chars = 200);

}  // namespace ivschat::detail
