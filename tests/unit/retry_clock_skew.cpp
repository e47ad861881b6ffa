// Clock-skew correction: the offset from the server's Date header, when it
// applies, and one retry re-signed at the corrected time.
#include <ivschat/retry.hpp>
#include <ivschat/sigv4.hpp>

#include "ivschat/time_format.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string>

using namespace ivschat;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

const system_clock::time_point local_now = system_clock::time_point{} + 1'700'000'000s + 250ms;

std::string date_header(system_clock::time_point t) {
    return detail::format_http_date(std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

TEST_CASE("a skew error with a Date header far off sets the offset", "[retry][clock-skew]") {
    for (std::chrono::minutes skew : {10min, -10min, 4min, -4min, 60min, -1440min}) {
        INFO(skew.count() << " min");
        clock_skew clock;
        CHECK(clock.on_service_error("RequestTimeTooSkewed", date_header(local_now + skew), local_now));
        CHECK(clock.offset() == skew);
        CHECK(std::chrono::floor<std::chrono::seconds>(clock.corrected(local_now)) ==
              std::chrono::floor<std::chrono::seconds>(local_now) + skew);
    }
}

TEST_CASE("differences below the threshold are not corrected", "[retry][clock-skew]") {
    clock_skew clock;
    CHECK_FALSE(clock.on_service_error("InvalidSignatureException", date_header(local_now + 3min + 59s), local_now));
    CHECK_FALSE(clock.on_service_error("InvalidSignatureException", date_header(local_now - 3min - 59s), local_now));
    CHECK_FALSE(clock.on_service_error("InvalidSignatureException", date_header(local_now), local_now));
    CHECK(clock.offset() == 0s);
    clock_skew strict{30s};
    CHECK(strict.on_service_error("InvalidSignatureException", date_header(local_now + 31s), local_now));
    CHECK(strict.offset() == 31s);
}

TEST_CASE("only skew errors with a valid Date header correct the clock", "[retry][clock-skew]") {
    clock_skew clock;
    auto far = date_header(local_now + 1h);
    CHECK_FALSE(clock.on_service_error("AccessDeniedException", far, local_now));
    CHECK_FALSE(clock.on_service_error("ThrottlingException", far, local_now));
    CHECK_FALSE(clock.on_service_error("RequestExpired", "", local_now));
    CHECK_FALSE(clock.on_service_error("RequestExpired", "yesterday", local_now));
    CHECK_FALSE(clock.on_service_error("RequestExpired", "Sun, 06 Nov 1994 08:49:37", local_now));
    CHECK(clock.offset() == 0s);
    for (auto code : {"RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch",
                      "AuthFailure", "RequestInTheFuture", "InvalidSignatureException:http://internal.amazon.com/"}) {
        INFO(code);
        clock_skew fresh;
        CHECK(fresh.on_service_error(code, far, local_now));
    }
}

// Found by fuzz/service_error_fuzzer: a Date in 1713 gave an offset of -313
// years, which overflowed system_clock's nanoseconds when the next request
// was signed at corrected(now) (undefined behaviour).
TEST_CASE("a Date too far off for system_clock is not followed", "[retry][clock-skew]") {
    clock_skew clock;
    const auto now = system_clock::time_point{} + 1'795'687'200s;  // 2026-11-26
    CHECK_FALSE(clock.on_service_error("InvalidSignatureException", "Sat, 25 Nov 1713 09:00:00 GMT", now));
    CHECK(clock.offset() == 0s);
    CHECK(clock.corrected(now) == now);
    // Far, but within the range: followed.
    REQUIRE(clock.on_service_error("InvalidSignatureException", "Sat, 25 Nov 1780 09:00:00 GMT", now));
    CHECK(clock.corrected(now) < now);
}

TEST_CASE("once corrected, the same skew is not corrected again", "[retry][clock-skew]") {
    clock_skew clock;
    auto server = date_header(local_now + 15min);
    REQUIRE(clock.on_service_error("RequestTimeTooSkewed", server, local_now));
    // The retry, signed at the corrected time, is rejected again (not for skew): no second correction.
    CHECK_FALSE(clock.on_service_error("RequestTimeTooSkewed", server, local_now + 1s));
    CHECK(clock.offset() == 15min);
    // The local clock jumps back to the right time later: corrected again.
    CHECK(clock.on_service_error("RequestTimeTooSkewed", date_header(local_now + 2h), local_now + 2h));
    CHECK(clock.offset() == 0s);
}

// The client's flow: a request signed with a clock 20 minutes slow is
// rejected with the server's Date, the signer's clock is corrected, the
// retry is signed at the server's time and succeeds; one retry only.
TEST_CASE("a rejected signature is corrected, re-signed and retried once", "[retry][clock-skew]") {
    auto local_clock = [] { return local_now; };
    auto server_time = std::chrono::floor<std::chrono::seconds>(local_now + 20min);
    clock_skew skew;
    sigv4::signer signer({.region = "us-west-2",
                          .service = "ivschat",
                          .clock = [&] { return skew.corrected(local_clock()); }});
    credentials creds{.access_key_id = "AKIDEXAMPLE",
                      .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                      .session_token = {},
                      .expiration = std::nullopt};
    std::array<sigv4::header, 1> headers{{{"host", "ivschat.us-west-2.amazonaws.com"}}};
    sigv4::request request{.method = "POST", .path = "/CreateChatToken", .headers = headers, .payload = "{}"};
    standard_retry_strategy strategy{{.jitter = [] { return 0.0; }}};
    // The emulated service accepts a signature within 5 minutes of its clock.
    auto server_accepts = [&](std::string_view amz_date) {
        auto signed_at = detail::parse_amz_date(amz_date);
        REQUIRE(signed_at);
        auto diff = *signed_at - server_time;
        return diff < 5min && diff > -5min;
    };

    retry_call_state call;
    std::vector<std::string> signed_dates;
    retry_decision decision;
    do {
        REQUIRE(strategy.before_attempt(call) == 0ns);
        signed_dates.emplace_back(signer.sign(request, creds).x_amz_date);
        if (server_accepts(signed_dates.back())) {
            decision = strategy.on_attempt_result(call, attempt_outcome::success());
        } else {
            auto outcome = attempt_outcome::service_failure(403, "InvalidSignatureException");
            outcome.clock_skew_corrected =
                skew.on_service_error(outcome.error_type, date_header(server_time), local_clock());
            decision = strategy.on_attempt_result(call, outcome);
        }
    } while (decision.retry);
    CHECK(decision.reason == retry_reason::succeeded);
    CHECK(call.attempts == 2);
    CHECK(call.clock_skew_retried);
    CHECK(skew.offset() == 20min);
    std::array<char, 16> expected{};
    detail::format_amz_date(server_time, expected.data());
    CHECK(signed_dates.back() == std::string_view(expected.data(), expected.size()));
    CHECK(signed_dates.front() != signed_dates.back());
}
