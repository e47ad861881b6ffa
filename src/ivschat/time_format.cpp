#include "ivschat/time_format.hpp"

#include <array>
#include <cstdio>

namespace ivschat::detail {

namespace {

using namespace std::chrono;

void put2(char* out, unsigned v) noexcept {
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
}

// Parses exactly n digits; -1 if any is not a digit.
int digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

std::optional<sys_seconds> make_time(int y, int mo, int d, int h, int mi, int sec) noexcept {
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    const sys_seconds t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec};
    // Beyond this the time cannot become a system_clock::time_point.
    if (abs(t.time_since_epoch()) > max_timestamp_offset) return std::nullopt;
    return t;
}

constexpr std::array<const char*, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<const char*, 7> weekday_names = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

}  // namespace

void format_amz_date(sys_seconds t, char* out) noexcept {
    auto day_point = floor<days>(t);
    year_month_day ymd{day_point};
    hh_mm_ss hms{t - day_point};
    int y = static_cast<int>(ymd.year());
    put2(out, static_cast<unsigned>(y / 100));
    put2(out + 2, static_cast<unsigned>(y % 100));
    put2(out + 4, static_cast<unsigned>(ymd.month()));
    put2(out + 6, static_cast<unsigned>(ymd.day()));
    out[8] = 'T';
    put2(out + 9, static_cast<unsigned>(hms.hours().count()));
    put2(out + 11, static_cast<unsigned>(hms.minutes().count()));
    put2(out + 13, static_cast<unsigned>(hms.seconds().count()));
    out[15] = 'Z';
}

std::optional<sys_seconds> parse_amz_date(std::string_view s) noexcept {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
    return make_time(digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2), digits(s, 9, 2), digits(s, 11, 2),
                     digits(s, 13, 2));
}

std::optional<system_clock::time_point> parse_iso8601(std::string_view s) noexcept {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return std::nullopt;
    auto base = make_time(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2), digits(s, 11, 2), digits(s, 14, 2),
                          digits(s, 17, 2));
    if (!base) return std::nullopt;
    system_clock::time_point t = *base;
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t start = pos;
        long long frac = 0;
        int scale = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (scale < 9) {
                frac = frac * 10 + (s[pos] - '0');
                ++scale;
            }
            ++pos;
        }
        if (pos == start) return std::nullopt;
        for (; scale < 9; ++scale) frac *= 10;
        t += duration_cast<system_clock::duration>(nanoseconds{frac});
    }
    if (pos == s.size()) return std::nullopt;
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return t;
    if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
        int oh = digits(s, pos + 1, 2);
        int om = digits(s, pos + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
        auto offset = hours{oh} + minutes{om};
        return s[pos] == '+' ? t - offset : t + offset;
    }
    return std::nullopt;
}

std::string format_iso8601(system_clock::time_point t) {
    auto secs = floor<seconds>(t);
    auto day_point = floor<days>(secs);
    year_month_day ymd{day_point};
    hh_mm_ss hms{secs - day_point};
    auto millis = duration_cast<milliseconds>(t - secs).count();
    char buf[40];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                          static_cast<int>(hms.seconds().count()));
    if (millis) n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03lld", static_cast<long long>(millis));
    buf[n++] = 'Z';
    return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<sys_seconds> parse_http_date(std::string_view s) noexcept {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT")
        return std::nullopt;
    int month_number = 0;
    for (std::size_t i = 0; i < month_names.size(); ++i)
        if (s.substr(8, 3) == month_names[i]) month_number = static_cast<int>(i) + 1;
    return make_time(digits(s, 12, 4), month_number, digits(s, 5, 2), digits(s, 17, 2), digits(s, 20, 2),
                     digits(s, 23, 2));
}

std::string format_http_date(sys_seconds t) {
    auto day_point = floor<days>(t);
    year_month_day ymd{day_point};
    weekday wd{day_point};
    hh_mm_ss hms{t - day_point};
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", weekday_names[wd.c_encoding()],
                          static_cast<unsigned>(ymd.day()), month_names[static_cast<unsigned>(ymd.month()) - 1],
                          static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                          static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace ivschat::detail
