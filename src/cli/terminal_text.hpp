#pragma once

#include <string>
#include <string_view>

namespace ivschat::cli {

/// `text` safe to print on a terminal: C0 controls (ESC, CR, LF, ...), DEL
/// and C1 controls (U+0080..U+009F) become visible escapes ("\x1b", "\r",
/// "\n", "\u009b"), and so do bytes that are not UTF-8 (a lone 0x9b is CSI
/// to an 8-bit terminal). For text from the wire (error messages, request
/// ids), which must not clear the screen or forge lines.
std::string escape_controls(std::string_view text);

/// `json_text` (a JSON string token or a compact JSON text, as
/// boost::json::serialize writes them) with the same characters written as
/// JSON escapes ("\u001b", "\u007f", "\u009b"; "\ufffd" for a byte that is
/// not UTF-8): still JSON, and safe to print. Boost.JSON escapes C0 controls
/// only; DEL and C1 controls pass through it.
std::string escape_json_controls(std::string_view json_text);

}  // namespace ivschat::cli
