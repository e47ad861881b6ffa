#include "ivschat/serde/printable_text.hpp"

namespace ivschat::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_escape(std::string& out, char kind, unsigned value) {
    out += '\\';
    out += kind;
    if (kind == 'u') out += "00";
    out += hex_digits[(value >> 4) & 0xf];
    out += hex_digits[value & 0xf];
}

// Length of the UTF-8 sequence that starts `text`, 0 if it is not one
// (overlong forms, surrogates and values past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view text) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned min_second = 0x80;
    unsigned max_second = 0xbf;
    if (lead < 0x80) return 1;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) min_second = 0xa0;
        if (lead == 0xed) max_second = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) min_second = 0x90;
        if (lead == 0xf4) max_second = 0x8f;
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < min_second || byte(1) > max_second) return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
    return length;
}

// Appends the character at the front of `text`, escaped if it must be, and
// returns how many bytes it took.
std::size_t append_character(std::string& out, std::string_view text) {
    const auto lead = static_cast<unsigned char>(text.front());
    switch (lead) {
    case '\n':
        out += "\\n";
        return 1;
    case '\r':
        out += "\\r";
        return 1;
    case '\t':
        out += "\\t";
        return 1;
    default:
        break;
    }
    if (lead < 0x20 || lead == 0x7f) {
        append_escape(out, 'u', lead);
        return 1;
    }
    const std::size_t length = utf8_sequence_length(text);
    if (length == 0) {
        append_escape(out, 'x', lead);
        return 1;
    }
    if (length == 2 && lead == 0xc2 && static_cast<unsigned char>(text[1]) < 0xa0) {
        append_escape(out, 'u', static_cast<unsigned char>(text[1]));  // C1: U+0080..U+009F
        return 2;
    }
    out.append(text.substr(0, length));
    return length;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

}  // namespace

std::string escape_control_characters(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) text.remove_prefix(append_character(out, text));
    return out;
}

std::string body_excerpt(std::string_view body, std::size_t max_chars) {
    std::string out;
    std::size_t chars = 0;
    while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
    while (!body.empty() && chars < max_chars) {
        if (is_space(body.front())) {
            while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
            if (!body.empty()) out += ' ';
        } else {
            body.remove_prefix(append_character(out, body));
        }
        ++chars;
    }
    while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
    if (!body.empty()) out += "...";
    return out;
}

}  // namespace ivschat::detail
