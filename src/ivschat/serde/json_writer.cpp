#include "ivschat/serde/json_writer.hpp"

#include "ivschat/time_format.hpp"

#include <array>
#include <charconv>

namespace ivschat::detail {

namespace {

// 0: copy as is; otherwise the character after the backslash ('u' for \u00XX).
constexpr std::array<char, 256> make_escape_table() {
    std::array<char, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[c] = 'u';
    table['\b'] = 'b';
    table['\f'] = 'f';
    table['\n'] = 'n';
    table['\r'] = 'r';
    table['\t'] = 't';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
}
constexpr std::array<char, 256> escape_table = make_escape_table();

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    std::size_t run_start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char escape = escape_table[static_cast<unsigned char>(s[i])];
        if (escape == 0) continue;
        out.append(s.data() + run_start, i - run_start);
        run_start = i + 1;
        char buffer[6] = {'\\', escape, '0', '0', 0, 0};
        if (escape == 'u') {
            constexpr char hex[] = "0123456789abcdef";
            auto c = static_cast<unsigned char>(s[i]);
            buffer[4] = hex[c >> 4];
            buffer[5] = hex[c & 15];
            out.append(buffer, 6);
        } else {
            out.append(buffer, 2);
        }
    }
    out.append(s.data() + run_start, s.size() - run_start);
    out.push_back('"');
}

void append_json_integer(std::string& out, std::int64_t value) {
    char buffer[24];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_json_timestamp(std::string& out, time_point t) {
    out.push_back('"');
    out.append(format_iso8601(t));
    out.push_back('"');
}

}  // namespace ivschat::detail
