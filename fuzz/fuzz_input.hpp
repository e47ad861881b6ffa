#pragma once
// Helpers for the libFuzzer targets: the raw input as a string_view, cut
// into newline-separated fields so that seeds stay readable text.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ivschat::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
    return {reinterpret_cast<const char*>(data), size};
}

/// Removes and returns the text up to the first '\n' (all of it when there
/// is none); the '\n' itself is dropped.
inline std::string_view take_line(std::string_view& rest) noexcept {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return line;
}

/// Removes and returns the first byte (0 when empty): a selector for the target's mode.
inline std::uint8_t take_byte(std::string_view& rest) noexcept {
    if (rest.empty()) return 0;
    const auto byte = static_cast<std::uint8_t>(rest.front());
    rest.remove_prefix(1);
    return byte;
}

/// The decimal number `text`, or `otherwise` when it is not one.
inline unsigned to_unsigned(std::string_view text, unsigned otherwise) noexcept {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && end == text.data() + text.size() ? value : otherwise;
}

}  // namespace ivschat::fuzz
