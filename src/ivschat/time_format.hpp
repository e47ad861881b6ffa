#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat::detail {

using sys_seconds = std::chrono::sys_seconds;

// The furthest a timestamp may be from 1970 either way: what
// system_clock::time_point (64-bit nanoseconds) holds, about the years 1678
// to 2261, less a day so that a fraction or a UTC offset cannot overflow it.
inline constexpr std::chrono::seconds max_timestamp_offset =
    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max()) -
    std::chrono::days{1};

// Every parse_* below returns nullopt for a malformed text and for a time
// beyond max_timestamp_offset.

// "20150830T123600Z": the SigV4 x-amz-date form. Writes exactly 16 chars.
void format_amz_date(sys_seconds t, char* out) noexcept;
std::optional<sys_seconds> parse_amz_date(std::string_view s) noexcept;

// ISO 8601 / RFC 3339 in UTC with optional fraction and offset, as the
// service's timestamps come ("2024-01-02T03:04:05.678Z", "...+01:00").
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) noexcept;
// "2024-01-02T03:04:05Z", or with ".678Z" when the time has milliseconds.
std::string format_iso8601(std::chrono::system_clock::time_point t);

// RFC 7231 IMF-fixdate, as in the HTTP Date header ("Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<sys_seconds> parse_http_date(std::string_view s) noexcept;
std::string format_http_date(sys_seconds t);

}  // namespace ivschat::detail
