#include "ivschat/time_format.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono;
using namespace ivschat::detail;

TEST_CASE("x-amz-date formats and parses", "[time]") {
    sys_seconds t = sys_days{2024y / February / 29} + 23h + 59min + 58s;
    char buf[16];
    format_amz_date(t, buf);
    CHECK(std::string_view(buf, 16) == "20240229T235958Z");
    CHECK(parse_amz_date("20240229T235958Z") == t);
    CHECK_FALSE(parse_amz_date("20230229T235958Z"));  // not a leap year
    CHECK_FALSE(parse_amz_date("20240229 235958Z"));
    CHECK_FALSE(parse_amz_date("2024022"));
}

TEST_CASE("ISO 8601 timestamps as the service sends them", "[time]") {
    const auto base = sys_days{2024y / January / 2} + 3h + 4min + 5s;
    CHECK(parse_iso8601("2024-01-02T03:04:05Z") == base);
    CHECK(parse_iso8601("2024-01-02T03:04:05.678Z") == base + 678ms);
    CHECK(parse_iso8601("2024-01-02T04:04:05+01:00") == base);
    CHECK(parse_iso8601("2024-01-02T02:34:05-00:30") == base);
    CHECK(parse_iso8601("2024-01-02T03:04:05.123456789Z") ==
          base + duration_cast<system_clock::duration>(123456789ns));
    CHECK_FALSE(parse_iso8601("2024-01-02T03:04:05"));
    CHECK_FALSE(parse_iso8601("2024-13-02T03:04:05Z"));
    CHECK_FALSE(parse_iso8601("2024-01-02T03:04:05.Z"));
    CHECK_FALSE(parse_iso8601("2024-01-02T03:04:05Zjunk"));
    CHECK_FALSE(parse_iso8601(""));
    CHECK(format_iso8601(base) == "2024-01-02T03:04:05Z");
    CHECK(format_iso8601(base + 678ms) == "2024-01-02T03:04:05.678Z");
}

TEST_CASE("HTTP dates", "[time]") {
    const sys_seconds t = sys_days{1994y / November / 6} + 8h + 49min + 37s;
    CHECK(format_http_date(t) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == t);
    CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
}

// Found by fuzz/json_response_fuzzer: "4052-11-26T10:52:15.935Z" overflowed
// system_clock's 64-bit nanoseconds (undefined behaviour) instead of failing.
TEST_CASE("Times beyond what system_clock holds are refused, not wrapped", "[time]") {
    CHECK_FALSE(parse_iso8601("4052-11-26T10:52:15.935Z"));
    CHECK_FALSE(parse_iso8601("1500-01-01T00:00:00Z"));
    CHECK_FALSE(parse_http_date("Thu, 26 Nov 9999 10:00:00 GMT"));
    CHECK_FALSE(parse_amz_date("99991126T100000Z"));
    // The range's ends still parse: 2261 and 1678 are inside it.
    CHECK(parse_iso8601("2261-12-31T23:59:59.999+01:00"));
    CHECK(parse_iso8601("1678-01-02T00:00:00Z"));
    const auto far = parse_iso8601("2261-12-31T23:59:59Z");
    REQUIRE(far);
    CHECK(format_iso8601(*far) == "2261-12-31T23:59:59Z");
}
