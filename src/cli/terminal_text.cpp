#include "cli/terminal_text.hpp"

#include <cstdint>

namespace ivschat::cli {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0.
std::size_t utf8_sequence_length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(0);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2, code_point = lead & 0x1F;
    else if (lead >= 0xE0 && lead <= 0xEF) length = 3, code_point = lead & 0x0F;
    else if (lead >= 0xF0 && lead <= 0xF4) length = 4, code_point = lead & 0x07;
    else return 0;
    if (text.size() < length) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return 0;
        code_point = (code_point << 6) | (byte(i) & 0x3F);
    }
    const bool overlong = (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
    const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
    if (overlong || surrogate || code_point > 0x10FFFF) return 0;
    return length;
}

void append_hex(std::string& out, std::string_view prefix, unsigned value, int digits) {
    constexpr std::string_view hex = "0123456789abcdef";
    out += prefix;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(hex[(value >> shift) & 0xF]);
}

enum class escape_style { terminal, json };

// The walk both public functions share; `style` says how an escape is
// written.
std::string escape(std::string_view text, escape_style style) {
    const bool json = style == escape_style::json;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<std::uint8_t>(text[i]);
        if (c < 0x80) {
            if (c >= 0x20 && c != 0x7F) out.push_back(static_cast<char>(c));
            else if (json) append_hex(out, "\\u00", c, 2);
            else if (c == '\n') out += "\\n";
            else if (c == '\r') out += "\\r";
            else if (c == '\t') out += "\\t";
            else append_hex(out, "\\x", c, 2);
            ++i;
            continue;
        }
        const std::size_t length = utf8_sequence_length(text.substr(i));
        if (length == 0) {
            // JSON text cannot carry a byte that is not UTF-8.
            if (json) out += "\\ufffd";
            else append_hex(out, "\\x", c, 2);
            ++i;
        } else if (length == 2 && c == 0xC2 && static_cast<std::uint8_t>(text[i + 1]) < 0xA0) {
            append_hex(out, "\\u00", static_cast<std::uint8_t>(text[i + 1]), 2);  // C1 control
            i += 2;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

}  // namespace

std::string escape_controls(std::string_view text) { return escape(text, escape_style::terminal); }

std::string escape_json_controls(std::string_view json_text) { return escape(json_text, escape_style::json); }

}  // namespace ivschat::cli
